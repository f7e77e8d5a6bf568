#!/usr/bin/env bats
# pool-run and the signals GNU parallel gives a meaning to while it runs:
# SIGHUP (no new jobs, the running ones finish and their output is
# written), SIGUSR1 (list the running jobs), as parallel(1) says in LIST
# RUNNING JOBS and COMPLETE RUNNING JOBS BUT DO NOT START NEW JOBS.

load helper

setup() {
    D=$BATS_TEST_TMPDIR
    # Jobs that say they started, then wait until $D/go exists.
    held='touch {}.started; while [ ! -e '"$D"'/go ]; do sleep 0.02; done; echo out-{}'
}
# Held jobs end even when a test failed (or pool-run died and left them).
teardown() { touch "$D/go"; }

@test "SIGHUP: the running jobs finish and their output is written; no new job starts; said as parallel says it" {
    cd "$D"
    pool-run -j 2 "$held" ::: a b c >out 2>err &
    pid=$!
    wait_until test -e a.started
    wait_until test -e b.started
    kill -HUP $pid
    wait_for "grep -q 'SIGHUP received' err"
    touch go
    wait $pid
    assert_equal "$(sort out)" "$(printf 'out-a\nout-b')"
    assert_file_not_exists c.started
    assert_equal "$(sed -n 1p err)" "pool-run: SIGHUP received. No new jobs will be started."
    assert_equal "$(sed -n 2p err)" "pool-run: Waiting for these 2 jobs to finish. Send SIGTERM to stop now."
    assert_equal "$(sed -n '3,4p' err | sort)" "$(printf "pool-run: touch a.started; while [ ! -e %s/go ]; do sleep 0.02; done; echo out-a\npool-run: touch b.started; while [ ! -e %s/go ]; do sleep 0.02; done; echo out-b" "$D" "$D")"
}

@test "SIGUSR1 lists the running jobs on stderr, one line each, and the run goes on" {
    cd "$D"
    pool-run -j 2 "$held" ::: a b c >out 2>err &
    pid=$!
    wait_until test -e a.started
    wait_until test -e b.started
    kill -USR1 $pid
    wait_for "[ \$(grep -c ' echo out-' err) = 2 ]"
    grep -q 'echo out-a$' err
    grep -q 'echo out-b$' err
    kill -USR1 $pid  # a second request is answered too, and ends nothing
    wait_for "[ \$(grep -c ' echo out-' err) = 4 ]"
    touch go
    wait $pid
    assert_equal "$(sort out)" "$(printf 'out-a\nout-b\nout-c')"
}

@test "SIGUSR1 while pool-run waits to write a job's output to a full pipe: still only a request" {
    cd "$D"
    mkfifo slow
    # Nothing reads the pipe until told: pool-run blocks writing the first
    # job's 1 MiB, with the stop signals let in (lib/signals.h).
    pool-run -j 1 'head -c 1048576 /dev/zero; echo' ::: a b 2>err >slow &
    pid=$!
    exec 5<slow
    wait_until grep -q pipe_write /proc/$pid/wchan
    kill -USR1 $pid
    # Not ended by it: still waiting on the pipe.
    wait_until grep -q pipe_write /proc/$pid/wchan
    [ "$(wc -c < <(cat <&5))" = $((2 * 1048578)) ]  # each job: the zeros, then its input and a newline
    exec 5<&-
    wait $pid
}

@test "SIGUSR2 turns --progress on (its header first) and off again, as parallel's; the run goes on" {
    cd "$D"
    pool-run -j 2 "$held" ::: a b >out 2>err &
    pid=$!
    wait_until test -e a.started
    kill -USR2 $pid
    wait_for "grep -q '^Computers / CPU cores / Max jobs to run$' err"
    wait_for "grep -q 'local:2/0/100%' err"
    kill -USR2 $pid
    # Taken (no longer pending, in the thread's or the process's set) before the jobs end.
    usr2_taken() {
        local mask
        for mask in $(sed -n 's/^\(SigPnd\|ShdPnd\):\s*//p' "/proc/$pid/status"); do
            (( (16#$mask & 2048) == 0 )) || return 1
        done
    }
    wait_until usr2_taken
    touch go
    wait $pid
    assert_equal "$(sort out)" "$(printf 'out-a\nout-b')"
    # Off again: the jobs done are not drawn.
    run grep -c 'local:0/2' err
    assert_output 0
}
