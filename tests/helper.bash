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
