#!/usr/bin/env bats
# pool-run --semaphore (GNU parallel's sem): a counting semaphore named by
# --id whose slots are flock(2)ed files in /dev/shm/prockit-sem.ID, so that
# a holder killed by SIGKILL frees its slot once no process is left with
# the slot's descriptor: its waiter reaps it at once, a child it forked
# keeps the slot until it ends (lib/semaphore.h).

load helper

setup() {
    D=$BATS_TEST_TMPDIR
    id=$(qname sem)
    # A command that says it started (its pid in $D/NAME.pid), then waits for $D/go.
    cat >"$D/held" <<'EOF'
#!/bin/sh
echo $$ >"$1.pid.tmp" && mv "$1.pid.tmp" "$1.pid"
while [ ! -e "${1%/*}/go" ]; do sleep 0.02; done
echo "done $1"
EOF
    chmod 755 "$D/held"
}

# pool-run --semaphore in the background mode: its command outlives it, so
# neither may keep a pipe of the test's (run's output, bats' fd 3) open.
start() { pool-run --semaphore "$@" >>"$D/bg.out" 2>&1 3>&-; }

# True while PID waits in ppoll(2): a waiter for a slot, or --fg for its command.
in_ppoll() { [ "$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null)" = 271 ]; }

teardown() {
    touch "$D/go"
    # Every semaphore of this test's names, those a failed test left too.
    rm -rf "/dev/shm/prockit-sem.$(qname '')"*
}

# The pids of the live processes named $1 whose command line holds $2
# (a zombie or an exiting one, which has closed its files, is not live).
live() {
    local p comm stat rest
    for p in /proc/[0-9]*; do
        read -r comm 2>/dev/null <"$p/comm" || continue
        [ "$comm" = "$1" ] || continue
        grep -qaF -- "$2" "$p/cmdline" 2>/dev/null || continue
        read -r stat 2>/dev/null <"$p/stat" || continue
        rest=${stat##*) }
        set -- "$1" "$2" $rest
        # state (Z: zombie, X: dead) and flags, whose 0x4 is PF_EXITING
        case "$3" in Z | X) continue ;; esac
        (( $9 & 4 )) && continue
        echo "${p#/proc/}"
    done
}

@test "a command runs in the background: the caller returns 0 at once, the command holds the slot until it ends" {
    start --id "$id" "$D/held" "$D/a"
    a=$(pid_written_to "$D/a.pid")
    assert_equal "$(cat "$D/bg.out")" ""
    run pool-run --semaphore --id "$id" --status
    assert_success
    assert_output --regexp "^$id	0	$a	[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}	$D/held $D/a\$"
    touch "$D/go"
    run pool-run --semaphore --id "$id" --wait
    assert_success
    run pool-run --semaphore --id "$id" --status
    assert_output ""
    [ -z "$(live held "$D/a")" ]
}

@test "-j 1 is a mutex: the second caller waits until the first command ends, then runs" {
    start --id "$id" "$D/held" "$D/a"
    a=$(pid_written_to "$D/a.pid")
    pool-run --semaphore --id "$id" --fg echo second >"$D/out" 3>&- &
    second=$!
    wait_until in_ppoll $second
    assert_file_not_exists "$D/b.pid"
    [ ! -s "$D/out" ]
    kill -0 $second
    touch "$D/go"
    wait $second
    assert_equal "$(cat "$D/out")" second
}

@test "-j 2: two commands hold the semaphore at once, a third waits" {
    start --id "$id" -j 2 "$D/held" "$D/a"
    start --id "$id" -j 2 "$D/held" "$D/b"
    pid_written_to "$D/a.pid" >/dev/null
    pid_written_to "$D/b.pid" >/dev/null
    pool-run --semaphore --id "$id" -j 2 "$D/held" "$D/c" >>"$D/bg.out" 2>&1 3>&- &
    third=$!
    wait_until in_ppoll $third
    assert_file_not_exists "$D/c.pid"
    assert_equal "$(pool-run --semaphore --id "$id" --status | cut -f2 | tr '\n' ' ')" "0 1 "
    touch "$D/go"
    wait $third
    pool-run --semaphore --id "$id" --wait
    [ -z "$(live held "$D/")" ]
}

