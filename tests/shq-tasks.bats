#!/usr/bin/env bats
# shq done and shq join (task counting) on both kinds of queue.

load helper

teardown() { remove_test_queues; }

# Runs a test body once for a message queue and once for a ring.
for_each_kind() {
    local q
    for q in "$(qname mq)" "shm:/$(qname ring)"; do
        shq create "$q"
        "$@" "$q"
    done
}

counts() { shq stat --json "$1" | jq -r '[.put, .got, .done, .unfinished] | @tsv'; }

join_after_workers() {
    local q=$1 out=$BATS_TEST_TMPDIR/done-${1//\//_} w pids=()
    # Three workers each take jobs until none is left, do them, mark them done.
    for w in 1 2 3; do
        ( while job=$(shq get -t 0.5 "$q"); do echo "$job" >> "$out"; shq done "$q"; done ) &
        pids+=($!)
    done
    seq 30 | shq put "$q"
    shq join "$q"
    # join returned: every job was done, so all 30 are written down.
    assert_equal "$(sort -n "$out")" "$(seq 30)"
    assert_equal "$(counts "$q")" "$(printf '30\t30\t30\t0')"
    wait "${pids[@]}"
}

@test "join returns only after N workers each did get, work and done" {
    for_each_kind join_after_workers
}

join_times_out() {
    local q=$1
    shq put "$q" a b
    run shq join -t 0.1 "$q"
    assert_failure 1
    shq get -c 2 "$q" > /dev/null
    shq done "$q"
    run shq join -t 0 "$q"
    assert_failure 1
    shq done "$q"
    run shq join -t 0 "$q"
    assert_success
}

@test "join -t times out with 1 while tasks are unfinished" {
    for_each_kind join_times_out
}

join_woken() {
    local q=$1
    shq put "$q" job
    shq join "$q" &
    pid=$!
    wait_until is_sleeping $pid
    shq get "$q" > /dev/null
    is_sleeping $pid
    shq done "$q"
    wait $pid
}

@test "a waiting join is woken by the last done" {
    for_each_kind join_woken
}

too_many_done() {
    local q=$1
    shq put "$q" a b
    run --separate-stderr shq done -c 3 "$q"
    assert_failure 4
    [ "$stderr" = "shq: done ${q/#pk/\/pk}: cannot mark 3 done: only 2 unfinished" ]
    shq done -c 2 "$q"
    run --separate-stderr shq done "$q"
    assert_failure 4
    [ "$stderr" = "shq: done ${q/#pk/\/pk}: cannot mark 1 done: only 0 unfinished" ]
    assert_equal "$(counts "$q")" "$(printf '2\t0\t2\t0')"
}

@test "marking more done than were put is refused whole with status 4" {
    for_each_kind too_many_done
}

@test "join on an empty new queue returns at once; bad counts are usage errors" {
    for_each_kind shq join
    run --separate-stderr shq done -c 0 "$(qname mq)"
    assert_failure 2
    [ "$stderr" = "shq: done: invalid count '0': expected a whole number from 1 to 18446744073709551615" ]
}

@test "SIGINT to a waiting join ends it with 130" {
    q=$(qname mq)
    shq create "$q"
    shq put "$q" x
    shq join "$q" &
    check_signal_ends INT $! 130
}

@test "the counts of a message queue live in a companion removed with it" {
    q=$(qname mq)
    shq create -M 0640 "$q"
    shq put "$q" x
    assert_file_exists "/dev/shm/prockit-mq.$q"
    # Only who may write the queue may write the counts: readers read them.
    assert_equal "$(stat -c %a "/dev/shm/prockit-mq.$q")" 640
    shq rm "$q"
    assert_file_not_exists "/dev/shm/prockit-mq.$q"
}

@test "workers that each create -x the same queue at once share one set of task counts" {
    q=$(qname mq)
    local w pids=()
    for w in $(seq 8); do
        (shq create -x "$q" && shq put "$q" "job$w") &
        pids+=($!)
    done
    wait "${pids[@]}"
    assert_equal "$(shq stat --json "$q" | jq -r '[.put, .depth] | @tsv')" "$(printf '8\t8')"
}
