#!/usr/bin/env bats
# shq on shared-memory rings (shm:/NAME): every verb and option, as for mq.

load helper

setup() {
    R=shm:/$(qname ring)
    shq create "$R"
}

teardown() { remove_test_queues; }

@test "shm: create with defaults; stat shows bytes, message size, mode 0600" {
    run shq stat --json "$R"
    assert_success
    assert_equal "$(jq -r '[.bytes, .used, .msgsize, .mode, .depth] | @tsv' <<<"$output")" \
        "$(printf '1048576\t0\t65536\t0600\t0')"
    r2=shm:/$(qname sized)
    shq create -S 4096 -s 100 -M 0640 "$r2"
    run shq stat "$r2"
    assert_output "queue       $r2
depth       0
bytes       4096
used        0
recovered   0
msgsize     100
lock        free
mode        0640
owner       $(id -un)
put         0
got         0
done        0
unfinished  0"
}

@test "shm: bad sizes and mq-only options are refused clearly" {
    run --separate-stderr shq create -m 10 "shm:/$(qname x)"
    assert_failure 2
    [ "$stderr" = "shq: create shm:/$(qname x): shared-memory queues are sized in bytes: use -S, not -m" ]
    run --separate-stderr shq create -S 4096 "$(qname x)"
    assert_failure 2
    [ "$stderr" = "shq: create /$(qname x): message queues are sized in messages: use -m and -s, not -S" ]
    run --separate-stderr shq create -S 100 -s 100 "shm:/$(qname x)"
    assert_failure 2
    [ "$stderr" = "shq: create shm:/$(qname x): a message size of 100 needs a ring of at least 104 bytes (-S)" ]
    run --separate-stderr shq create -S 10 "shm:/$(qname x)"
    assert_failure 2
    [ "$stderr" = "shq: create: invalid ring size '10': expected a number of bytes such as 4096, 64K, 10M or 1G, from 64 to 1099511627776" ]
    run shq ls
    refute_output --partial "$(qname x)"
}

@test "shm: an existing ring is an error for create and fine with -x" {
    run --separate-stderr shq create "$R"
    assert_failure 4
    [ "$stderr" = "shq: create $R: queue already exists" ]
    shq create -x "$R"
}

@test "shm: messages come out first in, first out, empty ones and newlines too" {
    shq put "$R" one "" $'two\nlines'
    printf 'a\n\nc' | shq put "$R"
    shq get -0 -a "$R" > "$BATS_TEST_TMPDIR/out"
    printf 'one\0\0two\nlines\0a\0\0c\0' | cmp - "$BATS_TEST_TMPDIR/out"
}

@test "shm: priorities are refused, and -P shows 0" {
    run --separate-stderr shq put -p 3 "$R" x
    assert_failure 2
    [ "$stderr" = "shq: put $R: shared-memory queues are first in, first out: priorities need an mq:/ queue" ]
    shq put -p 0 "$R" x
    run shq get -P "$R"
    assert_output "$(printf '0\tx')"
}

@test "shm: get -c, -a, -n and -t behave as on mq" {
    shq put "$R" 1 2 3
    run shq get -c 2 "$R"
    assert_output "1
2"
    run shq get -c 3 -t 0.1 "$R"
    assert_failure 1
    assert_output 3
    run --separate-stderr shq get -n "$R"
    assert_failure 1
    [ -z "$output" ] && [ -z "$stderr" ]
    run shq get -a "$R"
    assert_failure 1
}

@test "shm: a blocked get is woken by a put and flushes before waiting again" {
    check_get_woken_by_each_put "$R"
}

@test "shm: a full ring: put -n and -t give 1; a blocked put finishes when room is made" {
    r=shm:/$(qname small)
    shq create -S 64 -s 20 "$r"
    big=$(printf 'x%.0s' $(seq 20))
    shq put "$r" "$big" "$big"    # 2 x 24 bytes of 64
    run --separate-stderr shq put -n "$r" "$big"
    assert_failure 1
    [ "$stderr" = "shq: put $r: queue is full; 0 messages were sent, the rest were not" ]
    run shq put -t 0.1 "$r" "$big"
    assert_failure 1
    shq put "$r" "${big%x}y" &
    pid=$!
    wait_until is_sleeping $pid
    shq get "$r" > /dev/null
    wait $pid
    run shq get -a "$r"
    assert_output "$big
${big%x}y"
}

@test "shm: an oversize message is refused whole" {
    r=shm:/$(qname tiny)
    shq create -S 1024 -s 100 "$r"
    run --separate-stderr shq put "$r" "$(printf 'y%.0s' $(seq 101))"
    assert_failure 4
    [ "$stderr" = "shq: put $r: message of 101 bytes exceeds the queue's 100" ]
    run shq stat --json "$r"
    assert_output --partial '"depth":0,'
}

