#!/usr/bin/env bats
# Another local user is an adversary: nobody (via setpriv, see as_nobody)
# plants, forges or reads what the owner's tools use, and the owner's tools
# must refuse, stay correct or say so -- never crash, stall or leak.
# Covers issue 11, items 1-7. Run as root (the tests skip otherwise).

load helper

setup() {
    [ "$(id -u)" = 0 ] || skip "needs root to act as another user (setpriv)"
}

teardown() {
    remove_test_queues
    # Companions planted without a queue are not listed by shq ls.
    rm -f /dev/shm/prockit-mq."pk${BATS_ROOT_PID}-${BATS_SUITE_TEST_NUMBER}-"*
}

# --- 1-4: rings and task-count companions in /dev/shm -------------------

# Writes the 64-bit little-endian VALUE at OFFSET of /dev/shm/NAME, as
# nobody: another user with write access to a 0666 ring.
forge() {
    local name=$1 offset=$2 value=$3 bytes="" i
    for i in 0 1 2 3 4 5 6 7; do bytes+=$(printf '\\%03o' $(((value >> (8 * i)) & 255))); done
    # shellcheck disable=SC2059
    printf "$bytes" | as_nobody dd of="/dev/shm/$name" bs=1 seek="$offset" conv=notrunc,nocreat status=none
}

# The header's fields (lib/shm_ring.cpp): bytes 8, msgsize 16, data offset
# 24, lock 32, state head 72, tail 80, count 88; journal valid 112, its
# next state's head 120 and tail 128.
data_offset() { od -An -t u8 -j 24 -N 8 "/dev/shm/$1" | tr -d ' '; }

@test "1: a forged ring header (bytes 2^63, data offset 2^63+512) is damaged, exit 4: put and pipe-cat no longer die of SIGSEGV" {
    name=$(qname ring)
    r=shm:/$name
    shq create -M 0666 "$r"
    forge "$name" 8 $((1 << 63))
    forge "$name" 24 $(((1 << 63) + 512))
    run --separate-stderr shq put "$r" x
    assert_failure 4
    assert_equal "$stderr" "shq: put $r: the queue's header is damaged (data offset; not written by this prockit?)"
    run --separate-stderr pipe-cat - "$r" <<< x
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: $r: the queue's header is damaged (data offset; not written by this prockit?)"
    # A damaged ring is still removed like any other.
    shq rm "$r"
}

@test "1: every forged field is checked before use: sizes, head, tail, count, a message's length, the journal" {
    local cases=(
        "8 0|ring size"
        "8 $(((1 << 63) - 1))|ring size"
        "16 -1|message size"
        "16 1048573|message size"
        "24 8|data offset"
        "72 100|head and tail"
        "80 -1|head and tail"
        "88 $((1 << 62))|message count"
        "88 0|message count"
    )
    for c in "${cases[@]}"; do
        name=$(qname "ring$((i += 1))")
        r=shm:/$name
        shq create -M 0666 "$r"
        shq put "$r" ab cd
        forge "$name" ${c%%|*}
        for verb in "put -n $r x" "get -n $r" "stat $r"; do
            run --separate-stderr shq $verb
            assert_failure 4
            assert_equal "$stderr" "shq: ${verb%% *} $r: the queue's header is damaged (${c#*|}; not written by this prockit?)"
        done
        shq rm "$r"
    done
}

@test "1: a message length forged in the data, and a forged journal replayed after a crash, are damaged, exit 4" {
    name=$(qname len)
    r=shm:/$name
    shq create -M 0666 "$r"
    shq put "$r" ab
    forge "$name" "$(data_offset "$name")" $((0xffffffff))
    run --separate-stderr shq get -n "$r"
    assert_failure 4
    assert_equal "$stderr" "shq: get $r: the queue is damaged: a message claims 4294967295 bytes"
    # The lock's owner "died" (the robust mutex's OWNER_DIED bit) with a
    # journal whose next state runs past the ring: it is never applied.
    name=$(qname journal)
    r=shm:/$name
    shq create -M 0666 "$r"
    shq put "$r" ab
    forge "$name" 128 $((1 << 40))
    forge "$name" 112 1
    forge "$name" 32 $((0x40000000 | (1 << 32)))
    run --separate-stderr shq get -n "$r"
    assert_failure 4
    assert_equal "$stderr" "shq: get $r: the queue's header is damaged (head and tail; not written by this prockit?)"
    run --separate-stderr shq put -n "$r" x
    assert_failure 4
    [[ "$stderr" == "shq: put $r: the queue's header is damaged ("* ]]
}

# A task-count companion that nobody left for the message queue Q: nobody
# made Q, then removed it behind shq's back, as a leftover would be.
plant_companion() {
    as_nobody shq create -M 0666 "$1"
    as_nobody rm "/dev/mqueue/$1"
    assert_file_exists "/dev/shm/prockit-mq.$1"
}

@test "2: a task-count companion another user planted is refused, and create leaves no queue behind" {
    q=$(qname mq)
    plant_companion "$q"
    run --separate-stderr shq create "$q"
    assert_failure 4
    assert_equal "$stderr" "shq: create /$q: the task counts /dev/shm/prockit-mq.$q belong to nobody, and this queue is new: refused (their owner or root may remove them)"
    assert_file_not_exists "/dev/mqueue/$q"
}

