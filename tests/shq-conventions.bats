#!/usr/bin/env bats
# shq's conventions (issue 12): waits that end when their queue is removed,
# output that cannot be written, sizes with suffixes, "--", group sharing,
# one spelling of a queue's name.

load helper

teardown() {
    [ -z "${WAITER:-}" ] || kill "$WAITER" 2>/dev/null || true
    remove_test_queues
}

# The one child of PID (timeout runs the command as its child).
child_of() { cat "/proc/$1/task/$1/children" 2>/dev/null | tr -d ' '; }

# Runs the command (bounded by timeout 10, stdin from $INPUT) in the
# background, waits until it sleeps in its wait, removes $1 and checks the
# command ended with 3 and the one line $2 on stderr.
check_removed_while_waiting() {
    local q=$1 line=$2 rc=0 kid
    shift 2
    timeout 10 "$@" <"${INPUT:-/dev/null}" 2>"$BATS_TEST_TMPDIR/err" >/dev/null &
    WAITER=$!
    wait_for '[ -n "$(child_of "$WAITER")" ]'
    kid=$(child_of "$WAITER")
    wait_until is_sleeping "$kid"
    shq rm "$q"
    wait "$WAITER" || rc=$?
    WAITER=
    assert_equal "$rc" 3
    assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" "$line"
}

# --- 1. a wait on a queue that is removed ends ------------------------------

@test "removed while waiting: get on an mq queue exits 3 with one line" {
    q=/$(qname q)
    shq create "$q"
    check_removed_while_waiting "$q" "shq: get $q: the queue was removed while waiting" shq get "$q"
}

@test "removed while waiting: get on a ring exits 3 with one line" {
    q=shm:/$(qname q)
    shq create "$q"
    check_removed_while_waiting "$q" "shq: get $q: the queue was removed while waiting" shq get -t 60 "$q"
}

@test "removed while waiting: put to a full mq queue exits 3 and says what was sent" {
    q=/$(qname q)
    shq create -m 1 -s 16 "$q"
    shq put "$q" first
    check_removed_while_waiting "$q" \
        "shq: put $q: the queue was removed while waiting" shq put "$q" second
    shq create -m 1 -s 16 "$q"
    check_removed_while_waiting "$q" \
        "shq: put $q: the queue was removed while waiting; 1 message was sent, the rest were not" \
        shq put "$q" a b
}

@test "removed while waiting: put to a full ring exits 3 with one line" {
    q=shm:/$(qname q)
    shq create -S 64 -s 16 "$q"
    shq put "$q" 0123456789abcdef 0123456789abcdef 0123456789abcdef
    check_removed_while_waiting "$q" "shq: put $q: the queue was removed while waiting" shq put "$q" 0123456789abcdef
}

@test "removed while waiting: join on an mq queue (waiting on its task counts) exits 3" {
    q=/$(qname q)
    shq create "$q"
    shq put "$q" task
    check_removed_while_waiting "$q" "shq: join $q: the queue was removed while waiting" shq join "$q"
}

@test "removed while waiting: join on a ring exits 3" {
    q=shm:/$(qname q)
    shq create "$q"
    shq put "$q" task
    check_removed_while_waiting "$q" "shq: join $q: the queue was removed while waiting" shq join -t 60 "$q"
}

@test "removed while waiting: pipe-cat reading an mq queue or a ring exits 3" {
    for q in "mq:/$(qname a)" "shm:/$(qname b)"; do
        shq create "$q"
        check_removed_while_waiting "$q" "pipe-cat: $q: the queue was removed while waiting" pipe-cat "$q" -
    done
}

@test "removed while waiting: pipe-cat writing a full mq queue or ring exits 3" {
    q=mq:/$(qname a)
    shq create -m 1 -s 16 "$q"
    shq put "$q" x
    echo y > "$BATS_TEST_TMPDIR/in"
    INPUT=$BATS_TEST_TMPDIR/in check_removed_while_waiting "$q" \
        "pipe-cat: $q: the queue was removed while waiting" pipe-cat - "$q"
    q=shm:/$(qname b)
    shq create -S 64 -s 16 "$q"
    shq put "$q" 0123456789abcdef 0123456789abcdef 0123456789abcdef
    echo 0123456789abcdef > "$BATS_TEST_TMPDIR/in"
    INPUT=$BATS_TEST_TMPDIR/in check_removed_while_waiting "$q" \
        "pipe-cat: $q: the queue was removed while waiting" pipe-cat - "$q"
}

