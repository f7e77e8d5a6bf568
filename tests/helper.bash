# Shared by every Bats file: the assertion libraries, the tools under test
# on PATH, and IPC names that are unique to one test and removed after it.
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

PATH="${PROCKIT_BIN:?}:$PATH"

# A queue name no other test (or concurrent run) uses: qname jobs -> pk123-7-jobs
qname() { echo "pk${BATS_ROOT_PID}-${BATS_SUITE_TEST_NUMBER}-$1"; }

# Removes every queue this test made. Called from each file's teardown.
remove_test_queues() {
    local prefix="pk${BATS_ROOT_PID}-${BATS_SUITE_TEST_NUMBER}-" q
    for q in $(shq ls); do
        case "$q" in
            */"$prefix"*) shq rm -f "$q" ;;
        esac
    done
}

need_parallel() { command -v parallel >/dev/null || skip "GNU parallel is not installed"; }

# Runs the arguments with GNU parallel, then with pool-run (the test is
# skipped without parallel), and asserts the same standard output and
# status. Their standard errors are left in stderr_gp and stderr_pr; with
# --merged first, standard error is compared too, as one stream with the
# output.
same_as_parallel() {
    local how=--separate-stderr want_out want_status
    if [ "$1" = --merged ]; then
        how=
        shift
    fi
    need_parallel
    run $how parallel --will-cite "$@"
    want_out=$output want_status=$status stderr_gp=${how:+$stderr}
    run $how pool-run "$@"
    stderr_pr=${how:+$stderr}
    assert_equal "$output" "$want_out"
    assert_equal "$status" "$want_status"
}

# Waits (up to ~5 s, polling every 20 ms) until the command succeeds.
wait_until() {
    local i
    for i in $(seq 250); do
        "$@" && return 0
        sleep 0.02
    done
    echo "timed out waiting for: $*" >&2
    return 1
}

# Waits (the same way) until the shell condition, given as one string and
# evaluated afresh each time, is true: wait_for '[ "$(count)" -ge 10 ]'.
wait_for() {
    local i
    for i in $(seq 250); do
        eval "$1" && return 0
        sleep 0.02
    done
    echo "timed out waiting for: $1" >&2
    return 1
}

# The one-letter state of a process from /proc/PID/stat ("" once it is gone).
proc_state() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    echo "${stat%% *}"
}

# True while PID sleeps in the kernel (blocked in a wait).
is_sleeping() { [ "$(proc_state "$1")" = S ]; }

# Runs a command as an unprivileged user when we are root, so that the
# permission checks and the unprivileged kernel limits apply.
as_nobody() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$@"
    else
        "$@"
    fi
}

# --- checks shared by the tests of both kinds of queue ------------------