@test "2: a companion planted beside a queue another program made is refused: nobody cannot forge its task counts" {
    q=$(qname mq)
    shq create "$q"
    rm "/dev/shm/prockit-mq.$q"  # as if another program had made the queue
    t=$(qname throwaway)
    plant_companion "$t"
    as_nobody cp "/dev/shm/prockit-mq.$t" "/dev/shm/prockit-mq.$q"
    for verb in put join stat; do
        run --separate-stderr shq $verb "$q"
        assert_failure 4
        assert_equal "$stderr" "shq: $verb /$q: the task counts /dev/shm/prockit-mq.$q belong to nobody, who may not write the queue of root: refused (their owner or root may remove them)"
    done
}

@test "2: counts made by a user the queue is shared with for writing are used; one who may only read cannot make them" {
    q=$(qname mq)
    shq create -M 0666 "$q"
    rm "/dev/shm/prockit-mq.$q"  # as if another program had made the queue
    as_nobody shq put "$q" from-nobody
    assert_equal "$(stat -c '%U %a' "/dev/shm/prockit-mq.$q")" "nobody 666"
    shq put "$q" from-root
    assert_equal "$(shq stat --json "$q" | jq -r '[.put, .depth] | @tsv')" "$(printf '2\t2')"
    q2=$(qname mq2)
    shq create -M 0644 "$q2"
    shq put "$q2" x
    rm "/dev/shm/prockit-mq.$q2"
    run --separate-stderr as_nobody shq get "$q2"
    assert_failure 4
    assert_equal "$stderr" "shq: get /$q2: has no task counts yet (/dev/shm/prockit-mq.$q2), and only a user who may write the queue may make them"
}

@test "2: a queue nobody made and shares works for root with nobody's counts" {
    q=$(qname mq)
    as_nobody shq create -M 0666 "$q"
    shq put "$q" a b
    shq get "$q"
    shq done "$q"
    assert_equal "$(shq stat --json "$q" | jq -r '[.put, .got, .done, .uid] | @tsv')" "$(printf '2\t1\t1\t65534')"
    as_nobody shq rm "$q"
}

@test "2: a create that cannot make its companion (a full /dev/shm) names /dev/shm and removes the queue it made" {
    q=$(qname mq)
    run --separate-stderr unshare -m sh -c \
        "mount -t tmpfs -o size=4k,nr_inodes=1 tmpfs /dev/shm && shq create $q"
    assert_failure 4
    [[ "$stderr" == "shq: create /$q: not enough room in /dev/shm for "*" bytes" ]]
    assert_file_not_exists "/dev/mqueue/$q"
}

@test "3: a -M 0644 queue gets a 0644 companion: other users read the counts but cannot mark done or forge them" {
    q=$(qname mq)
    shq create -M 0644 "$q"
    shq put "$q" job
    assert_equal "$(stat -c %a "/dev/shm/prockit-mq.$q")" 644
    run --separate-stderr as_nobody shq done "$q"
    assert_failure 4
    assert_equal "$stderr" "shq: done /$q: cannot mark tasks done: only users who may write the queue may (/dev/shm/prockit-mq.$q is read-only to you)"
    run as_nobody sh -c "printf x > /dev/shm/prockit-mq.$q"
    assert_failure
    # A reader still reads the queue and the counts; its get is not counted.
    run as_nobody shq get "$q"
    assert_output job
    run as_nobody shq join -t 0.1 "$q"
    assert_failure 1
    run shq join -t 0 "$q"
    assert_failure 1
    assert_equal "$(shq stat --json "$q" | jq -r '[.put, .got, .done] | @tsv')" "$(printf '1\t0\t0')"
}

@test "3: the owner's tools narrow a companion left wider than its queue (0666 for a 0644 queue)" {
    q=$(qname mq)
    shq create -M 0644 "$q"
    chmod 0666 "/dev/shm/prockit-mq.$q"
    shq stat "$q" > /dev/null
    assert_equal "$(stat -c %a "/dev/shm/prockit-mq.$q")" 644
    # 0622 (others may only write): they may count puts, and so read the counts.
    q2=$(qname mq2)
    shq create -M 0622 "$q2"
    assert_equal "$(stat -c %a "/dev/shm/prockit-mq.$q2")" 666
}

@test "4: create -x refuses a queue another user made first, ring or message queue, and says whose it is" {
    r=shm:/$(qname ring)
    q=$(qname mq)
    as_nobody shq create -M 0666 "$r"
    as_nobody shq create -M 0666 "$q"
    run --separate-stderr shq create -x "$r"
    assert_failure 4
    assert_equal "$stderr" "shq: create $r: exists and belongs to nobody, not to you: refused (-x and -C use only a queue of your own)"
    run --separate-stderr shq create -x "$q"
    assert_failure 4
    assert_equal "$stderr" "shq: create /$q: exists and belongs to nobody, not to you: refused (-x and -C use only a queue of your own)"
    # put -C ("create it if missing") refuses it as -x does.
    run --separate-stderr shq put -C "$r" x
    assert_failure 4
    assert_equal "$stderr" "shq: put $r: exists and belongs to nobody, not to you: refused (-x and -C use only a queue of your own)"
    # Its owner's -x, and a put that only opens it, still work.
    as_nobody shq create -x "$r"
    shq put "$r" shared
    as_nobody shq rm "$r" "$q"
}


# --- 5: fifo: endpoints -------------------------------------------------

# --- 6: Redis passwords -------------------------------------------------

# --- 7: names and command lines reach the terminal escaped --------------
