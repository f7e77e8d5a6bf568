#!/usr/bin/env bats
# shq on POSIX message queues: every verb, option and exit status.

load helper

setup() {
    Q=$(qname q)
    shq create "$Q"
}

teardown() { remove_test_queues; }

# --- usage, help, version -----------------------------------------------

@test "--help prints the usage on stdout and exits 0" {
    run --separate-stderr shq --help
    assert_success
    assert_line --index 0 "usage: shq create [-m MAXMSG | -S BYTES] [-s MSGSIZE] [-M MODE] [-g GROUP]"
    assert_line --index 1 "                  [-x] QUEUE"
    assert_line "       shq get [-t SECONDS] [-n] [-c COUNT | -a] [-0] [-P] QUEUE"
    [ -z "$stderr" ]
}

@test "--version names the tool and prockit" {
    run shq --version
    assert_success
    assert_output --regexp '^shq \(prockit\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a verb's --help prints that verb's usage and exits 0" {
    run shq get --help
    assert_success
    assert_line --index 0 "usage: shq get [-t SECONDS] [-n] [-c COUNT | -a] [-0] [-P] QUEUE"
}

@test "misuse prints one reason and the usage line on stderr and exits 2" {
    run --separate-stderr shq
    assert_failure 2
    [ "${stderr_lines[0]}" = "shq: missing verb" ]
    [ "${stderr_lines[1]}" = "usage: shq create [-m MAXMSG | -S BYTES] [-s MSGSIZE] [-M MODE] [-g GROUP]" ]
    [ "${stderr_lines[2]}" = "                  [-x] QUEUE" ]
    [ -z "$output" ]

    run --separate-stderr shq frobnicate
    assert_failure 2
    [ "${stderr_lines[0]}" = "shq: unknown verb 'frobnicate'" ]

    run --separate-stderr shq put -z "$Q"
    assert_failure 2
    [ "$stderr" = "shq: put: invalid option -z
usage: shq put [-p PRIO] [-t SECONDS] [-n] [-0] [-C] QUEUE [MESSAGE ...]" ]

    run --separate-stderr shq get --bogus "$Q"
    assert_failure 2
    [ "${stderr_lines[0]}" = "shq: get: invalid option --bogus" ]

    run --separate-stderr shq get -t
    assert_failure 2
    [ "${stderr_lines[0]}" = "shq: get: option -t needs a value" ]

    # A long option that takes no value, given one: named, not a stray byte.
    run --separate-stderr shq stat --json=1 "$Q"
    assert_failure 2
    [ "${stderr_lines[0]}" = "shq: stat: option --json takes no value" ]
}

@test "missing and extra operands are usage errors" {
    for verb in create put get stat rm; do
        run --separate-stderr shq "$verb"
        assert_failure 2
        [ "${stderr_lines[0]}" = "shq: $verb: missing QUEUE" ]
    done
    run --separate-stderr shq get "$Q" extra
    assert_failure 2
    [ "${stderr_lines[0]}" = "shq: get: too many operands" ]
    run --separate-stderr shq ls "$Q"
    assert_failure 2
    [ "${stderr_lines[0]}" = "shq: ls: ls lists this machine's queues, or those of a Redis server such as redis://127.0.0.1:6379" ]
}

@test "options that exclude each other are usage errors" {
    run --separate-stderr shq get -n -t 1 "$Q"
    assert_failure 2
    [ "${stderr_lines[0]}" = "shq: get: -n and -t exclude each other" ]
    run --separate-stderr shq get -a -c 2 "$Q"
    assert_failure 2
    [ "${stderr_lines[0]}" = "shq: get: -c and -a exclude each other" ]
}

@test "bad numbers are usage errors that say what is expected" {
    run --separate-stderr shq get -t abc "$Q"
    assert_failure 2
    [ "$stderr" = "shq: get: invalid seconds 'abc': expected seconds, such as 5 or 0.25" ]
    run --separate-stderr shq get -t -1 "$Q"
    assert_failure 2
    run --separate-stderr shq get -c 0 "$Q"
    assert_failure 2
    [ "$stderr" = "shq: get: invalid count '0': expected a whole number from 1 to 18446744073709551615" ]
    run --separate-stderr shq put -p 32768 "$Q" x
    assert_failure 2
    [ "$stderr" = "shq: put: invalid priority '32768': expected a whole number from 0 to 32767" ]
    run --separate-stderr shq create -m 5x "$(qname other)"
    assert_failure 2
    [ "$stderr" = "shq: create: invalid capacity '5x': expected a whole number from 1 to 1000000000" ]
    run --separate-stderr shq create -M 0999 "$(qname other)"
    assert_failure 2
    [ "$stderr" = "shq: create: invalid mode '0999': expected an octal mode such as 0600 or 644" ]
}

# --- names --------------------------------------------------------------

@test "invalid queue names are refused with what a valid name looks like" {
    long=$(printf 'x%.0s' $(seq 256))
    for name in "" "/" "a/b" "/a/b" "mq:/a/b" "." "/.." "$long" "shm:" "fifo:x" "fd:1"; do
        run --separate-stderr shq put "$name" msg
        assert_failure 2
        [[ "$stderr" == "shq: put: "* ]] || { echo "name '$name': $stderr"; false; }
    done
    run --separate-stderr shq stat "a/b"
    [ "$stderr" = "shq: stat: invalid queue name 'a/b': it has a second '/' (a valid name is '/' and 1 to 255 characters other than '/', such as /jobs)" ]
    run --separate-stderr shq stat "fifo:x"
    [ "$stderr" = "shq: stat: 'fifo:x' is a byte stream, not a queue (a queue is mq:/NAME, shm:/NAME, redis://HOST[:PORT][/DB]/NAME, or a bare NAME or /NAME for mq:/NAME)" ]
}

@test "NAME, /NAME and mq:/NAME name the same queue; 255 characters is allowed" {
    shq put "$Q" one
    shq put "/$Q" two
    shq put "mq:/$Q" three
    run shq get -a "$Q"
    assert_output "one
two
three"
    long=$(qname "$(printf 'y%.0s' $(seq 200))")
    long=$long$(printf 'z%.0s' $(seq $((255 - ${#long}))))
    [ "${#long}" -eq 255 ]
    shq create "$long"
    shq put "$long" hi
    run shq get "$long"
    assert_output hi
}

# --- create -------------------------------------------------------------

@test "create sets capacity, message size and mode; stat reports them" {
    q=$(qname sized)
    shq create -m 3 -s 100 -M 0640 "$q"
    run shq stat "$q"
    assert_success
    assert_output "queue       /$q
depth       0
capacity    3
msgsize     100
mode        0640
owner       $(id -un)
put         0
got         0
done        0
unfinished  0"
}

@test "the default mode is 0600 and the umask does not change -M" {
    run shq stat --json "$Q"
    assert_output --partial '"mode":"0600"'
    q=$(qname wide)
    (umask 077 && shq create -M 0666 "$q")
    run shq stat --json "$q"
    assert_output --partial '"mode":"0666"'
}

@test "an existing queue is an error for create and fine with -x" {
    run --separate-stderr shq create "$Q"
    assert_failure 4
    [ "$stderr" = "shq: create /$Q: queue already exists" ]
    run shq create -x "$Q"
    assert_success
}

@test "a capacity over the system limit names the file that sets it" {
    limit=$(cat /proc/sys/fs/mqueue/msg_max)
    q=$(qname big)
    run --separate-stderr as_nobody shq create -m $((limit + 1)) "$q"
    assert_failure 4
    [ "$stderr" = "shq: create /$q: $((limit + 1)) messages exceeds the limit of $limit (/proc/sys/fs/mqueue/msg_max)" ]
    size=$(cat /proc/sys/fs/mqueue/msgsize_max)
    run --separate-stderr as_nobody shq create -s $((size + 1)) "$q"
    assert_failure 4
    [ "$stderr" = "shq: create /$q: message size $((size + 1)) exceeds the limit of $size (/proc/sys/fs/mqueue/msgsize_max)" ]
}

@test "a queue over the user's queue memory limit names RLIMIT_MSGQUEUE" {
    q=$(qname mem)
    run --separate-stderr bash -c "ulimit -q 10000 && shq create -m 5 -s 8000 $q"
    assert_failure 4
    [ "$stderr" = "shq: create /$q: a queue of 5 messages of 8000 bytes exceeds this user's queue memory limit of 10000 bytes (RLIMIT_MSGQUEUE, see ulimit -q)" ]
}

# --- put and get ----------------------------------------------------------

@test "put sends each argument as one message, newlines and empty ones too" {
    shq put "$Q" $'two\nlines' "" last
    run shq stat --json "$Q"
    assert_output --partial '"depth":3'
    shq get -0 -c 3 "$Q" > "$BATS_TEST_TMPDIR/out"
    printf 'two\nlines\0\0last\0' | cmp - "$BATS_TEST_TMPDIR/out"
}

@test "put sends each stdin line; empty lines and a last unterminated line count" {
    printf 'a\n\nc' | shq put "$Q"
    run shq get -a "$Q"
    assert_output "a

c"
    printf '' | shq put "$Q"
    run shq get -n "$Q"
    assert_failure 1
}

@test "higher priority first, FIFO within a priority; -P shows it" {
    shq put -p 1 "$Q" a
    shq put -p 5 "$Q" b
    shq put -p 1 "$Q" c
    shq put -p 5 "$Q" d
    shq put "$Q" e
    run shq get -a -P "$Q"
    assert_output "$(printf '5\tb\n5\td\n1\ta\n1\tc\n0\te')"
}

@test "get -c COUNT takes that many; -a drains what is there" {
    shq put "$Q" 1 2 3 4
    run shq get -c 3 "$Q"
    assert_success
    assert_output "1
2
3"
    run shq get -a "$Q"
    assert_output 4
    run shq get -a "$Q"
    assert_failure 1
    assert_output ""
}

@test "get on an empty queue: -n and -t give status 1 and print nothing" {
    run --separate-stderr shq get -n "$Q"
    assert_failure 1
    [ -z "$output" ] && [ -z "$stderr" ]
    run --separate-stderr shq get -t 0.1 "$Q"
    assert_failure 1
    [ -z "$output" ] && [ -z "$stderr" ]
}

@test "get -c that times out part-way prints what came and exits 1" {
    shq put "$Q" x y
    run shq get -c 5 -t 0.1 "$Q"
    assert_failure 1
    assert_output "x
y"
}

@test "get stops at pipe-cat's end-of-stream marker, takes it and does not print it" {
    printf 'a\n\nb\n' | pipe-cat -E - "mq:/$Q"
    shq put "$Q" after
    run shq get -c 5 "$Q"
    assert_failure 1
    assert_output "a

b"
    run shq get "$Q"
    assert_output after
}

@test "get -a -t waits for the first message, then drains" {
    shq get -a -t 10 "$Q" > "$BATS_TEST_TMPDIR/out" &
    pid=$!
    wait_until is_sleeping $pid
    shq put "$Q" late
    wait $pid
    assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" late
}

@test "a blocked get is woken by a put and flushes each message before waiting" {
    check_get_woken_by_each_put "$Q"
}

@test "a full queue: put -n and put -t give status 1 and say what was sent" {
    q=$(qname small)
    shq create -m 2 "$q"
    shq put "$q" a b
    run --separate-stderr shq put -n "$q" c
    assert_failure 1
    [ "$stderr" = "shq: put /$q: queue is full; 0 messages were sent, the rest were not" ]
    run --separate-stderr shq put -t 0.1 "$q" c
    assert_failure 1
    shq get -n "$q"
    run --separate-stderr shq put -t 0.1 "$q" c d
    assert_failure 1
    [ "$stderr" = "shq: put /$q: queue is full; 1 message was sent, the rest were not" ]
    run shq get -a "$q"
    assert_output "b
c"
}

@test "a put blocked on a full queue finishes when a reader makes room" {
    q=$(qname small)
    shq create -m 1 "$q"
    shq put "$q" a
    shq put "$q" b &
    pid=$!
    wait_until is_sleeping $pid
    run shq get "$q"
    assert_output a
    wait $pid
    run shq get "$q"
    assert_output b
}

@test "an oversize message is refused whole, from stdin and from arguments" {
    q=$(qname tiny)
    shq create -s 100 "$q"
    run --separate-stderr shq put "$q" "$(printf 'x%.0s' $(seq 101))"
    assert_failure 4
    [ "$stderr" = "shq: put /$q: message of 101 bytes exceeds the queue's 100" ]
    { echo ok; head -c 9000 /dev/zero | tr '\0' a; echo; echo after; } > "$BATS_TEST_TMPDIR/in"
    run --separate-stderr shq put "$q" < "$BATS_TEST_TMPDIR/in"
    assert_failure 4
    [ "$stderr" = "shq: put /$q: message of 9000 bytes exceeds the queue's 100; 1 messages before it were sent" ]
    run shq get -a "$q"
    assert_output ok
}

@test "an endless line is refused without reading forever" {
    q=$(qname tiny)
    shq create -s 100 "$q"
    run --separate-stderr bash -c "shq put $q < /dev/zero"
    assert_failure 4
    [[ "$stderr" == "shq: put /$q: message of more than "*" bytes exceeds the queue's 100; 0 messages before it were sent" ]]
}

@test "a 1,000,000-line stream between concurrent put and get arrives complete and in order" {
    check_million_line_stream "$Q"
    run shq get -n "$Q"
    assert_failure 1
}

@test "-0 round-trips random binary records, including empty ones, byte for byte" {
    check_binary_round_trip "$Q"
}

@test "put -C creates a missing queue; without it a missing queue is status 3" {
    q=$(qname new)
    run --separate-stderr shq put "$q" x
    assert_failure 3
    [ "$stderr" = "shq: put /$q: queue does not exist" ]
    shq put -C "$q" x
    run shq get "$q"
    assert_output x
    run shq stat --json "$q"
    assert_output --partial '"mode":"0600"'
}

@test "every verb on a missing queue exits 3 with one line" {
    q=$(qname absent)
    for verb in get stat rm; do
        run --separate-stderr shq "$verb" "$q"
        assert_failure 3
        [ "$stderr" = "shq: $verb /$q: queue does not exist" ]
    done
    run shq rm -f "$q"
    assert_success
}

@test "mode 0600 keeps other users out" {
    [ "$(id -u)" = 0 ] || skip "needs root to act as another user"
    run --separate-stderr as_nobody shq put "$Q" x
    assert_failure 4
    [ "$stderr" = "shq: put /$Q: permission denied" ]
    run --separate-stderr as_nobody shq get -n "$Q"
    assert_failure 4
    q=$(qname open)
    shq create -M 0666 "$q"
    as_nobody shq put "$q" from-nobody
    run shq get "$q"
    assert_output from-nobody
}

# --- readers that go away, signals ------------------------------------------

# 80 KB of messages: more than a pipe holds, so get meets the closed pipe.
fill_wide_queue() {
    q=$(qname wide)
    shq create -m 10 -s 8000 "$q"
    big=$(head -c 7999 /dev/zero | tr '\0' x)
    for i in $(seq 10); do shq put "$q" "$big"; done
}

@test "a reader that closes its pipe early ends get quietly, as cat" {
    fill_wide_queue
    check_get_into_closed_pipe "$q" ""
}

@test "with SIGPIPE ignored, EPIPE still ends get quietly with status 141" {
    fill_wide_queue
    check_get_into_closed_pipe "$q" "trap '' PIPE;"
}

@test "SIGTERM to a waiting get: what it took is written, then it dies of SIGTERM" {
    shq put "$Q" a b c
    shq get -c 10 "$Q" > "$BATS_TEST_TMPDIR/out" &
    pid=$!
    wait_until grep -qx c "$BATS_TEST_TMPDIR/out"
    wait_until is_sleeping $pid
    kill -TERM $pid
    rc=0
    wait $pid || rc=$?
    assert_equal "$rc" 143
    assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "a
b
c"
    [ -z "$(proc_state $pid)" ]
}

@test "SIGINT to a get waiting with -t ends it with 130 and loses nothing" {
    shq get -t 30 "$Q" > "$BATS_TEST_TMPDIR/out" &
    check_signal_ends INT $! 130
    shq put "$Q" kept
    run shq get -n "$Q"
    assert_output kept
}

@test "get writing to a full disk says so and exits 4" {
    [ -w /dev/full ] || skip "no /dev/full"
    shq put "$Q" x
    run --separate-stderr bash -c "shq get $Q > /dev/full"
    assert_failure 4
    [ "$stderr" = "shq: get /$Q: write standard output: no space left on device; 1 message was taken from the queue and not written: lost" ]
}

# --- stat, ls, rm -------------------------------------------------------------

@test "stat --json is one JSON object with the depth" {
    shq put "$Q" a b
    run shq stat --json "$Q"
    assert_success
    assert_equal "$(jq -r '.queue, .depth, .capacity, .msgsize, .mode' <<<"$output")" "/$Q
2
$(cat /proc/sys/fs/mqueue/msg_default)
$(cat /proc/sys/fs/mqueue/msgsize_default)
0600"
}

@test "ls lists queues by name; --json gives one object per queue" {
    q2=$(qname second)
    shq create "$q2"
    run shq ls
    assert_success
    assert_line "/$Q"
    assert_line "/$q2"
    shq ls --json > "$BATS_TEST_TMPDIR/ls.json"
    run jq -r "select(.queue == \"/$q2\") | .depth" "$BATS_TEST_TMPDIR/ls.json"
    assert_output 0
}

@test "rm removes every named queue and reports each missing one" {
    q2=$(qname second)
    q3=$(qname absent)
    shq create "$q2"
    run --separate-stderr shq rm "$Q" "$q3" "$q2"
    assert_failure 3
    [ "$stderr" = "shq: rm /$q3: queue does not exist" ]
    shq ls > "$BATS_TEST_TMPDIR/ls"
    run grep -Fx -e "/$Q" -e "/$q2" "$BATS_TEST_TMPDIR/ls"
    assert_failure 1
}