@test "--fg: the command's exit status, 128+N for signal N, 127 and one line when it is not found" {
    run pool-run --semaphore --id "$id" --fg 'echo out; echo err >&2; exit 7'
    assert_equal "$status" 7
    assert_output "$(printf 'out\nerr')"
    run pool-run --semaphore --id "$id" --fg 'kill -9 $$'
    assert_equal "$status" 137
    run -127 pool-run --semaphore --id "$id" --fg no-such-command-here
    assert_equal "$status" 127
    assert_output "pool-run: no-such-command-here: command not found"
    run -127 start --id "$id" no-such-command-here
    assert_equal "$status" 127
    assert_equal "$(cat "$D/bg.out")" "pool-run: no-such-command-here: command not found"
}

@test "the command line is composed as a job's: ';' between words is the shell's; stdin is the caller's" {
    run pool-run --semaphore --id "$id" --fg echo a ";" echo b
    assert_success
    assert_output "$(printf 'a\nb')"
    run pool-run --semaphore --id "$id" --fg tr a-z A-Z <<<"from stdin"
    assert_output "FROM STDIN"
}

@test "run as sem, pool-run is in semaphore mode" {
    ln -s "$(command -v pool-run)" "$D/sem"
    run "$D/sem" --id "$id" --fg echo as sem
    assert_success
    assert_output "as sem"
}

@test "run as sem, its messages say sem; ::: is refused in one clear line, 255" {
    ln -s "$(command -v pool-run)" "$D/sem"
    run "$D/sem" --id "$id" --fg echo ::: a
    assert_equal "$status" 255
    assert_line --index 0 "sem: --semaphore runs one command and reads no input: ::: has no meaning"
    run pool-run --semaphore --id "$id" --fg ::: a
    assert_equal "$status" 255
    assert_line --index 0 "pool-run: --semaphore runs one command and reads no input: ::: has no meaning"
}

@test "--semaphore-timeout: negative gives up (1, one line), positive runs anyway in a slot beyond -j" {
    start --id "$id" "$D/held" "$D/a"
    pid_written_to "$D/a.pid" >/dev/null
    run pool-run --semaphore --id "$id" --st -0.2 --fg echo never
    assert_equal "$status" 1
    assert_output "pool-run: semaphore $id: timed out: exiting"
    start --id "$id" --semaphoretimeout 0.2 "$D/held" "$D/b"
    assert_equal "$(cat "$D/bg.out")" "pool-run: semaphore $id: timed out: running anyway"
    pid_written_to "$D/b.pid" >/dev/null
    assert_equal "$(pool-run --semaphore --id "$id" --status | cut -f2 | tr '\n' ' ')" "0 1 "
    touch "$D/go"
    pool-run --semaphore --id "$id" --wait
}

@test "--wait returns once every command under the id has ended, and at once for an unknown id" {
    start --id "$id" -j 3 "$D/held" "$D/a"
    start --id "$id" -j 3 "$D/held" "$D/b"
    pid_written_to "$D/a.pid" >/dev/null
    pid_written_to "$D/b.pid" >/dev/null
    pool-run --semaphore --id "$id" --wait >>"$D/fg.out" 2>&1 3>&- &
    waiter=$!
    wait_until in_ppoll $waiter
    kill -0 $waiter
    touch "$D/go"
    wait $waiter
    [ -z "$(live held "$D/")" ]
    run pool-run --semaphore --id "$(qname none)" --wait
    assert_success
    assert_file_not_exists "/dev/shm/prockit-sem.$(qname none)"
}

