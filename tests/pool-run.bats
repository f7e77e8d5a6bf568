#!/usr/bin/env bats
# pool-run: inputs, replacement strings, output grouping and order, exit
# statuses, timeouts, retries, halt, joblog/resume, signals, queues.

load helper

setup() { D=$BATS_TEST_TMPDIR; }
teardown() {
    remove_test_queues
    if [ -n "${SMALL_FS:-}" ]; then umount "$SMALL_FS"; fi
}

@test "pool-run: --help, --version; usage errors are 255 with one reason, as GNU parallel" {
    run pool-run --help
    assert_success
    assert_line --index 0 --partial "usage: pool-run [OPTION...] [COMMAND [ARG...]]"
    run pool-run --version
    assert_output --regexp '^pool-run \(prockit\) [0-9]+\.[0-9]+\.[0-9]+$'
    run --separate-stderr pool-run --bogus
    assert_failure 255
    [ "${stderr_lines[0]}" = "pool-run: invalid option --bogus" ]
    run --separate-stderr pool-run --dry-run=3 echo ::: 1
    assert_failure 255
    [ "${stderr_lines[0]}" = "pool-run: option --dry-run takes no value" ]
    run --separate-stderr pool-run -j x echo
    assert_failure 255
    [ "$stderr" = "pool-run: -j x: not a number of jobs, nor a file that holds one (No such file or directory)" ]
    run --separate-stderr pool-run --halt sometimes echo ::: 1
    assert_failure 255
    # (-u with -k runs, as in GNU parallel: -u wins; with --line-buffer it is refused.)
    run --separate-stderr pool-run -u --line-buffer echo ::: 1
    assert_failure 255
}

@test "one job per stdin line, streamed; -0 records; -a FILE" {
    run pool-run -k echo got < <(printf 'a\nb c\n')
    assert_output "got a
got b c"
    run pool-run -k -0 echo < <(printf 'x\ny\0z\0')
    assert_output "x
y
z"
    printf '1\n2\n' > "$D/args"
    run pool-run -k -a "$D/args" echo n
    assert_output "n 1
n 2"
}

@test "the first job starts before the input ends" {
    mkfifo "$D/in"
    pool-run touch < "$D/in" &
    pid=$!
    exec 8>"$D/in"
    echo "$D/first" >&8
    wait_until test -e "$D/first"
    exec 8>&-
    wait $pid
}

@test "::: groups give the cross product, the last varying fastest; {1} {2} pick inputs" {
    same_as_parallel --merged -k echo {1}-{2} ::: a b ::: 1 2
    run pool-run -k echo {1}-{2} ::: a b ::: 1 2
    assert_output "a-1
a-2
b-1
b-2"
}

@test ":::: FILE...: each file's lines are one more group, mixed with ::: as GNU parallel does" {
    printf 'a\nb\n' > "$D/letters"
    printf '1\n2\n' > "$D/digits"
    same_as_parallel --merged -k echo :::: "$D/letters" "$D/digits"
    same_as_parallel --merged -k echo {2}{1} ::: x y :::: "$D/letters"
    run pool-run -k echo :::: "$D/letters" "$D/digits"
    assert_output "a 1
a 2
b 1
b 2"
    run pool-run -k echo ::: x :::: - < "$D/digits"
    assert_output "x 1
x 2"
    run --separate-stderr pool-run echo :::: "$D/missing"
    assert_failure 255
    assert_equal "$stderr" "pool-run: read $D/missing: no such file or directory"
    # :::: with no FILE is an empty group, as ::: with no ARG: no jobs.
    run --separate-stderr pool-run echo ::: a ::::
    assert_success
    assert_output ""
    assert_equal "$stderr" ""
}

