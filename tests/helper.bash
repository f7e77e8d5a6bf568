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