@test "shm: messages wrap around the end of the ring intact" {
    r=shm:/$(qname wrap)
    shq create -S 100 -s 40 "$r"
    for i in $(seq 50); do
        shq put "$r" "message-$i-$(printf '%*s' $((i % 23)) '' | tr ' ' "$((i % 10))")"
        run shq get "$r"
        assert_output "message-$i-$(printf '%*s' $((i % 23)) '' | tr ' ' "$((i % 10))")"
    done
}

@test "shm: a 1,000,000-line stream between concurrent put and get arrives complete and in order" {
    check_million_line_stream "$R"
}

@test "shm: -0 round-trips random binary records byte for byte" {
    check_binary_round_trip "$R"
}

@test "shm: put -C creates a missing ring; a missing ring is status 3" {
    r=shm:/$(qname new)
    for verb in get stat rm done join; do
        run --separate-stderr shq "$verb" "$r"
        assert_failure 3
        [ "$stderr" = "shq: $verb $r: queue does not exist" ]
    done
    shq put -C "$r" x
    run shq get "$r"
    assert_output x
}

@test "shm: SIGTERM to a waiting get writes what it took, then dies of SIGTERM" {
    shq put "$R" a b
    shq get -c 10 "$R" > "$BATS_TEST_TMPDIR/out" &
    pid=$!
    wait_until grep -qx b "$BATS_TEST_TMPDIR/out"
    kill -TERM $pid
    rc=0
    wait $pid || rc=$?
    assert_equal "$rc" 143
    assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "a
b"
}

@test "shm: a reader that closes its pipe early ends get quietly with 141" {
    big=$(head -c 60000 /dev/zero | tr '\0' x)
    for i in 1 2 3 4; do shq put "$R" "$big"; done
    check_get_into_closed_pipe "$R" ""
}

@test "shm: mode 0600 keeps other users out; 0666 lets them in" {
    [ "$(id -u)" = 0 ] || skip "needs root to act as another user"
    run --separate-stderr as_nobody shq put "$R" x
    assert_failure 4
    [ "$stderr" = "shq: put $R: open: permission denied" ]
    r=shm:/$(qname open)
    shq create -M 0666 "$r"
    as_nobody shq put "$r" from-nobody
    run shq get "$r"
    assert_output from-nobody
}

@test "shm: a segment that is not a prockit ring is refused, never used or removed" {
    name=$(qname foreign)
    printf 'garbage!%.0s' $(seq 100) > "/dev/shm/$name"
    run --separate-stderr shq get -n "shm:/$name"
    assert_failure 4
    [ "$stderr" = "shq: get shm:/$name: not a prockit queue" ]
    run --separate-stderr shq rm "shm:/$name"
    assert_failure 4
    assert_file_exists "/dev/shm/$name"
    printf 'hi' > "/dev/shm/$name"
    run --separate-stderr shq put "shm:/$name" x
    [ "$stderr" = "shq: put shm:/$name: not a prockit queue (too small to be one)" ]
    rm "/dev/shm/$name"
}

@test "shm: a ring of another layout version is refused with both versions named" {
    name=${R#shm:/}
    # Layout 1 held a glibc mutex where layout 2 has a lock word of its own.
    printf '\001' | dd of="/dev/shm/$name" bs=1 seek=6 conv=notrunc status=none
    run --separate-stderr shq put "$R" x
    assert_failure 4
    [ "$stderr" = "shq: put $R: made by another version of prockit (layout 1; this one reads layout 2)" ]
    printf '\002' | dd of="/dev/shm/$name" bs=1 seek=6 conv=notrunc status=none
}

@test "shm: ls lists rings beside message queues, never task-count companions" {
    q=$(qname mq)
    shq create "$q"
    shq put "$q" x    # makes sure the companion exists
    run shq ls
    assert_line "/$q"
    assert_line "$R"
    refute_output --partial prockit-mq.
    shq ls --json > "$BATS_TEST_TMPDIR/ls"
    run jq -r "select(.queue == \"$R\") | .bytes" "$BATS_TEST_TMPDIR/ls"
    assert_output 1048576
}

@test "shm: rm removes the ring and its segment" {
    name=${R#shm:/}
    assert_file_exists "/dev/shm/$name"
    shq rm "$R"
    assert_file_not_exists "/dev/shm/$name"
}

@test "shm: a ring made for 200 MB messages costs a get what its messages need: under ulimit -v 300000 it works, and a message too big for the limit is one line and 4, left in the ring" {
    skip_if_sanitized shq "the sanitizer runtime does not start under ulimit -v"
    r=shm:/$(qname big)
    shq create -S 200000004 -s 200000000 "$r"
    shq put "$r" small
    run --separate-stderr bash -c "ulimit -v 300000; shq get $r"
    assert_success
    assert_output small
    run --separate-stderr bash -c "ulimit -v 300000; shq put $r a b; pipe-cat -c 2 $r -"
    assert_success
    assert_output "a
b"
    head -c 150000000 /dev/zero | tr '\0' x | shq put "$r"
    run --separate-stderr bash -c "ulimit -v 300000; shq get $r"
    assert_failure 4
    assert_equal "$stderr" "shq: get $r: out of memory"
    assert_equal "$(shq stat --json "$r" | jq .depth)" 1
}
