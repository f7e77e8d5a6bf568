#!/usr/bin/env bats
# Crash safety of shared-memory rings: users killed with SIGKILL at any
# instant, including while they hold the ring's lock.

load helper

teardown() {
    [ -n "${survivor:-}" ] && { kill -TERM "$survivor"; kill -CONT "$survivor"; } 2>/dev/null
    remove_test_queues
}

# The lock's owner TID, read from the segment: the lock word is at
# offset 32 of the ring's header (a static_assert in lib/shm_ring.cpp keeps
# it there) and holds the owner, with the waiters bit on top.
lock_owner() {
    local word
    word=$(od -An -t u4 -j 32 -N 4 "/dev/shm/$1" | tr -d ' ')
    echo $((word & 0x3fffffff))
}

# Stops PID again and again until it is caught holding the lock of ring
# NAME, then kills it there. Fails if it never is (bounded).
kill_holding_lock() {
    local pid=$1 name=$2 i
    for i in $(seq 20000); do
        kill -STOP "$pid" || return 1
        if [ "$(lock_owner "$name")" = "$pid" ]; then
            kill -KILL "$pid"
            return 0
        fi
        kill -CONT "$pid"
    done
    echo "never caught $pid holding the lock" >&2
    return 1
}

# A message that says what it must contain: ID-PAYLOAD, where the payload
# is (N mod 37)+1 copies of the digit N mod 10 for message number N.
messages() { awk -v tag="$1" -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) { p = ""; for (k = 0; k <= i % 37; k++) p = p (i % 10); print tag "-" i "-" p } }'; }

# Prints every malformed (torn) message in the files given.
torn() { awk -F- 'NF != 3 || length($3) != ($2 % 37) + 1 || $3 !~ ("^" ($2 % 10) "+$")' "$@"; }

@test "a producer killed holding the lock: the next user recovers at once, nothing committed is lost" {
    name=$(qname ring)
    shq create -S 67108864 -s 200 "shm:/$name"
    messages p 1000000 > "$BATS_TEST_TMPDIR/in"
    # Alone on a large ring the producer takes the lock for every message,
    # so it is soon caught holding it.
    shq put "shm:/$name" < "$BATS_TEST_TMPDIR/in" &
    producer=$!
    kill_holding_lock $producer "$name"
    wait $producer || true
    # Another producer gets through within the bound, and a consumer drains
    # everything the dead one committed, in order, untorn.
    shq put -t 2 "shm:/$name" "after-1-11"
    shq get -a "shm:/$name" > "$BATS_TEST_TMPDIR/out"
    run torn "$BATS_TEST_TMPDIR/out"
    assert_output ""
    assert_equal "$(tail -n 1 "$BATS_TEST_TMPDIR/out")" after-1-11
    sed '$d' "$BATS_TEST_TMPDIR/out" > "$BATS_TEST_TMPDIR/got"
    n=$(wc -l < "$BATS_TEST_TMPDIR/got")
    [ "$n" -gt 0 ]
    head -n "$n" "$BATS_TEST_TMPDIR/in" | cmp - "$BATS_TEST_TMPDIR/got"
    assert_equal "$(shq stat --json "shm:/$name" | jq -r '[.recovered, .depth, .used, .put - .got] | @tsv')" \
        "$(printf '1\t0\t0\t0')"
}

@test "a consumer killed holding the lock loses only what it had taken: its unwritten output and the message in hand" {
    name=$(qname ring)
    shq create -S 67108864 -s 200 "shm:/$name"
    messages p 1000000 > "$BATS_TEST_TMPDIR/in"
    shq put "shm:/$name" < "$BATS_TEST_TMPDIR/in"
    shq get -c 1000000 "shm:/$name" > "$BATS_TEST_TMPDIR/victim" &
    victim=$!
    kill_holding_lock $victim "$name"
    wait $victim || true
    shq get -a "shm:/$name" > "$BATS_TEST_TMPDIR/rest"
    run torn "$BATS_TEST_TMPDIR/victim" "$BATS_TEST_TMPDIR/rest"
    assert_output ""
    # The victim wrote an exact prefix; the ring kept an exact suffix; the
    # gap between is what the victim held: at most its 64 KiB output buffer
    # and the message it was taking.
    k=$(wc -l < "$BATS_TEST_TMPDIR/victim")
    head -n "$k" "$BATS_TEST_TMPDIR/in" | cmp - "$BATS_TEST_TMPDIR/victim"
    rest=$(wc -l < "$BATS_TEST_TMPDIR/rest")
    tail -n "$rest" "$BATS_TEST_TMPDIR/in" | cmp - "$BATS_TEST_TMPDIR/rest"
    lost_bytes=$(sed -n "$((k + 1)),$((1000000 - rest))p" "$BATS_TEST_TMPDIR/in" | wc -c)
    echo "taken and lost with the victim: $((1000000 - rest - k)) messages, $lost_bytes bytes"
    [ "$lost_bytes" -le $((65536 + 200)) ]
    assert_equal "$(shq stat --json "shm:/$name" | jq -r '[.recovered, .depth, .used] | @tsv')" \
        "$(printf '1\t0\t0')"
}