@test "replacement strings mean what they mean in GNU parallel, on awkward paths" {
    run pool-run -k echo {/} {//} {.} {/.} ::: "/a b/c.txt" "x/" ".hidden" "a.b."
    assert_output "c.txt /a b /a b/c c
 . x/ 
.hidden .  
a.b. . a.b a.b"
    for r in '{/}' '{//}' '{.}' '{/.}'; do
        same_as_parallel --merged -k echo "$r" ::: "-dash.tar.gz" "a/b/" "dir.d/file" "a.b." "it's \"q\"" "/"
    done
}

@test "{#} and {%}: sequence numbers and slots" {
    run pool-run -k -j 2 echo {#} ::: a b c
    assert_output "1
2
3"
    run pool-run -j 2 echo {%} ::: a b c d
    for line in "${lines[@]}"; do [[ "$line" == 1 || "$line" == 2 ]]; done
}

@test "each input is one argument in the composed line, whatever it holds; -q passes the words as they are" {
    printf '%s\0' "-n" "a  b" "it's" '$(touch pwned)' $'two\nlines' > "$D/in"
    want="[-n]
[a  b]
[it's]
[\$(touch pwned)]
[two
lines]"
    # The words are joined into one shell line, as GNU parallel does: the
    # format's backslash is the shell's to remove, hence \\n.
    run pool-run -k -0 printf '[%s]\\n' < "$D/in"
    assert_output "$want"
    run pool-run -k -0 -q printf '[%s]\n' < "$D/in"
    assert_output "$want"
    assert_file_not_exists pwned
}

@test "one word with shell syntax runs under sh -c with the input quoted" {
    same_as_parallel --merged -k 'echo {} | tr a-z A-Z' ::: "it's" 'a;b' '$(id)'
    run pool-run 'exit {}' ::: 3
    assert_failure 1
    run pool-run --no-shell 'echo {}' ::: x
    assert_failure 1
    assert_output "pool-run: echo x: command not found"
    run pool-run --shell echo ::: "a b"
    assert_output "a b"
}

@test "without COMMAND each input is a command" {
    run pool-run -k < <(printf 'echo one\necho two\n')
    assert_output "one
two"
}

@test "exit status: the number of failed jobs, 101 beyond 100; 127 and 126 for jobs that cannot run" {
    run pool-run 'exit {}' ::: 0 1 2 0 5
    assert_failure 3
    run pool-run -j 8 false ::: $(seq 150)
    assert_failure 101
    run --separate-stderr pool-run no-such-command-x ::: 1
    assert_failure 1
    [ "$stderr" = "pool-run: no-such-command-x: command not found" ]
    printf 'echo hi\n' > "$D/noexec"
    run --separate-stderr pool-run "$D/noexec" ::: 1
    assert_failure 1
    [ "$stderr" = "pool-run: $D/noexec: permission denied" ]
    pool-run --joblog "$D/log" no-such-command-x ::: 1 || true
    assert_equal "$(cut -f7 "$D/log" | tail -n 1)" 127
}

@test "grouped output never interleaves, even with many concurrent writers" {
    run pool-run -j 8 'for i in $(seq 200); do echo {}-$i; done' ::: $(seq 16)
    assert_success
    # Every job's 200 lines stand together, in their order.
    printf '%s\n' "${lines[@]}" | awk -F- 'prev != "" && $1 != prev && seen[$1] { bad = 1 } { seen[$1] = 1; prev = $1 } END { exit bad }'
    assert_equal "${#lines[@]}" 3200
}

@test "-k keeps input order when jobs finish out of order" {
    run pool-run -k -j 4 'sleep 0.{}; echo {}' ::: 4 3 2 1
    assert_output "4
3
2
1"
    run pool-run -j 4 'sleep 0.{}; echo {}' ::: 4 1
    assert_output "1
4"
}

@test "stderr is grouped too, on stderr; --tag prefixes lines with the input" {
    run --separate-stderr pool-run -k --tag 'echo out {}; echo err {} >&2' ::: a b
    assert_output "$(printf 'a\tout a\nb\tout b')"
    [ "$stderr" = "$(printf 'a\terr a\nb\terr b')" ]
}

@test "--line-buffer passes whole lines as they come; -u passes output straight through" {
    out=$D/out
    pool-run --line-buffer 'echo start; sleep 30; : {}' ::: x > "$out" &
    pid=$!
    wait_until grep -qx start "$out"
    kill -TERM $pid
    wait $pid || true
    run pool-run -u echo ::: a
    assert_output a
    run pool-run --line-buffer 'printf "no newline"' ::: x
    assert_output "no newline"
}

@test "a job printing more than memory holds is spilled to disk and written whole" {
    run bash -c "pool-run 'head -c 50000000 /dev/zero; echo end; : {}' ::: x | tail -c 4"
    assert_output "end"
    pool-run 'head -c 3000000 /dev/urandom > {}; cat {}' ::: "$D/rand" > "$D/copy"
    cmp "$D/rand" "$D/copy"
}

@test "--timeout ends a job's whole process group and counts it failed" {
    run pool-run --timeout 0.3 --joblog "$D/log" 'sleep 30 & echo $! > {}.bg; sleep 30' ::: "$D/slow"
    assert_failure 1
    # SIGTERM (15) ended it, and its background child died with the group.
    assert_equal "$(awk -F'\t' 'NR > 1 { print $8 }' "$D/log")" 15
    wait_until test ! -e "/proc/$(cat "$D/slow.bg")"
    run pool-run --timeout 5 'exit 0; : {}' ::: fast
    assert_success
}

@test "--timeout: a job that exits 0 on SIGTERM still failed: logged -1, retried, rerun by --resume-failed" {
    # GNU parallel: exit 1, Exitval -1, Signal 0, "killed because it timed out".
    job='trap "exit 0" TERM; sleep 30 & wait; echo after {}'
    run --separate-stderr pool-run --joblog "$D/log" --timeout 0.3 "$job" ::: a
    assert_failure 1
    assert_equal "${stderr_lines[0]}" "pool-run: job 1 timed out after 0.3 s and was ended: trap \"exit 0\" TERM; sleep 30 & wait; echo after a"
    assert_equal "$(awk -F'\t' 'NR > 1 { print $7, $8 }' "$D/log")" "-1 0"
    # Failed, so --retries runs it again, and --resume-failed reruns it.
    run --separate-stderr pool-run --retries 2 --joblog "$D/log2" --timeout 0.3 "$job" ::: a
    assert_failure 1
    assert_equal "${#stderr_lines[@]}" 2
    run --separate-stderr pool-run --joblog "$D/log" --resume-failed 'echo redo {}' ::: a
    assert_success
    assert_output "redo a"
    # It halts a --halt fail=1 run, with GNU parallel's status for Exitval -1.
    run --separate-stderr pool-run --halt now,fail=1 --timeout 0.3 "$job" ::: a
    assert_failure 255
}

@test "--timeout is checked in whole seconds as GNU parallel: a job gets until the wall clock's second after start + limit" {
    # parallel's is_timedout is `time > start + limit`, time() in whole
    # seconds. Started early in a second, a 1.3 s job under --timeout 1
    # finishes (its end is nearly 2 s away); cut at 1 s it was ended.
    wait_for '[ "$(date +%N)" -lt 150000000 ]'
    run --separate-stderr pool-run --timeout 1 'sleep 1.3; echo done {}' ::: a
    assert_success
    assert_output "done a"
    # A job longer than that is ended all the same.
    run --separate-stderr pool-run --timeout 1 'sleep 30' ::: a
    assert_failure 1
}

@test "--timeout N%: a job over N% of the median runtime of the successful ones is ended" {
    # Three jobs of 0.2 s set the median; at 1000% the fourth may run 2 s,
    # and is ended long before its 30.
    run --separate-stderr pool-run -j 1 -k --timeout 1000% --joblog "$D/log" 'sleep {}; echo slept {}' ::: 0.2 0.2 0.2 30
    assert_failure 1
    assert_output "slept 0.2
slept 0.2
slept 0.2"
    assert_equal "$(awk -F'\t' 'NR > 1 { print $1, $8 }' "$D/log" | sort -n | tail -n 1)" "4 15"
    # Before three jobs have succeeded there is no limit.
    run pool-run -j 1 --timeout 1% 'sleep {}' ::: 0.1 0.1
    assert_success
    run --separate-stderr pool-run --timeout 0% true ::: 1
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: invalid timeout percentage '0': expected a whole number from 1 to 1000000"
}

@test "--bar draws a bar with ETA on a terminal, a count and rate when streaming, nothing otherwise" {
    command -v script > /dev/null || skip "script(1) is not installed"
    run script -qec "pool-run --bar -j 1 true ::: 1 2 3" /dev/null
    assert_success
    assert_output --partial "[####################] 100% 3/3 jobs  ETA 0s"
    run script -qec "seq 4 | pool-run --bar -j 1 true" /dev/null
    assert_success
    assert_output --regexp "4 jobs done  [0-9.]+/s"
    # Not a terminal: no bar, stderr stays clean.
    run --separate-stderr pool-run --bar true ::: 1 2
    assert_success
    assert_equal "$stderr" ""
}

@test "--retries runs a failing job again; only the last attempt's output shows" {
    run pool-run --retries 3 'echo try; test -e {} || { touch {}; exit 1; }' ::: "$D/flag"
    assert_success
    assert_output try
    run pool-run --retries 2 'echo no; : {}; exit 1' ::: x
    assert_failure 1
    assert_output no
}

@test "--halt now,fail=1 stops at the first failure with its status; soon lets jobs end" {
    run --separate-stderr pool-run -j 1 -k --halt now,fail=1 'echo {}; exit {}' ::: 0 3 0 0
    assert_failure 3
    assert_output "0
3"
    # As GNU parallel says it (tests/pool-run-options.bats has the others).
    assert_equal "$stderr" "pool-run: This job failed:
echo 3; exit 3"
    run pool-run -j 1 --halt soon,success=1 'exit {}' ::: 1 0 1 1
    assert_success
    run pool-run -j 1 --halt 2 'exit {}' ::: 0 4 0
    assert_failure 4
}

@test "--joblog in GNU parallel's format; --resume and --resume-failed" {
    pool-run -k --joblog "$D/log" 'exit {}' ::: 0 1 0 || true
    assert_equal "$(head -n 1 "$D/log")" "$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand')"
    assert_equal "$(awk -F'\t' 'NR > 1 { print $1, $2, $5, $7, $8, $9 }' "$D/log" | sort -n)" "1 : 0 0 0 exit 0
2 : 0 1 0 exit 1
3 : 0 0 0 exit 0"
    run pool-run -k --joblog "$D/log" --resume echo ran ::: 0 1 0 9
    assert_output "ran 9"
    run pool-run -k --joblog "$D/log" --resume-failed echo ran ::: 0 1 0 9
    assert_output "ran 1"
}

@test "--joblog: a job killed by a signal has Exitval 0 and its signal, as GNU parallel's (\$? >> 8); --resume-failed runs it again" {
    pool-run -k --joblog "$D/log" 'kill -{} $$' ::: 9 15 || true
    assert_equal "$(awk -F'\t' 'NR > 1 { print $1, $7, $8 }' "$D/log" | sort -n)" "1 0 9
2 0 15"
    run pool-run -k --joblog "$D/log" --resume-failed echo ran ::: 9 15
    assert_output "ran 9
ran 15"
}

@test "--dry-run prints the commands, quoted, and runs nothing" {
    run pool-run --dry-run -k touch "$D/x" ::: "a b" "it's"
    assert_output "touch $D/x 'a b'
touch $D/x 'it'\"'\"'s'"
    assert_file_not_exists "$D/x"
    # Without COMMAND, each input is the command, shown as it is (as GNU parallel).
    run pool-run --dry-run < <(printf 'touch %s\n' "$D/x")
    assert_output "touch $D/x"
    run pool-run --dry-run --shell < <(printf 'touch %s\n' "$D/x")
    assert_output "touch $D/x"
}

@test "SIGTERM and SIGINT: running jobs' groups are ended, nothing is left behind, 128+N" {
    for sig in TERM INT; do
        pool-run -j 2 'sleep 300 & echo $! >> '"$D/pids"'; sleep 300' ::: 1 2 > /dev/null &
        pid=$!
        wait_until bash -c "[ \$(wc -l < '$D/pids' 2>/dev/null || echo 0) -ge 2 ]"
        kids=$(pgrep -P $pid | tr '\n' ' ')
        kill -$sig $pid
        rc=0
        wait $pid || rc=$?
        [ "$sig" = TERM ] && assert_equal $rc 143
        [ "$sig" = INT ] && assert_equal $rc 130
        # Jobs were reaped by pool-run; their background children died with
        # the group and are reaped by init, a moment later.
        for p in $kids $(cat "$D/pids"); do wait_until test ! -e "/proc/$p"; done
        rm "$D/pids"
    done
}

@test "SIGHUP: no new jobs, the running ones finish" {
    pool-run -j 1 'touch {}.started; sleep 2; touch {}' ::: "$D/a" "$D/b" &
    pid=$!
    wait_until test -e "$D/a.started"
    kill -HUP $pid
    wait $pid
    assert_file_exists "$D/a"
    assert_file_not_exists "$D/b.started"
}

@test "--from a queue: several pool-run workers share it; shq join returns when all are done" {
    q=$(qname jobs)
    shq create "$q"
    for w in 1 2 3; do pool-run -j 2 --from "$q" 'echo {} >> '"$D/done" & done
    seq 60 | pipe-cat -E - "mq:/$q"
    pipe-cat -E /dev/null "mq:/$q"
    pipe-cat -E /dev/null "mq:/$q"
    shq join "$q"
    wait
    assert_equal "$(sort -n "$D/done")" "$(seq 60)"
    assert_equal "$(shq stat --json "$q" | jq -r '[.put, .done, .unfinished] | @tsv')" "$(printf '60\t60\t0')"
}

@test "--from with --idle stops after that long without a message" {
    q=shm:/$(qname ring)
    shq create "$q"
    shq put "$q" a
    run pool-run --from "$q" --idle 0.2 echo
    assert_success
    assert_output a
}

@test "--from a queue removed while it waits (shq rm) ends with 255 and one line, as shq get ends with 3" {
    for q in "mq:/$(qname mq)" "shm:/$(qname ring)"; do
        shq create "$q"
        pool-run --from "$q" echo > "$D/out" 2> "$D/err" &
        pid=$!
        # Waiting, idle, with the queue open (its shared memory mapped: the
        # ring, or the message queue's task counts).
        wait_for 'grep -q "${q#*:/}" "/proc/$pid/maps"'
        shq rm "$q"
        wait_for 'not_running "$pid"' || kill "$pid"
        status=0
        wait "$pid" || status=$?
        assert_equal "$status" 255
        assert_equal "$(cat "$D/err")" "pool-run: --from $q: the queue was removed while waiting"
    done
}

# --- limits, bad input, and what a job leaves behind (issue 11) ---------

# Runs a command as a user id of its own, one no other process has, so that
# its `ulimit -u` counts only what the command starts.
as_lone_user() {
    setpriv --reuid="$LONE_UID" --regid="$LONE_UID" --clear-groups --inh-caps=-all -- "$@"
}
lone_user() {
    [ "$(id -u)" = 0 ] || skip "needs root to run as a user of its own"
    LONE_UID=$((50000 + BATS_ROOT_PID % 10000))
}

# True once process $1 is no longer running (gone, or a zombie not yet reaped).
not_running() { local s; s=$(proc_state "$1"); [ -z "$s" ] || [ "$s" = Z ]; }

@test "a {N} too large for any input is a usage error, not a crash" {
    run --separate-stderr pool-run echo {99999999999999999999} ::: a
    assert_failure 255
    assert_equal "$stderr" "pool-run: invalid replacement string '{99999999999999999999}': no input has that number"
    # One that fits in 64 bits but names no input is empty, as in GNU parallel.
    run pool-run echo x{18446744073709551615}y ::: a
    assert_success
    assert_output "xy"
}

@test "{0} is all the inputs, as {} (GNU parallel's meaning); {00} is empty" {
    same_as_parallel --merged -k echo X{0}Y X{00}Y X{1}Y ::: a b ::: x
    same_as_parallel --merged -k 'echo {0}' ::: "it's"
    run pool-run echo {0} ::: a
    assert_output a
}

@test "--resume with a malformed joblog says which line is bad, runs nothing and leaves the log alone" {
    printf 'Seq\tHost\nabc\t:\t0\t0\t0\t0\t0\t0\tc\n' > "$D/jl"
    cp "$D/jl" "$D/before"
    run --separate-stderr pool-run --joblog "$D/jl" --resume touch "$D/ran" ::: a
    assert_failure 255
    assert_equal "$stderr" "pool-run: --resume $D/jl: line 2: Seq 'abc' is not a job number from 1 to 2^64-1"
    printf 'Seq\tHost\n1\t:\t0\t0\t0\t0\t0\t0\tok\n99999999999999999999999\t:\t0\t0\t0\t0\t0\t0\tc\n' > "$D/jl"
    run --separate-stderr pool-run --joblog "$D/jl" --resume-failed touch "$D/ran" ::: a
    assert_failure 255
    assert_equal "$stderr" "pool-run: --resume-failed $D/jl: line 3: Seq '99999999999999999999999' is not a job number from 1 to 2^64-1"
    printf 'Seq\tHost\n1\t:\t0\t0\t0\t0\tx\t0\tok\n' > "$D/jl"
    run --separate-stderr pool-run --joblog "$D/jl" --resume touch "$D/ran" ::: a
    assert_failure 255
    assert_equal "$stderr" "pool-run: --resume $D/jl: line 2: Exitval 'x' is not an exit status"
    # A control byte in the field is shown escaped, once.
    printf 'Seq\tHost\na\033b\t:\t0\t0\t0\t0\t0\t0\tc\n' > "$D/jl"
    run --separate-stderr pool-run --joblog "$D/jl" --resume touch "$D/ran" ::: a
    assert_failure 255
    assert_equal "$stderr" "pool-run: --resume $D/jl: line 2: Seq 'a\\x1bb' is not a job number from 1 to 2^64-1"
    printf 'not a joblog\n' > "$D/jl"
    run --separate-stderr pool-run --joblog "$D/jl" --resume touch "$D/ran" ::: a
    assert_failure 255
    assert_equal "$stderr" "pool-run: --resume $D/jl: line 1: not a joblog: the header does not start with Seq and a tab"
    assert_file_not_exists "$D/ran"
    assert_equal "$(cat "$D/jl")" "not a joblog"
}

@test "input sources whose cross product overflows, or a directory, are errors, not 0 jobs" {
    run --separate-stderr pool-run echo $(for i in $(seq 63); do echo ::: a b; done)
    assert_failure 255
    assert_equal "$stderr" "pool-run: the input sources make more than 9223372036854775807 jobs (63 sources)"
    run --separate-stderr pool-run echo $(for i in $(seq 64); do echo ::: a b; done)
    assert_failure 255
    run --separate-stderr pool-run echo :::: "$D"
    assert_failure 255
    assert_equal "$stderr" "pool-run: read $D: is a directory"
    run --separate-stderr pool-run -a "$D" echo
    assert_failure 255
    assert_equal "$stderr" "pool-run: read $D: is a directory"
    # An empty group still makes no jobs, however large the others.
    : > "$D/empty"
    run pool-run echo $(for i in $(seq 64); do echo ::: a b; done) :::: "$D/empty"
    assert_success
    assert_output ""
}

@test "--idle without --from is a usage error; a missing --from queue is named" {
    run --separate-stderr pool-run --idle 1 echo ::: a
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: --idle needs --from QUEUE"
    q=$(qname missing)
    run --separate-stderr pool-run --from "$q" echo
    assert_failure 255
    assert_equal "$stderr" "pool-run: --from mq:/$q: queue does not exist"
}

@test "jobs do not get PROCKIT_REDIS_PASSWORD; the rest of the environment they do" {
    PROCKIT_REDIS_PASSWORD=s3cret KEEP=kept run pool-run -k 'printenv PROCKIT_REDIS_PASSWORD || echo unset; echo $KEEP; : {}' ::: a
    assert_success
    assert_output "unset
kept"
    PROCKIT_REDIS_PASSWORD=s3cret run pool-run env ::: -0
    refute_output --partial s3cret
}

@test "a job is finished when its process exits, not when a background child closes its output" {
    # The background child is not pool-run's to end: it is still there.
    check_job_leaves_background_child x "$D/bg" 'sleep 300 & echo $! > {}; echo x' ::: "$D/bg"
    # In a session of its own, with --timeout, the same.
    check_job_leaves_background_child y "$D/bg2" --timeout 100 'setsid sleep 300 & echo $! > {}; echo y' ::: "$D/bg2"
}

@test "--line-buffer passes a line longer than memory holds in bounded memory, byte for byte" {
    [ -x /usr/bin/time ] || skip "GNU time is not installed"
    skip_if_sanitized pool-run "the sanitizer runtime's shadow memory is in the RSS measured"
    head -c 50000000 /dev/zero | tr '\0' a > "$D/long"
    /usr/bin/time -f %M -o "$D/rss" pool-run --line-buffer cat ::: "$D/long" > "$D/out"
    cmp "$D/long" "$D/out"
    # Peak RSS in KiB: the line itself is 48,828 KiB.
    [ "$(tail -n 1 "$D/rss")" -lt 20000 ]
    # --tag: the tag once, at the start of the line, however it was cut.
    pool-run --line-buffer --tag 'cat {}; echo; echo next' ::: "$D/long" > "$D/out"
    cmp <(printf '%s\t' "$D/long"; cat "$D/long"; echo; printf '%s\tnext\n' "$D/long") "$D/out"
}

@test "under ulimit -n, -j is cut to what the descriptors allow, said once, and every job runs" {
    run --separate-stderr bash -c 'ulimit -n 32; pool-run -j 20 -k "sleep 0.2; echo {}" ::: $(seq 20)'
    assert_success
    assert_output "$(seq 20)"
    assert_equal "${#stderr_lines[@]}" 1
    assert_regex "${stderr_lines[0]}" '^pool-run: -j 20: only enough file descriptors for [0-9]+ jobs? at a time \(ulimit -n 32\)$'
}

@test "under ulimit -n, -j leaves room for the files of output beyond memory: every job's output arrives" {
    # Each job's stdout and stderr outgrow memory and wait in files: two
    # more descriptors a job, which the cut of -j must count.
    for n in 28 32 40; do
        run --separate-stderr bash -c "set -o pipefail; ulimit -n $n"'; pool-run -j 20 "head -c 600000 /dev/zero; head -c 600000 /dev/zero >&2; sleep 0.2; : {}" ::: $(seq 12) | wc -c'
        assert_success
        assert_output 7200000
    done
}

@test "under ulimit -n, -j counts the descriptors a job holds: its output pipes, their files, its --pipe input" {
    # -u --pipe: one a job (its input's write end), so its cut is the room
    # left; the others hold what pool-run(1) says.
    room() { bash -c "ulimit -n 64; exec pool-run -j 1000 $1" 2>&1 >/dev/null </dev/null |
        sed -n 's/^pool-run: -j 1000: only enough file descriptors for \([0-9]*\) jobs at a time (ulimit -n 64)$/\1/p'; }
    all=$(room "-u --pipe cat")
    [ "$all" -gt 20 ]
    while read -r per opts; do
        assert_equal "$per $opts: $(room "$opts")" "$per $opts: $((all / per))"
    done <<'TABLE'
4 true ::: 1
4 -k true ::: 1
2 --line-buffer true ::: 1
4 -k --line-buffer true ::: 1
4 --line-buffer --files true ::: 1
5 --pipe cat
4 --pipe --cat cat
5 --pipe --fifo cat
3 --pipe --line-buffer cat
TABLE
}

@test "under ulimit -n, -u jobs hold no descriptor of pool-run's: -j is not cut, and they run all at once" {
    # Each job waits (up to 10 s) until all 60 have started.
    mkdir "$D/m"
    cat > "$D/job" <<'SH'
: > "$1/$2"
started() { set -- "$1"/*; echo $#; }
i=0
while [ "$(started "$1")" -lt 60 ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
[ "$(started "$1")" = 60 ] && echo "$2"
SH
    run --separate-stderr bash -c "ulimit -n 32; exec pool-run -u -j 60 sh '$D/job' '$D/m' {} ::: \$(seq 60)"
    assert_success
    assert_equal "$stderr" ""
    assert_equal "$(sort -n <<<"$output")" "$(seq 60)"
}

@test "under ulimit -n too low for pool-run's own descriptors (its loop's, its signals'), one line and 255" {
    # Only 0, 1 and 2 open: at 4 the dynamic loader has one to open with.
    for n in $(seq 4 12); do
        run --separate-stderr bash -c 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
            ulimit -n '"$n"'; exec pool-run echo {} ::: 1'
        assert_equal "$n: $status" "$n: 255"
        assert_output ""
        assert_regex "$stderr" "^pool-run: not enough file descriptors to run a job \(ulimit -n $n, [0-9]+ open\)$"
    done
}
@test "an error of pool-run's own while jobs run ends them as SIGTERM does, then exits 255" {
    # The third job's output needs a file in TMPDIR, which is missing.
    : > "$D/pids"
    TMPDIR=$D/missing pool-run -j 3 'if [ {} = big ]; then
            while [ "$(wc -l < '"$D/pids"')" -lt 2 ]; do sleep 0.02; done
            head -c 300000 /dev/zero
        else sleep 300 & echo $! >> '"$D/pids"'; wait; fi' ::: a b big > "$D/out" 2> "$D/err" &
    pid=$!
    wait_until not_running $pid
    rc=0
    wait $pid || rc=$?
    pids=$(cat "$D/pids")
    for p in $pids; do wait_until not_running "$p" || { kill $pids; false; }; done
    assert_equal "$rc" 255
    assert_equal "$(cat "$D/err")" "pool-run: make a temporary file in $D/missing: no such file or directory"
    assert_file_empty "$D/out"
}

@test "a spill that hits ENOSPC ends the running jobs, then one line and 255" {
    mount_small_tmpfs
    : > "$D/pids"
    run --separate-stderr env TMPDIR="$D/small" pool-run -j 3 'if [ {} = big ]; then
            while [ "$(wc -l < '"$D/pids"')" -lt 2 ]; do sleep 0.02; done
            head -c 2000000 /dev/zero
        else sleep 300 & echo $! >> '"$D/pids"'; wait; fi' ::: a b big
    pids=$(cat "$D/pids")
    for p in $pids; do wait_until not_running "$p" || { kill $pids; false; }; done
    assert_failure 255
    assert_equal "$stderr" "pool-run: write a temporary file in $D/small: no space left on device"
    assert_output ""
}

@test "on an error of its own, pool-run writes no job's output cut off by the jobs' end (no spill room, no file)" {
    # Jobs a and b have written a first line when the third job's output
    # finds no room to wait in; ended then, their output is not whole and
    # must not be written (it would run into the next job's).
    mount_small_tmpfs
    for tmp in "$D/small" "$D/missing"; do
        : > "$D/pids"
        run --separate-stderr env TMPDIR="$tmp" pool-run -j 3 'if [ {} = big ]; then
                while [ "$(wc -l < '"$D/pids"')" -lt 2 ]; do sleep 0.02; done
                echo start big; head -c 2000000 /dev/zero; echo; echo end big
            else echo start {}; sleep 300 & echo $! >> '"$D/pids"'; wait; echo end {}; fi' ::: a b big
        pids=$(cat "$D/pids")
        for p in $pids; do wait_until not_running "$p" || { kill $pids; false; }; done
        assert_failure 255
        assert_equal "${#stderr_lines[@]}" 1
        assert_output ""
    done
}

@test "under ulimit -u, -j is cut to the processes left, and all jobs run (as GNU parallel)" {
    lone_user
    run --separate-stderr as_lone_user bash -c 'ulimit -u 25; exec pool-run -j 50 "sleep 0.2; echo {}" ::: $(seq 50)'
    assert_success
    assert_equal "$(sort -n <<< "$output")" "$(seq 50)"
    assert_equal "${#stderr_lines[@]}" 1
    assert_regex "${stderr_lines[0]}" '^pool-run: -j 50: only enough processes for [0-9]+ jobs at a time \(ulimit -u 25, 1 in use\)$'
}

@test "a job the kernel refuses a process waits for a running one to end, and the slots stay fewer" {
    lone_user
    # The first job takes the last processes ulimit -u leaves (sh and two
    # sleeps, with pool-run four); the second line comes only then.
    run --separate-stderr bash -c '
        { echo hold; for i in $(seq 250); do [ "$(pgrep -c -U '"$LONE_UID"')" -ge 4 ] && break; sleep 0.02; done; echo two; } |
        setpriv --reuid='"$LONE_UID"' --regid='"$LONE_UID"' --clear-groups --inh-caps=-all -- bash -c "ulimit -u 4; exec pool-run -j 3 -k -q sh -c '\''if [ \$0 = hold ]; then sleep 1 & sleep 1 & wait; fi; echo \$0'\''"'
    assert_success
    assert_output "hold
two"
    assert_equal "$stderr" "pool-run: -j 3: the system refused a new process (resource temporarily unavailable): running at most 1 job at a time"
}

@test "with no job running and the kernel still refusing a process, one line and 255" {
    lone_user
    skip_if_sanitized pool-run
    run --separate-stderr as_lone_user bash -c 'ulimit -u 1; exec pool-run /bin/true ::: 1'
    assert_failure 255
    assert_equal "$stderr" "pool-run: not enough processes to run a job (ulimit -u 1, 1 in use, a job needs 1)"
}

@test "under ulimit -u, fewer processes left than a shell job needs is one line and 255, not jobs failing to fork" {
    lone_user
    skip_if_sanitized pool-run
    # pool-run is the one process in use; a job under /bin/sh needs two
    # (the shell, and the sleep it forks): with one left, GNU parallel's
    # jobs fail with "Cannot fork".
    run --separate-stderr as_lone_user bash -c 'ulimit -u 2; exec pool-run -j 20 "sleep 0.2; echo {}" ::: 1 2 3 4 5'
    assert_failure 255
    assert_equal "$stderr" "pool-run: not enough processes to run a job (ulimit -u 2, 1 in use, a job needs 2)"
    assert_output ""
    run --separate-stderr as_lone_user bash -c 'ulimit -u 3; exec pool-run -j 20 -k "sleep 0.2; echo {}" ::: 1 2'
    assert_success
    assert_output "1
2"
}

@test "running out of memory is one line and 255, after the running jobs are ended" {
    skip_if_sanitized pool-run
    run --separate-stderr bash -c '{ echo "'"$D/pid"'"; head -c 200000000 /dev/zero; } |
        (ulimit -v 150000; exec pool-run -j 2 -q sh -c '\''echo $$ > "$0"; exec sleep 300'\'')'
    assert_failure 255
    assert_equal "$stderr" "pool-run: out of memory"
    [ ! -e "$D/pid" ] || wait_until not_running "$(cat "$D/pid")"
}

# --- issue 12 ------------------------------------------------------------

@test "--joblog: a newline of the command is written NUL and read back by --retry-failed as a newline; JobRuntime in 10 columns, as GNU parallel" {
    run pool-run --joblog "$D/log" $'echo {}\nexit 1' ::: a
    assert_failure 1
    assert_equal "$(tail -n 1 "$D/log" | cut -f 9 | tr '\0' '|')" "echo a|exit 1"
    [[ "$(tail -n 1 "$D/log" | cut -f 4)" =~ ^\ {5}[0-9]\.[0-9]{3}$ ]]
    run pool-run --joblog "$D/log" --retry-failed
    assert_failure 1
    assert_output "a"
}

@test "--joblog: the jobs the run itself ends (--halt now, a stop signal) are not logged, as GNU parallel's killall; --timeout's are" {
    run --separate-stderr pool-run --joblog "$D/log" --halt now,fail=1 'sleep {}; exit 1' ::: 0.2 30
    assert_failure 1
    assert_equal "$(awk -F'\t' 'NR > 1 { print $1, $7, $8, $9 }' "$D/log")" "1 1 0 sleep 0.2; exit 1"
    # So --resume runs it again.
    run --separate-stderr pool-run --joblog "$D/log" --resume 'echo {}' ::: 0.2 30
    assert_output "30"
}

@test "--resume-failed after the inputs changed says so in one line, and goes by job number as GNU parallel" {
    for tool in pool-run parallel; do
        command -v $tool > /dev/null || skip "GNU parallel is not installed"
        mkdir "$D/$tool"
        cd "$D/$tool"
        touch a.log b.log
        $tool --joblog L gzip ::: *.log
        touch c.log d.log  # the glob now matches other files
        run --separate-stderr $tool --joblog L --resume-failed gzip ::: *.log
        assert_success
        ls > "$D/$tool.ls"
        [ $tool = parallel ] || assert_equal "$stderr" "pool-run: --resume-failed L: the log's jobs no longer match the inputs (job 1 is now 'gzip c.log'); they are matched by number, as in GNU parallel"
    done
    # Jobs 1 and 2 succeeded before: neither tool runs them again.
    assert_equal "$(cat "$D/pool-run.ls")" "$(printf 'L\na.log.gz\nb.log.gz\nc.log\nd.log')"
    cmp "$D/pool-run.ls" "$D/parallel.ls"
    # The same inputs again: nothing said, the failed job runs again.
    cd "$D"
    pool-run -k --joblog L2 'exit {}' ::: 0 1 || true
    run --separate-stderr pool-run -k --joblog L2 --resume-failed 'exit {}' ::: 0 1
    assert_failure 1
    assert_equal "$stderr" ""
}

@test "--retry-failed reruns the joblog's failed commands, ignoring COMMAND and inputs, as GNU parallel" {
    run pool-run -k --joblog "$D/log" 'echo {}; exit {}' ::: 0 1 2 0
    assert_failure 2
    cp "$D/log" "$D/parallel.log"
    run pool-run -k --joblog "$D/log" --retry-failed this part is ignored ::: x y
    assert_failure 2
    assert_output "1
2"
    # Logged again under their Seqs, so that the last line of a Seq decides
    # (in the order the jobs ended, as GNU parallel: sorted here).
    assert_equal "$(awk -F'\t' 'NR > 5 { print $1, $7, $9 }' "$D/log" | sort -n)" "2 1 echo 1; exit 1
3 2 echo 2; exit 2"
    if command -v parallel > /dev/null; then
        want=$output
        run parallel --will-cite -k --joblog "$D/parallel.log" --retry-failed this part is ignored ::: x y
        assert_failure 2
        assert_equal "$output" "$want"
        cmp <(cut -f 1,7,9 "$D/log" | sort) <(cut -f 1,7,9 "$D/parallel.log" | sort)
    fi
    # Once a job has succeeded (its last line says so), it is not retried again.
    sed -i 's/exit 1$/exit 0/' "$D/log"
    run pool-run -k --joblog "$D/log" --retry-failed
    assert_failure 1
    assert_output "1
2"
    run pool-run -k --joblog "$D/log" --retry-failed
    assert_failure 1
    assert_output "2"
    run --separate-stderr pool-run --retry-failed echo ::: a
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: --retry-failed needs --joblog FILE"
    run --separate-stderr pool-run --joblog "$D/log" --resume --retry-failed
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: --resume, --resume-failed and --retry-failed exclude each other"
    run --separate-stderr pool-run --joblog "$D/log" --retry-failed --from q
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: --retry-failed takes its jobs from the joblog: it excludes --from"
    # No log is no failed job to retry: said, not a silent success.
    run --separate-stderr pool-run --joblog "$D/none" --retry-failed
    assert_failure 255
    assert_equal "$stderr" "pool-run: --retry-failed $D/none: no such file or directory"
    printf 'Seq\tHost\nx\n' > "$D/bad"
    run --separate-stderr pool-run --joblog "$D/bad" --retry-failed
    assert_failure 255
    assert_equal "$stderr" "pool-run: --retry-failed $D/bad: line 2: expected 9 tab-separated fields, found 1"
}

@test "output that cannot be written (/dev/full) is one line and 255: jobs, --dry-run, --help, --version" {
    [ -w /dev/full ] || skip "no /dev/full"
    for args in "echo ::: a" "-k --tag echo ::: a b" "--dry-run echo ::: a" "--help" "--version"; do
        run --separate-stderr bash -c "pool-run $args > /dev/full"
        assert_failure 255
        assert_equal "$stderr" "pool-run: write standard output: no space left on device"
    done
}

@test "-a - reads standard input, as GNU parallel's 'cat f | parallel -a - -a g echo'" {
    printf 'x\ny\n' > "$D/g"
    run bash -c "printf '1\n2\n' | pool-run -k -a - -a '$D/g' echo"
    assert_success
    assert_output "1 x
1 y
2 x
2 y"
    if command -v parallel > /dev/null; then
        want=$output
        run bash -c "printf '1\n2\n' | parallel --will-cite -k -a - -a '$D/g' echo"
        assert_equal "$output" "$want"
    fi
    # One -a -: streamed, and the jobs read /dev/null, not the input.
    run bash -c "printf 'a\nb\nc\n' | pool-run -j 1 -k -a - 'cat; echo {}'"
    assert_success
    assert_output "a
b
c"
    run bash -c "printf 'p\n' | pool-run -k echo ::: x :::: -"
    assert_output "x p"
    run --separate-stderr pool-run -a - echo :::: - < /dev/null
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: standard input ('-') can be read only once"
}

@test "an empty ::: group runs nothing and exits 0, without reading standard input" {
    for groups in ":::" "::: a :::" "::: ::: a" "::::" "::: a ::::"; do
        run --separate-stderr bash -c "echo input | pool-run echo $groups"
        assert_success
        assert_output ""
        assert_equal "$stderr" ""
    done
    run pool-run --dry-run echo ::: a ::: b ::: < /dev/null
    assert_success
    assert_output ""
}

@test "--tag with several inputs joins them with spaces, then a tab, as GNU parallel" {
    run pool-run -k --tag echo ::: a ::: b c
    assert_output "$(printf 'a b\ta b\na c\ta c')"
    same_as_parallel --merged -k --tag echo ::: a 'b c' ::: 1 2
}

@test "--bar=always draws the bar when stderr is not a terminal (GNU parallel's --bar always does)" {
    run --separate-stderr pool-run --bar=always -j 1 true ::: 1 2 3
    assert_success
    assert_output ""
    [[ "$stderr" == *"[####################] 100% 3/3 jobs  ETA 0s"* ]]
    # Drawn over itself with \r, and ended with a newline (which run strips).
    [ "${stderr: -3}" = $'\033[K' ]
    run --separate-stderr pool-run --bar=auto true ::: 1
    assert_equal "$stderr" ""
    run --separate-stderr pool-run --bar=sometimes true ::: 1
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: invalid --bar=sometimes: expected --bar or --bar=always"
}

# The lines of a terminal typescript as they show on the screen: \n ends a
# line, \r moves back to its start, \033[K clears from there to the end.
screen_lines() {
    awk '{
        line = ""; at = 0
        for (i = 1; i <= length($0); i++) {
            c = substr($0, i, 1)
            if (c == "\r") { at = 0 }
            else if (c == "\033" && substr($0, i, 3) == "\033[K") { line = substr(line, 1, at); i += 2 }
            else { line = substr(line, 1, at) c substr(line, at + 2); at++ }
        }
        print line
    }'
}

@test "--bar: a job's stderr line clears the bar, which is drawn again below it, never on the same line" {
    command -v script > /dev/null || skip "script(1) is not installed"
    run script -qec "pool-run --bar -j 1 -k 'echo err-{} >&2; printf no-newline-{} >&2' ::: 1 2 3" /dev/null
    assert_success
    screen=$(printf '%s' "$output" | screen_lines)
    # Every job's line is a line of its own; the bar ends on the last line.
    run grep -c -x -E 'err-[123]' <<< "$screen"
    assert_output 3
    run grep -c -x -E 'no-newline-[123]' <<< "$screen"
    assert_output 3
    assert_equal "$(tail -n 1 <<< "$screen" | tr -d '\r')" "[####################] 100% 3/3 jobs  ETA 0s"
}

# The literal blocks of pool-run(1)'s EXAMPLES, one file each in $D/examples.
extract_examples() {
    mkdir -p "$D/examples"
    awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
         on && /^\.Bd -literal/ { block++; lit = 1; next } /^\.Ed/ { lit = 0; next }
         on && lit { print > (dir "/example" block ".sh") }' \
        dir="$D/examples" "$BATS_TEST_DIRNAME/../man/pool-run.1"
}

@test "pool-run(1): every EXAMPLES block leaves the directory it is pasted into as it was" {
    extract_examples
    mkdir "$D/real" "$D/tmp"
    cd "$D/real"
    # What a real directory may hold, by the names the examples use.
    for f in a.txt 1.txt b.gz 1.txt.gz jobs.log letters progress.log; do echo "keep $f" > "$f"; done
    before=$(find . -exec md5sum {} + 2>/dev/null | sort; find . | sort)
    prefix=$(qname "")
    for ex in "$D"/examples/example*.sh; do
        sed -i -E "s/ jobs( |$)/ ${prefix}jobs\1/g; s#mq:/jobs#mq:/${prefix}jobs#g; s/--from jobs/--from ${prefix}jobs/g" "$ex"
        run env TMPDIR="$D/tmp" bash -e "$ex"
        [ "$status" -eq 0 ] || { cat "$ex"; echo "$output"; false; }
        cd "$D/real"
        assert_equal "$(find . -exec md5sum {} + 2>/dev/null | sort; find . | sort)" "$before"
    done
}

@test "pool-run(1) renders without slips, and documents every variable pool-run reads and the files it makes" {
    page=$BATS_TEST_DIRNAME/../man/pool-run.1
    # No space before a comma or semicolon, no "( ".
    run bash -c "mandoc -Tutf8 '$page' | col -b | grep -nE '[^ ] [;,]|\\( '"
    assert_failure 1
    assert_output ""
    # mdoc's order, as the other pages: ... ENVIRONMENT, FILES, EXIT STATUS, EXAMPLES.
    assert_equal "$(grep '^\.Sh' "$page" | grep -E 'ENVIRONMENT|FILES|EXIT STATUS|EXAMPLES' | cut -c5- | tr '\n' '|')" \
        "ENVIRONMENT|FILES|EXIT STATUS|EXAMPLES|"
    env_section=$(sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh /p' "$page")
    for var in TMPDIR $(strings "$PROCKIT_BIN/pool-run" | grep -oE 'PROCKIT_[A-Z_]+' | sort -u); do
        grep -q "^\.It Ev $var\$" <<< "$env_section" || { echo "ENVIRONMENT lacks $var"; false; }
    done
    files_section=$(sed -n '/^\.Sh FILES/,/^\.Sh /p' "$page")
    grep -q -- '-joblog' <<< "$files_section"
    grep -q 'pool-run.XXXXXX' <<< "$files_section"
}

@test "a parent that ignored SIGCHLD does not hide the jobs' statuses (the kernel reaped them: ECHILD, 255)" {
    run --separate-stderr perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV or die' pool-run -k -q sh -c 'echo {}; exit {}' ::: 0 3
    assert_failure 1
    assert_output "0
3"
    assert_equal "$stderr" ""
}