# A 1,000,000-line stream between a concurrent put and get on queue $1
# arrives complete and in order.
check_million_line_stream() {
    seq 1000000 > "$BATS_TEST_TMPDIR/in"
    shq put "$1" < "$BATS_TEST_TMPDIR/in" &
    local pid=$!
    shq get -c 1000000 "$1" > "$BATS_TEST_TMPDIR/out"
    wait $pid
    cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

# Random binary NUL-terminated records, empty ones included, round-trip
# through queue $1 with -0 byte for byte.
check_binary_round_trip() {
    head -c 300000 /dev/urandom > "$BATS_TEST_TMPDIR/in"
    printf '\0\0' >> "$BATS_TEST_TMPDIR/in"
    local records pid
    records=$(tr -cd '\0' < "$BATS_TEST_TMPDIR/in" | wc -c)
    shq put -0 "$1" < "$BATS_TEST_TMPDIR/in" &
    pid=$!
    shq get -0 -c "$records" "$1" > "$BATS_TEST_TMPDIR/out"
    wait $pid
    cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

# `shq get -a $1` into a reader that closes after 10 bytes, run by bash with
# the given preamble (e.g. "trap '' PIPE"): get ends quietly with 141.
check_get_into_closed_pipe() {
    run bash -c "$2 shq get -a $1 2>'$BATS_TEST_TMPDIR/err' | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}"
    assert_output 141
    assert_file_empty "$BATS_TEST_TMPDIR/err"
}

# Sends signal $1 to PID $2 once it sleeps, and checks it ends with status $3.
check_signal_ends() {
    wait_until is_sleeping "$2"
    kill "-$1" "$2"
    local rc=0
    wait "$2" || rc=$?
    assert_equal "$rc" "$3"
}

# zombie-watch(1) and orphan-demo(1): ENVIRONMENT (TZ) and FILES (/proc,
# and zombie-watch's --prometheus FILE) in mdoc's order, and every EXAMPLES
# block run in a directory holding files of the names the examples once
# wrote, which must be left exactly as they were. $D is the test's scratch.
check_page_files_and_examples() {
    local tool=$1 page files before ex
    page=$BATS_TEST_DIRNAME/../man/$tool.1
    assert_equal "$(grep '^\.Sh' "$page" | grep -E 'ENVIRONMENT|FILES|EXIT STATUS|EXAMPLES' | cut -c5- | tr '\n' '|')" \
        "ENVIRONMENT|FILES|EXIT STATUS|EXAMPLES|"
    sed -n '/^\.Sh ENVIRONMENT/,/^\.Sh /p' "$page" | grep -q '^\.It Ev TZ$'
    files=$(sed -n '/^\.Sh FILES/,/^\.Sh /p' "$page")
    grep -q '^\.It Pa /proc' <<< "$files"
    [ "$tool" != zombie-watch ] || grep -q '^\.It Ar FILE No of Fl -prometheus$' <<< "$files"
    mkdir "$D/examples" "$D/real"
    awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
         on && /^\.Bd -literal/ { block++; lit = 1; next } /^\.Ed/ { lit = 0; next }
         on && lit { print > (dir "/example" block ".sh") }' dir="$D/examples" "$page"
    cd "$D/real"
    for f in demo.out zombies.json reap.out zombies.prom; do echo "keep $f" > "$f"; done
    before=$(find . -exec md5sum {} + 2>/dev/null | sort; find . | sort)
    for ex in "$D"/examples/example*.sh; do
        run bash -e "$ex"
        [ "$status" -eq 0 ] || { cat "$ex"; echo "$output"; false; }
        assert_equal "$(find . -exec md5sum {} + 2>/dev/null | sort; find . | sort)" "$before"
    done
}

# shq get -c 2 blocked on the queue $1 is woken by a put, writes that
# message out, and blocks again before the second put ends it: each message
# is flushed before a wait, not held back until the count is reached.
check_get_woken_by_each_put() {
    local q=$1 out=$BATS_TEST_TMPDIR/out pid
    shq get -c 2 "$q" > "$out" &
    pid=$!
    wait_until is_sleeping $pid
    shq put "$q" first
    wait_until grep -qx first "$out"
    wait_until is_sleeping $pid
    shq put "$q" second
    wait $pid
    assert_equal "$(cat "$out")" "first
second"
}

# True while PID waits in futex(2) (system call 202 on x86-64).
in_futex() { [ "$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null)" = 202 ]; }

# `shq VERB QUEUE` waiting in futex(2) on a queue whose shared memory FILE
# another user (nobody) cuts to 0 bytes: one line naming the queue as
# SHOWN, and exit 4, not SIGBUS.
check_cut_short_while_waiting() {
    local verb=$1 queue=$2 file=$3 shown=$4 pid rc=0
    shq "$verb" "$queue" 2> "$BATS_TEST_TMPDIR/$verb.err" &
    pid=$!
    wait_until in_futex $pid
    as_nobody truncate -s 0 "$file"
    wait $pid || rc=$?
    assert_equal $rc 4
    assert_equal "$(cat "$BATS_TEST_TMPDIR/$verb.err")" \
        "shq: $verb $shown: the queue's shared memory was cut short by another process"
}

# Runs a command, which must fail with STATUS and say exactly STDERR.
assert_fails_with() {
    local want_status=$1 want_stderr=$2
    shift 2
    run --separate-stderr "$@"
    assert_failure "$want_status"
    assert_equal "$stderr" "$want_stderr"
}

# pool-run ARGS... run to its end, whose one job left a background child
# and wrote its pid to BGFILE: pool-run printed EXPECTED and ended without
# waiting for the child, which is still there (not pool-run's to end) and
# is killed here.
check_job_leaves_background_child() {
    local expected=$1 bgfile=$2 pid bg
    shift 2
    pool-run "$@" > "$BATS_TEST_TMPDIR/pool-run.out" &
    pid=$!
    wait_until not_running $pid
    wait $pid
    assert_equal "$(cat "$BATS_TEST_TMPDIR/pool-run.out")" "$expected"
    bg=$(cat "$bgfile")
    [ "$(proc_state "$bg")" = S ]
    kill "$bg"
}

# The pid a background process writes to FILE, once it has.
pid_written_to() {
    wait_until test -s "$1"
    cat "$1"
}

# $D/fifo held open for writing on fd $fifo_fd (declare it local), and
# $D/$zname a symbolic link to cat: a process reading the FIFO through it
# is named $zname, and ends once fifo_fd is closed.
open_fifo_for_named_cat() {
    ln -s /bin/cat "$D/$zname"
    mkfifo "$D/fifo"
    exec {fifo_fd}<> "$D/fifo"  # a writer, so that the reader's open does not block
}

# A 400 KiB tmpfs at $D/small, named in SMALL_FS for the teardown to
# unmount; the test is skipped where it cannot be mounted.
mount_small_tmpfs() {
    [ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
    mkdir "$D/small"
    mount -t tmpfs -o size=400k tmpfs "$D/small" || skip "cannot mount a tmpfs here"
    SMALL_FS=$D/small
}

# Skips a test of memory or process limits when TOOL is built with the
# sanitizers (make sanitize): their runtime reserves terabytes of address
# space, tens of megabytes of shadow memory and a thread, so it cannot
# start under ulimit -v or a tight -u, and an RSS figure measures it rather
# than the tool. Usage: skip_if_sanitized TOOL [WHY]
skip_if_sanitized() {
    if grep -q __asan_init "$(command -v "$1")"; then
        skip "${2:-the sanitizer runtime does not start under this limit}"
    fi
}

# Ends the pool-run whose pid a test wrote to $D/pool.pid and the jobs
# whose pids it wrote to $D/pids, should it have failed with some still
# running (a teardown's).
kill_left_jobs() {
    [ ! -s "$D/pool.pid" ] || kill $(cat "$D/pool.pid") 2>/dev/null || true
    [ ! -s "$D/pids" ] || kill $(cat "$D/pids") 2>/dev/null || true
}

# pool-run ended with status 141 ($status), quietly ($D/err empty), and
# none of the N jobs whose pids are in $D/pids is left.
assert_died_of_reader_gone() {
    assert_equal "$status" 141
    assert_equal "$(cat "$D/err")" ""
    assert_equal "$(wc -l <"$D/pids")" "$1"
    local p
    for p in $(cat "$D/pids"); do
        assert_equal "$(proc_state "$p")" ""
    done
}

# pool-run -j 3 with the options given after $1 on the inputs a b c (lines
# on its stdin), its output into a FIFO whose reader takes one line ($line)
# and goes away. The jobs take their input from $1 ({} or, for --pipe
# --cat or --fifo, $(cat {})): a writes at once; b writes once the reader
# has gone, and pool-run finds it gone (EPIPE) when it writes b's output;
# c runs until it is ended. Each job's pid goes to $D/pids (the job is that
# process: exec). pool-run must then end c, reap every job, leave nothing
# in its TMPDIR ($D/t) but what it named on a line read, and die of
# SIGPIPE (141), saying nothing.
pool_run_reader_gone() {
    local value=$1 pid status=0 p job
    shift
    mkdir -p "$D/t"
    mkfifo "$D/fifo"
    printf 'a\nb\nc\n' >"$D/in"
    job='echo $$ >>'"$D"'/pids; v='"$value"'; case $v in a) echo $v ;; b) while [ ! -e '"$D"'/go ]; do sleep 0.02; done; echo $v ;; *) exec sleep 1000 ;; esac'
    TMPDIR=$D/t pool-run -j 3 "$@" "$job" <"$D/in" >"$D/fifo" 2>"$D/err" &
    pid=$!
    exec 5<"$D/fifo"
    IFS= read -r line <&5
    wait_for "[ \$(wc -l <$D/pids) = 3 ]"
    exec 5<&-
    touch "$D/go"
    wait $pid || status=$?
    assert_died_of_reader_gone 3
    [[ $line == "$D/t/"* ]] || assert_equal "$(ls -A "$D/t")" ""
}
