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
teardown() {
    touch "$D/go"
    kill_left_jobs
}

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

# --- a reader of pool-run's output that goes away (EPIPE) ------------------

@test "a reader gone (EPIPE): the running jobs are ended and reaped first, then pool-run dies of SIGPIPE (141), quietly" {
    pool_run_reader_gone {}
    assert_equal "$line" a
}

@test "a reader gone, with -k: the same" {
    pool_run_reader_gone {} -k
    assert_equal "$line" a
}

@test "a reader gone, with --tag: the same" {
    pool_run_reader_gone {} --tag
    assert_equal "$line" "$(printf 'a\ta')"
}

@test "a reader gone, with --line-buffer: the same" {
    pool_run_reader_gone {} --line-buffer
    assert_equal "$line" a
}

@test "a reader gone, with --files: the file whose name was read stays, no other parXXXXX.par is left" {
    pool_run_reader_gone {} --files
    assert_equal "$(ls -A "$D/t")" "${line##*/}"
    assert_equal "$(cat "$line")" a
}

@test "a reader gone, with --tmpl --cleanup: the files of the jobs it ended are removed too" {
    echo '<{}>' >"$D/my.tmpl"
    pool_run_reader_gone {} --cleanup --tmpl "$D/my.tmpl=$D/t/f.{#}"
    assert_equal "$line" a
}

@test "a reader gone, with -u: found by -v's line of the next job, which is ended with the others" {
    local pid status=0 line p job
    mkfifo "$D/fifo"
    job='echo $$ >>'"$D"'/pids; case {} in a) while [ ! -e '"$D"'/go ]; do sleep 0.02; done ;; *) exec sleep 1000 ;; esac'
    pool-run -j 2 -u -v "$job" ::: a b c >"$D/fifo" 2>"$D/err" &
    pid=$!
    exec 5<"$D/fifo"
    IFS= read -r line <&5
    [[ $line == *"case a in"* ]]
    wait_for "[ \$(wc -l <$D/pids) = 2 ]"
    exec 5<&-
    touch "$D/go"  # a ends; c starts, and its command finds no reader
    wait $pid || status=$?
    assert_equal "$status" 141
    assert_equal "$(cat "$D/err")" ""
    for p in $(cat "$D/pids"); do
        assert_equal "$(proc_state "$p")" ""
    done
}

@test "a reader gone, with -u: seen when it goes (POLLERR), though pool-run itself writes nothing" {
    local pid status=0 line p job
    mkfifo "$D/fifo"
    job='echo $$ >>'"$D"'/pids; echo {}; exec sleep 1000'
    pool-run -j 2 -u "$job" ::: a b c >"$D/fifo" 2>"$D/err" &
    pid=$!
    echo $pid >"$D/pool.pid"
    exec 5<"$D/fifo"
    wait_for "[ \$(wc -l <$D/pids) = 2 ]"
    IFS= read -r line <&5
    exec 5<&-
    ended() { case $(proc_state "$1") in "" | Z) return 0 ;; esac; return 1; }
    wait_until ended $pid  # bounded: before, it waited for its jobs
    wait $pid || status=$?
    assert_died_of_reader_gone 2
}

@test "a reader gone, pool-run running as another user than the pipe's (setpriv): seen when it goes, not at a next write" {
    [ "$(id -u)" = 0 ] || skip "runs pool-run as nobody"
    local pid status=0 line jobs
    mkfifo "$D/fifo"  # root's, 0644: nobody may not open it anew through /proc/self/fd
    setpriv --reuid=65534 --regid=65534 --clear-groups -- pool-run -j 2 -u 'echo {}; exec sleep 1000' ::: a b >"$D/fifo" 2>"$D/err" &
    pid=$!
    echo $pid >"$D/pool.pid"
    exec 5<"$D/fifo"
    wait_for "[ \$(pgrep -c -P $pid) = 2 ]"
    jobs=$(pgrep -P $pid)
    IFS= read -r line <&5
    exec 5<&-
    ended() { case $(proc_state "$1") in "" | Z) return 0 ;; esac; return 1; }
    wait_until ended $pid  # bounded: before, it waited for a write that never came
    wait $pid || status=$?
    assert_equal "$status" 141
    assert_equal "$(cat "$D/err")" ""
    for p in $jobs; do
        assert_equal "$(proc_state "$p")" ""
    done
}

@test "a reader gone while --dry-run prints: it stops there and dies of SIGPIPE" {
    run bash -c 'pool-run --dry-run echo ::: $(seq 100000) | head -1; echo "${PIPESTATUS[*]}"'
    assert_output "$(printf 'echo 1\n141 0')"
}

@test "a reader gone before --joblog -'s header: SIGPIPE, quietly, no job run" {
    local status=0
    mkfifo "$D/fifo"
    exec 5<>"$D/fifo" 6>"$D/fifo" 5<&-  # 6: a pipe whose reader has gone
    pool-run --joblog - "touch $D/ran" ::: a >&6 2>"$D/err" || status=$?
    exec 6>&-
    assert_equal "$status" 141
    assert_equal "$(cat "$D/err")" ""
    assert_file_not_exists "$D/ran"
}

@test "jobs start with SIGPIPE's default action, though pool-run ignores it while the pool runs" {
    printf '%s\n' 'yes | head -c 1 >/dev/null; echo "${PIPESTATUS[0]}"' >"$D/job.sh"
    run pool-run bash "$D/job.sh" ::: x
    assert_success
    assert_output 141
}