# --- 2. output that cannot be written is an error ---------------------------

@test "full device: get says how many messages it took and could not write, exits 4" {
    q=/$(qname q)
    shq create "$q"
    shq put "$q" one two
    run --separate-stderr bash -c "shq get -a $q > /dev/full"
    assert_failure 4
    assert_equal "$stderr" "shq: get $q: write standard output: no space left on device; 2 messages were taken from the queue and not written: lost"
    run shq get -n "$q"
    assert_failure 1
}

@test "full device: stat, ls, --help and --version fail with exit 4 and one line" {
    q=shm:/$(qname q)
    shq create "$q"
    for args in "stat $q" "stat --json $q" "ls" "ls --json" "--help" "--version" "get --help"; do
        run --separate-stderr bash -c "shq $args > /dev/full"
        assert_failure 4
        assert_equal "${#stderr_lines[@]}" 1
        assert_regex "$stderr" '^shq: (stat shm:/[^ ]+: |ls: |get: )?write standard output: no space left on device$'
    done
}

# --- 3. sizes take suffixes --------------------------------------------------

@test "sizes: create -S and -s take K, M and G as pipe-cat -B does" {
    r=shm:/$(qname r)
    shq create -S 1M -s 4K "$r"
    assert_equal "$(shq stat --json "$r" | jq -r '"\(.bytes) \(.msgsize)"')" "1048576 4096"
    q=/$(qname q)
    shq create -s 2k "$q"
    assert_equal "$(shq stat --json "$q" | jq -r .msgsize)" 2048
    run --separate-stderr shq create -S 1Q "shm:/$(qname bad)"
    assert_failure 2
    assert_equal "${stderr_lines[0]}" "shq: create: invalid ring size '1Q': expected a number of bytes such as 4096, 64K, 10M or 1G, from 64 to 1099511627776"
    # -t takes seconds as every other tool's -t and --timeout do (parse_seconds).
    run shq get -t 0.05 "$q"
    assert_failure 1
    run --separate-stderr shq get -t 5x "$q"
    assert_failure 2
    assert_equal "${stderr_lines[0]}" "shq: get: invalid seconds '5x': expected seconds, such as 5 or 0.25"
}

# --- 6. one spelling of a queue's name --------------------------------------

@test "names: ls, stat, stat --json and errors spell a queue the same way" {
    for q in "/$(qname q)" "shm:/$(qname r)"; do
        shq create "$q"
        shq ls | grep -qxF "$q"
        assert_equal "$(shq stat "$q" | head -n 1)" "queue       $q"
        assert_equal "$(shq stat --json "$q" | jq -r .queue)" "$q"
        assert_equal "$(shq ls --json | jq -r "select(.queue == \"$q\") | .queue")" "$q"
        run --separate-stderr shq done "$q"
        assert_failure 4
        assert_equal "$stderr" "shq: done $q: cannot mark 1 done: only 0 unfinished"
    done
    # Every spelling of a message queue is named /NAME.
    q=$(qname q)
    assert_equal "$(shq stat "mq:/$q" | head -n 1)" "queue       /$q"
    run --separate-stderr shq done "mq:/$q"
    assert_equal "$stderr" "shq: done /$q: cannot mark 1 done: only 0 unfinished"
}

# --- 4. "--" ends options ----------------------------------------------------

@test "--: ends options for every verb; put Q -- -n sends -n" {
    q=/$(qname q)
    shq create -- "$q"
    shq put "$q" -- -n
    shq put -- "$q" -- --
    shq put -p 1 -- "$q" x
    run shq get -c 3 -- "$q"
    assert_output "x
-n
--"
    shq put -- "$q" a
    run shq get -a -- "$q"
    assert_output a
    shq put "$q" t
    shq get "$q" > /dev/null
    shq done -c 4 "$q"
    shq done -- "$q"
    timeout 10 shq join -- "$q"
    shq stat -- "$q" > /dev/null
    shq stat --json -- "$q" > /dev/null
    shq ls -- > /dev/null
    run shq recover -- "$q"
    assert_failure 2  # only redis queues recover: the operand was taken as the queue
    assert_output --partial "nothing to recover"
    shq rm -- "$q"
    run shq stat "$q"
    assert_failure 3
}

# --- 5. sharing a queue with a group ----------------------------------------