@test "200 rounds of SIGKILL at random instants: acknowledged messages arrive exactly once, none torn, nobody stuck" {
    name=$(qname ring)
    r=shm:/$name
    d=$BATS_TEST_TMPDIR
    shq create -S 2048 -s 100 "$r"
    shq get -t 10 -c 1000000000 "$r" > "$d/survivor.out" &
    survivor=$!
    killed_gets=0
    for round in $(seq 200); do
        if ((round % 2)); then
            messages "v$round" 200 > "$d/v$round.in"
            shq put "$r" < "$d/v$round.in" &
        else
            shq get "$r" > "$d/v$round.out" &
        fi
        victim=$!
        sleep "0.00$((RANDOM % 6))"
        kill -KILL $victim 2>/dev/null || true
        rc=0
        wait $victim || rc=$?
        if ((round % 2)); then
            # A producer that finished before the kill had every message acknowledged.
            [ $rc -eq 0 ] && cp "$d/v$round.in" "$d/ack.v$round"
        else
            [ $rc -eq 137 ] && killed_gets=$((killed_gets + 1))
        fi
        # A survivor never waits past the bound, whatever the victim held.
        messages "s$round" 20 > "$d/ack.s$round"
        shq put -t 2 "$r" < "$d/ack.s$round"
    done
    wait_until bash -c "[ \"\$(shq stat --json $r | jq .depth)\" = 0 ]"
    kill -TERM $survivor
    rc=0
    wait $survivor || rc=$?
    survivor=
    assert_equal $rc 143

    cat "$d/survivor.out" "$d"/v*.out 2>/dev/null | sort > "$d/seen"
    run torn "$d/seen"
    assert_output ""
    run uniq -d "$d/seen"
    assert_output ""
    cat "$d"/ack.* | sort > "$d/acked"
    missing=$(comm -23 "$d/acked" "$d/seen" | wc -l)
    echo "killed gets: $killed_gets, acknowledged messages missing: $missing"
    [ "$missing" -le "$killed_gets" ]
    assert_equal "$(shq stat --json "$r" | jq -r '[.depth, .used] | @tsv')" "$(printf '0\t0')"
}

# Stops PID again and again until it is caught holding the lock of ring
# NAME, and leaves it stopped there. Fails if it never is (bounded).
stop_holding_lock() {
    local pid=$1 name=$2 i
    for i in $(seq 20000); do
        kill -STOP "$pid" || return 1
        wait_for "[ \"\$(proc_state $pid)\" = T ]"
        [ "$(lock_owner "$name")" = "$pid" ] && return 0
        kill -CONT "$pid"
    done
    echo "never caught $pid holding the lock" >&2
    return 1
}

# Makes ring $r (named $name) and a producer, $survivor, that is left
# stopped while it holds the ring's lock.
ring_with_stopped_holder() {
    name=$(qname ring)
    r=shm:/$name
    shq create -S 67108864 -s 200 "$r"
    messages p 1000000 > "$BATS_TEST_TMPDIR/in"
    shq put "$r" < "$BATS_TEST_TMPDIR/in" &
    survivor=$!
    stop_holding_lock $survivor "$name"
}

# True once PID has exited (a zombie, or already reaped by the shell).
has_ended() { case "$(proc_state "$1")" in "" | Z) return 0 ;; esac; return 1; }

# True while PID waits in futex(2) (system call 202 on x86-64): for a
# lock or a futex word, never anything else in these tools.

@test "a holder stopped inside the lock costs others only their own bound: get -t 1, get -n, put -n, stat and pipe-cat -t 1 return, saying who holds it" {
    ring_with_stopped_holder
    held="the queue's lock is held by process $survivor (stopped)"
    # timeout(1) is only a safety net: it would end them with 124 or 137.
    run --separate-stderr timeout -k 1 10 shq get -t 1 "$r"
    assert_failure 1
    assert_equal "$stderr" "shq: get $r: $held"
    run --separate-stderr timeout -k 1 10 shq get -n "$r"
    assert_failure 1
    assert_equal "$stderr" "shq: get $r: $held"
    run --separate-stderr timeout -k 1 10 shq put -n "$r" x
    assert_failure 1
    assert_equal "$stderr" "shq: put $r: $held; 0 messages were sent, the rest were not"
    run --separate-stderr timeout -k 1 10 shq put -t 0.5 "$r" x y
    assert_failure 1
    assert_equal "$stderr" "shq: put $r: $held; 0 messages were sent, the rest were not"
    run timeout -k 1 10 shq stat "$r"
    assert_success
    assert_line "lock        locked by $survivor (stopped)"
    run timeout -k 1 10 pipe-cat -t 1 "$r" -
    assert_failure 1
    # The holder goes on once continued; nobody lost anything.
    kill -CONT $survivor
    wait $survivor
    survivor=
    assert_equal "$(shq stat --json "$r" | jq -r '[.depth, .lock] | @tsv')" "$(printf '1000000\tfree')"
}

@test "a get waiting for a lock a stopped holder keeps dies of SIGTERM (143) and SIGINT (130)" {
    ring_with_stopped_holder
    for sig_rc in TERM:143 INT:130; do
        sig=${sig_rc%:*}
        shq get "$r" > /dev/null &
        getter=$!
        wait_until in_futex $getter
        kill -$sig $getter
        wait_until has_ended $getter
        rc=0
        wait $getter || rc=$?
        assert_equal $rc "${sig_rc#*:}"
    done
    kill -CONT $survivor
    wait $survivor
    survivor=
}

@test "pipe-cat writing into a ring whose lock a stopped holder keeps says so once after a second, keeps waiting, and dies of SIGTERM (143)" {
    ring_with_stopped_holder
    # -t bounds idle input, not the wait for the queue: it waits on.
    printf 'x\n' | pipe-cat -t 1 - "$r" 2> "$BATS_TEST_TMPDIR/err" &
    writer=$!
    wait_for "[ -s $BATS_TEST_TMPDIR/err ]"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" \
        "pipe-cat: waiting for $r: its lock is held by process $survivor (stopped)"
    [ -n "$(proc_state $writer)" ]
    kill -TERM $writer
    rc=0
    wait $writer || rc=$?
    assert_equal $rc 143
    assert_equal "$(wc -l < "$BATS_TEST_TMPDIR/err")" 1
    kill -CONT $survivor
    wait $survivor
    survivor=
}