# The lock is the slot file's, not its taker's: --wait and --status see it when the
# pool-run that took it has exited, also where that pid is not visible (a pid namespace,
# in which /proc/locks hides such locks).
@test "--wait and --status see holders whose pool-run has exited, also from another pid namespace" {
    start --id "$id" -j 2 "$D/held" "$D/a"
    a=$(pid_written_to "$D/a.pid")
    run unshare -p -f --mount-proc pool-run --semaphore --id "$id" --status
    assert_output --regexp "^$id	0	$a	"
    unshare -p -f --mount-proc pool-run --semaphore --id "$id" --wait >>"$D/fg.out" 2>&1 3>&- &
    waiter=$!
    # eval: the waiter is looked for again at each poll, not once before it
    wait_until eval 'test -n "$(live pool-run --wait)"'
    wait_until in_ppoll "$(live pool-run "--wait")"
    kill -0 $waiter
    touch "$D/go"
    wait $waiter
    [ -z "$(live held "$D/a")" ]
}

@test "a holder killed by SIGKILL frees its slot at once; a killed --fg pool-run leaves its command holding it" {
    pool-run --semaphore --id "$id" --fg "$D/held" "$D/a" >>"$D/fg.out" 2>&1 3>&- &
    fg=$!
    a=$(pid_written_to "$D/a.pid")
    kill -9 $fg
    wait $fg || true
    # The command still runs and holds the slot: the count never exceeds -j.
    run pool-run --semaphore --id "$id" --st -0.3 --fg echo never
    assert_equal "$status" 1
    kill -9 "$a"
    run pool-run --semaphore --id "$id" --fg echo next
    assert_success
    assert_output next
}

@test "SIGTERM to a --fg pool-run ends its command and pool-run dies of it; a waiter dies of it holding nothing" {
    pool-run --semaphore --id "$id" --fg "$D/held" "$D/a" >>"$D/fg.out" 2>&1 3>&- &
    fg=$!
    a=$(pid_written_to "$D/a.pid")
    pool-run --semaphore --id "$id" --fg echo never >>"$D/fg.out" 2>&1 3>&- &
    waiter=$!
    wait_until in_ppoll $waiter
    kill -TERM $waiter
    st=0 && wait $waiter || st=$?
    assert_equal "$st" 143
    kill -TERM $fg
    st=0 && wait $fg || st=$?
    assert_equal "$st" 143
    wait_until test -z "$(live held "$D/a")"
    run pool-run --semaphore --id "$id" --st -5 --fg echo free
    assert_output free
}