# A group number no file or user of this machine has: nobody is given it
# by setpriv alone, /etc/group stays as it is.
test_gid() { echo $((50000 + BATS_SUITE_TEST_NUMBER)); }
as_member() {
    setpriv --reuid=65534 --regid=65534 --groups="$(test_gid)" --inh-caps=-all -- "$@"
}

@test "group: create -g GROUP -M 0660 gives the queue and its task counts to GROUP; members put, get, done, join" {
    [ "$(id -u)" = 0 ] || skip "needs root to run as nobody"
    g=$(test_gid)
    q=$(qname q)
    shq create -g "$g" -M 0660 "$q"
    assert_equal "$(stat -c '%g %a' "/dev/mqueue/$q")" "$g 660"
    assert_equal "$(stat -c '%g %a' "/dev/shm/prockit-mq.$q")" "$g 660"
    as_member shq put "$q" job
    run as_member shq get "$q"
    assert_output job
    as_member shq done "$q"
    as_member shq join -t 5 "$q"
    assert_equal "$(shq stat --json "$q" | jq -r '"\(.put) \(.got) \(.done)"')" "1 1 1"
    # Not a member: the queue itself refuses, and says so.
    run --separate-stderr as_nobody shq put "$q" x
    assert_failure 4
    assert_equal "$stderr" "shq: put /$q: permission denied"
}

@test "group: a ring made with -g is shared with the group's members" {
    [ "$(id -u)" = 0 ] || skip "needs root to run as nobody"
    r=shm:/$(qname r)
    shq create -g "$(test_gid)" -M 0660 "$r"
    assert_equal "$(stat -c '%g %a' "/dev/shm/$(qname r)")" "$(test_gid) 660"
    as_member shq put "$r" job
    run as_member shq get "$r"
    assert_output job
    run as_nobody shq get -n "$r"
    assert_failure 4
}

@test "group: task counts a member made are the queue's; counts that refuse a member are named" {
    [ "$(id -u)" = 0 ] || skip "needs root to run as nobody"
    q=$(qname q)
    shq create -g "$(test_gid)" -M 0660 "$q"
    # Made by a member whom /etc/group does not list: the owner uses them.
    rm "/dev/shm/prockit-mq.$q"
    as_member shq put "$q" job
    assert_equal "$(stat -c '%U %g %a' "/dev/shm/prockit-mq.$q")" "nobody $(test_gid) 660"
    assert_equal "$(shq stat --json "$q" | jq -r .put)" 1
    # Counts the member may not open: the error names them, not the queue.
    chgrp 0 "/dev/shm/prockit-mq.$q"
    chown 0 "/dev/shm/prockit-mq.$q"
    run --separate-stderr as_member shq put "$q" x
    assert_failure 4
    assert_equal "$stderr" "shq: put /$q: the task counts /dev/shm/prockit-mq.$q: open: permission denied"
}

@test "group: -g takes a group name or number; an unknown name is a usage error" {
    q=$(qname q)
    shq create -g nogroup -M 0660 "$q"
    assert_equal "$(stat -c '%G' "/dev/mqueue/$q")" nogroup
    run --separate-stderr shq create -g no-such-group-pk "$(qname x)"
    assert_failure 2
    assert_equal "${stderr_lines[0]}" "shq: create: no such group 'no-such-group-pk'"
}

# --- 7. the page ------------------------------------------------------------

@test "shq(1): EXAMPLES take over no queue of a fixed name; FILES, ENVIRONMENT and EXIT STATUS say what changed" {
    page=$BATS_TEST_DIRNAME/../man/shq.1
    examples=$(awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 } on' "$page")
    # Every queue an example makes or removes is named by a variable ($q),
    # never a fixed name such as jobs a reader may already use.
    run bash -c 'grep -E "shq (create|rm) " | grep -vE " \"?\\\$q\"?$"' <<< "$examples"
    assert_output ""
    grep -q '^\.Sh ENVIRONMENT' "$page"
    files=$(awk '/^\.Sh FILES/ { on = 1; next } /^\.Sh / { on = 0 } on' "$page")
    grep -q 'prockit-mq' <<< "$files"
    grep -q '/dev/mqueue' <<< "$files"
    status3=$(awk '/^\.Sh EXIT STATUS/ { on = 1 } /^\.It 4/ { on = 0 } on' "$page")
    grep -q 'removed' <<< "$status3"
}