# The parent of pid $1 (a background command's waiter).
parent_of() {
    local stat
    read -r stat <"/proc/$1/stat"
    set -- ${stat##*) }
    echo "$2"
}

# Whether pid $1 holds a descriptor of a slot file of the semaphore.
holds_slot() { ls -l "/proc/$1/fd" | grep -qF "/dev/shm/prockit-sem.$id/slot."; }

# $D/closing ARGS: closes every descriptor but 0-2, as a daemon, closefrom(3) or
# python's close_fds do, the slot's among them, then runs ARGS.
closing() {
    cat >"$D/closing" <<'EOF'
#!/usr/bin/perl
use POSIX ();
POSIX::close($_) for 3 .. 1023;
exec @ARGV or die "exec: $!";
EOF
    chmod 755 "$D/closing"
}

@test "a command that closes the slot's descriptor it inherited still holds the slot until it ends, --bg and --fg" {
    closing
    start --id "$id" "$D/closing" "$D/held" "$D/a"
    a=$(pid_written_to "$D/a.pid")
    ! holds_slot "$a"
    run pool-run --semaphore --id "$id" --st -0.3 --fg echo never
    assert_equal "$status" 1
    assert_output "pool-run: semaphore $id: timed out: exiting"
    assert_equal "$(pool-run --semaphore --id "$id" --status | cut -f2,3)" "0	$a"
    touch "$D/go"
    pool-run --semaphore --id "$id" --wait
    [ -z "$(live pool-run "$D/a")" ]
    rm "$D/go"
    pool-run --semaphore --id "$id" --fg "$D/closing" "$D/held" "$D/b" >>"$D/fg.out" 2>&1 3>&- &
    fg=$!
    b=$(pid_written_to "$D/b.pid")
    ! holds_slot "$b"
    run pool-run --semaphore --id "$id" --st -0.3 --fg echo never
    assert_equal "$status" 1
    touch "$D/go"
    wait $fg
    run pool-run --semaphore --id "$id" --st -5 --fg echo next
    assert_success
    assert_output next
}

@test "--bg: a waiter keeps the slot with its command; SIGKILL of the waiter leaves the command holding it, SIGKILL of the command frees it" {
    start --id "$id" "$D/held" "$D/a"
    a=$(pid_written_to "$D/a.pid")
    w=$(parent_of "$a")
    assert_equal "$(cat "/proc/$w/comm")" pool-run
    holds_slot "$w"
    # The waiter keeps nothing of the caller's open (no output, no input): the slot alone,
    # once it has closed the rest (just after it told pool-run the command started).
    wait_until eval '[ "$(ls "/proc/$w/fd" | wc -l)" = 1 ]'
    kill -9 "$w"
    run pool-run --semaphore --id "$id" --st -0.3 --fg echo never
    assert_equal "$status" 1
    kill -9 "$a"
    run pool-run --semaphore --id "$id" --st -5 --fg echo next
    assert_output next
    # A command killed while its waiter lives: freed once the waiter has reaped it, which then ends.
    start --id "$id" "$D/held" "$D/b"
    b=$(pid_written_to "$D/b.pid")
    kill -9 "$b"
    run pool-run --semaphore --id "$id" --st -5 --fg echo next
    assert_output next
    wait_until test -z "$(live pool-run "$D/b")"
}

@test "--bg: a command that closed its slot's descriptor holds no slot once its waiter is killed by SIGKILL (pool-run(1))" {
    closing
    start --id "$id" "$D/closing" "$D/held" "$D/a"
    a=$(pid_written_to "$D/a.pid")
    kill -9 "$(parent_of "$a")"
    run pool-run --semaphore --id "$id" --st -5 --fg echo in
    assert_success
    assert_output in
}

# The proof of the design: holders and waiters killed at random instants, many
# rounds; each command, as it starts, counts the live commands under the id.
@test "SIGKILL at random instants: never more than -j commands under the id, no slot lost" {
    cat >"$D/count" <<'EOF'
#!/bin/bash
# Counts the live commands under this id (the test's live()), then works a little.
# A child of one (bash forked to run grep or sleep, not yet exec'd) has its name
# and command line: not a command.
n=0
for p in /proc/[0-9]*; do
    read -r comm 2>/dev/null <"$p/comm" || continue
    [ "$comm" = count ] || continue
    grep -qaF -- "$1" "$p/cmdline" 2>/dev/null || continue
    read -r stat 2>/dev/null <"$p/stat" || continue
    set -- "$1" ${stat##*) }
    case "$2" in Z | X) continue ;; esac
    (( $8 & 4 )) && continue
    read -r comm 2>/dev/null <"/proc/$3/comm" && [ "$comm" = count ] && continue
    n=$((n + 1))
done
[ "$n" -le 2 ] || echo "$n at once" >>"${1%/*}/over"
echo started >>"${1%/*}/ran"
sleep 0.0$((RANDOM % 3))
EOF
    chmod 755 "$D/count"
    for round in $(seq 25); do
        waiters=()
        for k in 1 2 3 4; do
            start --id "$id" -j 2 "$D/count" "$D/tag" &
            waiters+=($!)
        done
        # A random victim: one of the waiting or exited pool-runs, or a running command.
        sleep 0.00$((RANDOM % 10))
        victims=("${waiters[@]}" $(live count "$D/tag"))
        kill -9 "${victims[RANDOM % ${#victims[@]}]}" 2>/dev/null || true
        sleep 0.00$((RANDOM % 10))
        for v in $(live count "$D/tag"); do
            ((RANDOM % 2)) && kill -9 "$v" 2>/dev/null || true
        done
        for w in "${waiters[@]}"; do wait "$w" || true; done
    done
    # No slot lost: both are free within a bounded wait, for two callers at once.
    timeout 20 pool-run --semaphore --id "$id" --wait
    timeout 20 pool-run --semaphore --id "$id" -j 2 --st -10 --fg "$D/held" "$D/a" >>"$D/fg.out" 2>&1 3>&- &
    timeout 20 pool-run --semaphore --id "$id" -j 2 --st -10 --fg "$D/held" "$D/b" >>"$D/fg.out" 2>&1 3>&- &
    pid_written_to "$D/a.pid" >/dev/null
    pid_written_to "$D/b.pid" >/dev/null
    touch "$D/go"
    wait
    assert_file_not_exists "$D/over"
    [ "$(wc -l <"$D/ran")" -ge 25 ]
    [ -z "$(live count "$D/tag")" ]
}

@test "as nobody: a 0600 semaphore of root's is refused (255, one line); a --semaphore-mode 0666 one is shared" {
    pool-run --semaphore --id "$id" --fg true
    run as_nobody pool-run --semaphore --id "$id" --fg echo in
    assert_equal "$status" 255
    assert_output "pool-run: semaphore $id: belongs to uid 0 and its mode 0700 does not let others in"
    shared=$(qname shared)
    start --id "$shared" --semaphore-mode 0666 "$D/held" "$D/a"
    pid_written_to "$D/a.pid" >/dev/null
    run as_nobody pool-run --semaphore --id "$shared" --st -0.2 --fg echo in
    assert_equal "$status" 1
    run as_nobody pool-run --semaphore --id "$shared" -j 2 --fg echo in
    assert_success
    assert_output in
    assert_equal "$(stat -c %a "/dev/shm/prockit-sem.$shared")" 1777
    touch "$D/go"
    as_nobody pool-run --semaphore --id "$shared" --wait
    rm -rf "/dev/shm/prockit-sem.$shared"
}

@test "root is refused nobody's 0600 semaphore, and a symbolic link planted at the name" {
    as_nobody pool-run --semaphore --id "$id" --fg true
    run pool-run --semaphore --id "$id" --fg echo in
    assert_equal "$status" 255
    assert_output "pool-run: semaphore $id: belongs to uid 65534 and its mode 0700 does not let others in"
    link=$(qname link)
    as_nobody ln -s /tmp "/dev/shm/prockit-sem.$link"
    run pool-run --semaphore --id "$link" --fg echo in
    assert_equal "$status" 255
    assert_output "pool-run: semaphore $link: /dev/shm/prockit-sem.$link is not a directory: not a semaphore"
    rm -f "/dev/shm/prockit-sem.$link"
}

@test "a waiter past the user's inotify instances polls instead of failing, and gets in" {
    [ "$(id -u)" = 0 ] || skip "needs a user of its own (nobody) whose inotify instances it may use up"
    pool-run --semaphore --semaphore-mode 0666 --id "$id" "$D/held" "$D/a" >>"$D/bg.out" 2>&1 3>&-
    pid_written_to "$D/a.pid" >/dev/null
    # nobody's every inotify instance taken (fs.inotify.max_user_instances), then the waiter
    as_nobody perl -e 'require "syscall.ph"; 1 while syscall(&SYS_inotify_init1, 0) >= 0; exec @ARGV or die' \
        pool-run --semaphore --fg --id "$id" echo got in >"$D/w.out" 2>&1 3>&- &
    local waiter=$!
    # Not the holder's own waiter, a pool-run of the id too: the other one.
    local holder_waiter
    holder_waiter=$(parent_of "$(cat "$D/a.pid")")
    wait_until eval 'test -n "$(live pool-run "$id" | grep -vx "$holder_waiter")"'
    touch "$D/go"
    local status=0
    wait "$waiter" || status=$?
    assert_equal "$status" 0
    assert_equal "$(cat "$D/w.out")" "got in"
}

@test "a group- or other-writable semaphore directory without the sticky bit is refused: anyone could delete a held slot" {
    for mode in 0777 0770 0702; do
        mkdir "/dev/shm/prockit-sem.$id"
        chmod "$mode" "/dev/shm/prockit-sem.$id"
        run as_nobody pool-run --semaphore --id "$id" --fg echo in
        assert_equal "$status" 255
        assert_output "pool-run: semaphore $id: /dev/shm/prockit-sem.$id has mode $mode: writable by others without the sticky bit, not a semaphore"
        run pool-run --semaphore --id "$id" --fg echo in
        assert_equal "$status" 255
        rmdir "/dev/shm/prockit-sem.$id"
    done
    mkdir "/dev/shm/prockit-sem.$id"
    chmod 1777 "/dev/shm/prockit-sem.$id"
    run as_nobody pool-run --semaphore --id "$id" --fg echo in
    assert_success
    assert_output in
}

@test "-j 0 (250 slots, as pool-run's -j 0) makes one slot file for one command, not 250" {
    run pool-run --semaphore -j 0 --id "$id" --fg echo in
    assert_success
    assert_output in
    assert_equal "$(ls "/dev/shm/prockit-sem.$id")" slot.0
}

@test "pool options a semaphore's one command would ignore are refused, one line, 255: --timeout, --joblog, --tag, --results" {
    refused() {
        run pool-run --semaphore --id "$id" "$@" --fg echo in
        assert_equal "$status" 255
        assert_line --index 0 "pool-run: --semaphore: $1 is not supported in semaphore mode"
    }
    refused --timeout 1
    refused --joblog "$D/log"
    run pool-run --semaphore --id "$id" --tag --fg echo in
    assert_equal "$status" 255
    assert_line --index 0 "pool-run: --semaphore: --tag/--tagstring is not supported in semaphore mode"
    refused --results "$D/res"
}

@test "--status escapes what a holder wrote; an id with other bytes is written %XX in the name" {
    odd="$(qname 'a b/c')"
    start --id "$odd" "$D/held" "$D/a"$'\t'x
    pid_written_to "$D/a.pid" >/dev/null
    assert_equal "$(pool-run --semaphore --id "$odd" --status | cut -f1,2,5)" "$odd	0	$D/held $D/a\tx"
    assert_equal "$(pool-run --semaphore --status | grep -c "^$odd	")" 1
    dir=/dev/shm/prockit-sem.$(qname 'a%20b%2Fc')
    [ -d "$dir" ]
    touch "$D/go"
    pool-run --semaphore --id "$odd" --wait
    rm -r "$dir"
}

@test "misuse: --semaphore with no command, a bad --semaphore-mode, an empty --id" {
    run pool-run --semaphore --id "$id"
    assert_equal "$status" 255
    assert_line --index 0 "pool-run: --semaphore needs a COMMAND"
    run pool-run --semaphore --semaphore-mode 4755 --id "$id" true
    assert_equal "$status" 255
    # Read without write (or nothing for the user) has no meaning for a lock taken for writing.
    for mode in 0644 0640 0604 0444 0000 0060; do
        run --separate-stderr pool-run --semaphore --semaphore-mode "$mode" --id "$id" true
        assert_equal "$status" 255
        assert_equal "$stderr" "pool-run: invalid --semaphore-mode '$mode': each of user, group and others reads and writes the slots or has no access (0600, 0660, 0666), and the user has it"
        [ ! -e "/dev/shm/prockit-sem.$id" ]
    done
    run pool-run --semaphore --id "" true
    assert_equal "$status" 255
    assert_line --index 0 "pool-run: --id: empty semaphore name"
}

@test "--wait and --status exclude each other: one line, 255, in either order" {
    run --separate-stderr pool-run --semaphore --id "$id" --wait --status
    assert_equal "$status" 255
    assert_output ""
    assert_equal "$stderr" "pool-run: --wait and --status exclude each other"
    run --separate-stderr pool-run --status --wait --id "$id"
    assert_equal "$status" 255
    assert_equal "$stderr" "pool-run: --wait and --status exclude each other"
}

@test "--help's semaphore usage and paragraph name --bg and the name sem" {
    run pool-run --help
    assert_success
    assert_line "       pool-run --semaphore [--id NAME] [-j N] [--bg | --fg] [--st SECONDS]"
    assert_line "  --semaphore           as GNU sem (also implied when run as sem, by a link"
    assert_line "                        in the background (--bg); --fg: wait, its status;"
}
