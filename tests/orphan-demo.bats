#!/usr/bin/env bats
# orphan-demo: orphans adopted, zombies made and reaped, every way of
# reaping; each claim checked in /proc by the demo and again here.

load helper

setup() { D=$BATS_TEST_TMPDIR; }

teardown() {
    [ -z "${demo:-}" ] || { kill "$demo" 2>/dev/null; wait "$demo" 2>/dev/null; } || true
}

# True if every event named $1 (and at least one) in the JSON lines on
# stdin satisfies the jq condition $2.
every() { jq -s -e --arg e "$1" "map(select(.event == \$e)) | length > 0 and all($2)" > /dev/null; }

# The field of the one event named $2 in the JSON lines of file $1.
field() { jq -r --arg e "$2" "select(.event == \$e) | .$3" "$1"; }

@test "orphan-demo: --help, --version; usage errors exit 2 with one reason" {
    run orphan-demo --help
    assert_success
    assert_line --index 0 "usage: orphan-demo orphan [--json]"
    run orphan-demo --version
    assert_output --regexp '^orphan-demo \(prockit\) [0-9]+\.[0-9]+\.[0-9]+$'
    # A bad method is refused before anything is printed on standard output.
    run --separate-stderr orphan-demo reap --method vfork
    assert_failure 2
    assert_equal "$output" ""
    run --separate-stderr orphan-demo
    assert_failure 2
    assert_equal "${stderr_lines[0]}" "orphan-demo: a mode is needed: orphan, zombie or reap"
    while IFS=$'\t' read -r args want; do
        run --separate-stderr orphan-demo $args
        assert_failure 2
        [ "${stderr_lines[0]}" = "orphan-demo: $want" ] || { echo "$args: ${stderr_lines[0]}"; false; }
    done <<'EOF'
adopt	unknown mode 'adopt': expected orphan, zombie or reap
reap	reap: --method is needed
reap --method vfork	reap: unknown method 'vfork': expected wait, sigchld, ignore, double-fork or subreaper
zombie -c 0	zombie: invalid count '0': expected a whole number from 1 to 1000
zombie --hold x	zombie: invalid hold 'x': expected seconds, such as 5 or 0.25
orphan -c 3	orphan: -c does not go with orphan
reap --method wait --hold 1	reap: --hold goes only with zombie
zombie --method wait	zombie: --method goes only with reap
zombie --hold	zombie: option --hold needs a value
zombie extra	zombie: unexpected operand 'extra'
EOF
}

@test "orphan: the child outlives its parent and is adopted by the subreaper above it, which reaps it" {
    zombie-watch --subreaper -- orphan-demo orphan --json > "$D/out" &
    local zw=$!
    wait "$zw"
    demo_pid=$(field "$D/out" start pid)
    parent=$(field "$D/out" parent pid)
    child=$(field "$D/out" child pid)
    # Before: the child's parent is the parent; the parent's, orphan-demo.
    assert_equal "$(field "$D/out" parent ppid)" "$demo_pid"
    assert_equal "$(field "$D/out" child ppid)" "$parent"
    # The parent exits (a zombie until orphan-demo reaps it) ...
    assert_equal "$(field "$D/out" parent-exited state)" Z
    assert_equal "$(field "$D/out" parent-reaped state)" -
    # ... and the kernel hands the child to zombie-watch, the subreaper.
    assert_equal "$(field "$D/out" adopted ppid)" "$zw"
    assert_equal "$(field "$D/out" adopted pid)" "$child"
    assert_equal "$(field "$D/out" adopted note)" "by pid $zw (zombie-watch), a subreaper"
    assert_equal "$(field "$D/out" reaped-by-adopter state)" -
    assert_equal "$(field "$D/out" explained text)" \
        "child $child outlived its parent $parent; the kernel gave it to pid $zw (zombie-watch), a subreaper, which reaped it when it exited"
}

@test "orphan: the text timeline has a header and one line per event" {
    run zombie-watch --subreaper -- orphan-demo orphan
    assert_success
    assert_line --index 0 --regexp '^TIME +EVENT +PID +PPID  STATE  NOTE$'
    assert_line --index 1 --regexp '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}  start +[0-9]+ +[0-9]+  R +orphan-demo, the observer$'
    assert_line --index 4 --regexp '^[0-9:.]+  parent-exited +[0-9]+ +[0-9]+  Z +its child is now an orphan$'
    assert_line --index 6 --regexp '^[0-9:.]+  adopted +[0-9]+ +[0-9]+  [RS] +by pid [0-9]+ \(zombie-watch\), a subreaper$'
    assert_line --index 8 --regexp '^child [0-9]+ outlived its parent [0-9]+; the kernel gave it to pid [0-9]+ \(zombie-watch\)'
    assert_equal "${#lines[@]}" 9
}

@test "orphan: an adopter named with ESC and a newline is shown escaped, one line per event" {
    # The subreaper's name (the kernel's comm) comes from the file it ran.
    ln -s "$(command -v zombie-watch)" "$D/"$'zw\e[2J\nX'
    run "$D/"$'zw\e[2J\nX' --subreaper -- orphan-demo orphan
    assert_success
    assert_line --index 6 --regexp '^[0-9:.]+  adopted +[0-9]+ +[0-9]+  [RS] +by pid [0-9]+ \(zw\\x1b\[2J\\nX\), a subreaper$'
    assert_line --index 8 --regexp '^child [0-9]+ outlived .* to pid [0-9]+ \(zw\\x1b\[2J\\nX\), a subreaper, which reaped it when it exited$'
    assert_equal "${#lines[@]}" 9
    [[ "$output" != *$'\e'* ]]
}

@test "zombie: the pids come first, stay zombies of orphan-demo while held, then are reaped and gone" {
    orphan-demo zombie -c 4 --hold 60 --json > "$D/out" &
    demo=$!
    wait_until grep -q '"event":"holding"' "$D/out"
    pids=$(jq -r 'select(.event == "zombie") | .pid' "$D/out")
    assert_equal "$(wc -l <<< "$pids")" 4
    for pid in $pids; do
        assert_equal "$(proc_state "$pid")" Z
        assert_equal "$(awk '{print $4}' "/proc/$pid/stat")" "$demo"
    done
    every zombie '.state == "Z" and .note == "exited; its parent has not waited for it"' < "$D/out"
    # SIGTERM ends the hold: the zombies are reaped before orphan-demo dies of it.
    kill -TERM "$demo"
    local st=0
    wait "$demo" || st=$?
    demo=
    assert_equal "$st" 143
    assert_equal "$(jq -r 'select(.event == "reaped") | .pid' "$D/out")" "$pids"
    for pid in $pids; do [ -z "$(proc_state "$pid")" ]; done
}

@test "zombie: after --hold they are reaped, and the explanation closes the timeline" {
    run orphan-demo zombie -c 2 --hold 0.2 --json
    assert_success
    assert_equal "$(jq -r .event <<< "$output" | tr '\n' ' ')" "zombie zombie holding reaped reaped explained "
    assert_equal "$(jq -r 'select(.event == "holding") | .note' <<< "$output")" "holding 2 zombies for 0.2 s"
    every reaped '.state == "-" and .note == "waitpid: exit status 0"' <<< "$output"
}

# Runs `orphan-demo reap --method $1 -c 20` under a subreaper (so that the
# double fork's orphans are reaped whatever init this machine has) and
# checks that it held and left no zombie.
check_reap() {
    run zombie-watch --subreaper -- orphan-demo reap --method "$1" -c 20 --json
    assert_success
    assert_equal "$(jq -r 'select(.event == "checked") | .note' <<< "$output")" "0 zombies among the $2 processes made"
    every explained '.text != ""' <<< "$output"
    for pid in $(jq -r 'select(.event != "checked" and .pid != null) | .pid' <<< "$output" | sort -u); do
        [ "$(proc_state "$pid")" != Z ]
    done
}

@test "reap --method wait: every child reaped by waitpid, each with its exit status" {
    check_reap wait 20
    assert_equal "$(jq -r 'select(.event == "reaped") | .note' <<< "$output" | head -3)" \
        "$(printf 'waitpid: exit status %s\n' 0 1 2)"
}

@test "reap --method sigchld: a SIGCHLD handler reaps every child" {
    check_reap sigchld 20
    assert_equal "$(jq -r 'select(.event == "reaped") | .pid' <<< "$output" | sort)" \
        "$(jq -r 'select(.event == "forked") | .pid' <<< "$output" | sort)"
}

@test "reap --method ignore: with SIGCHLD ignored the kernel reaps them" {
    check_reap ignore 20
    assert_equal "$(jq -r 'select(.event == "vanished") | .state' <<< "$output" | sort -u)" -
}

@test "reap --method double-fork: the grandchildren go to the subreaper above, which reaps them" {
    check_reap double-fork 40
    assert_equal "$(jq -r 'select(.event == "adopted") | .note' <<< "$output" | sort -u)" \
        "$(jq -r 'select(.event == "adopted") | "by pid \(.ppid) (zombie-watch), a subreaper"' <<< "$output" | sort -u)"
    assert_equal "$(jq -r 'select(.event == "reaped-by-adopter") | .state' <<< "$output" | sort -u)" -
}

@test "reap --method subreaper: orphan-demo adopts its grandchildren and reaps them itself" {
    check_reap subreaper 40
    demo_pid=$(jq -r 'select(.event == "checked") | .pid' <<< "$output")
    assert_equal "$(jq -r 'select(.event == "adopted") | .ppid' <<< "$output" | sort -u)" "$demo_pid"
    assert_equal "$(jq -r 'select(.event == "reaped") | .note' <<< "$output" | sort -u | tail -1)" \
        "the middle child, waited for at once"
}

@test "a fork refused half way (ulimit -u): status 4, one line, and the children made are reaped, not orphaned" {
    [ "$(id -u)" = 0 ] || skip "needs root to run as nobody under a process limit"
    # Under a subreaper: a child orphan-demo left behind would be reaped, and reported, there.
    for mode in "zombie -c 50 --hold 0.1" "reap --method wait -c 50" "reap --method sigchld -c 50"; do
        run --separate-stderr as_nobody bash -c "ulimit -u 8; exec zombie-watch --subreaper -v -- orphan-demo $mode"
        assert_failure 4
        assert_equal "$stderr" "orphan-demo: fork: resource temporarily unavailable"
    done
}

@test "output that cannot be written (/dev/full) is 4 and one line: every mode, --json, --help, --version" {
    [ -w /dev/full ] || skip "no /dev/full"
    for args in "reap --method wait" "reap --method sigchld -c 2 --json" "reap --method double-fork -c 1" \
                "zombie -c 1 --hold 0" "orphan" "orphan --json" "--help" "--version" "zombie --help"; do
        run --separate-stderr bash -c "exec zombie-watch --subreaper -- orphan-demo $args > /dev/full"
        [ "$status" -eq 4 ] || { echo "$args: $status"; false; }
        assert_equal "$stderr" "orphan-demo: write standard output: no space left on device"
    done
}

@test "-c COUNT counts the children; -n, its old spelling, still works with a note on stderr" {
    run --separate-stderr orphan-demo zombie -c 2 --hold 0 --json
    assert_success
    assert_equal "$stderr" ""
    assert_equal "$(jq -r 'select(.event == "zombie") | .pid' <<< "$output" | wc -l)" 2
    run --separate-stderr orphan-demo zombie --count 2 --hold 0 --json
    assert_success
    assert_equal "$(jq -r 'select(.event == "zombie") | .pid' <<< "$output" | wc -l)" 2
    run --separate-stderr orphan-demo reap --method wait -n 2 -n 3 --json
    assert_success
    assert_equal "$stderr" "orphan-demo: -n is now -c; -n will go in a later release"
    assert_equal "$(jq -r 'select(.event == "forked") | .pid' <<< "$output" | wc -l)" 3
    run orphan-demo --help
    assert_line --index 1 "       orphan-demo zombie [-c COUNT] [--hold SECONDS] [--json]"
    refute_output --partial "[-n COUNT]"
    # prockit(7)'s Conventions say so.
    conv=$(sed -n '/^\.Ss Conventions/,/^\.S[sh] /p' "$BATS_TEST_DIRNAME/../man/prockit.7")
    sed -n '/^\.It Fl c Ar COUNT$/,/^\.It /p' <<< "$conv" | grep -q '^orphan-demo: how many children'
    sed -n '/^\.It Fl n Ar COUNT$/,/^\.It /p' <<< "$conv" | grep -q '^zombie-watch: '
    [ -z "$(sed -n '/^\.It Fl n Ar COUNT$/,/^\.It /p' <<< "$conv" | grep 'orphan-demo')" ]
}

@test "one zombie, one child, one process: the notes and the explanation are in the singular" {
    run orphan-demo zombie -c 1 --hold 0 --json
    assert_success
    assert_equal "$(jq -r 'select(.event == "holding") | .note' <<< "$output")" "holding 1 zombie for 0 s"
    assert_equal "$(jq -r 'select(.event == "explained") | .text' <<< "$output")" \
        "1 child stayed a zombie (state Z) while its parent did not wait for it; waitpid took its exit status and it was gone"
    run orphan-demo reap --method wait -c 1 --json
    assert_success
    assert_equal "$(jq -r 'select(.event == "checked") | .note' <<< "$output")" "0 zombies among the 1 process made"
    run orphan-demo zombie -c 2 --hold 0 --json
    assert_equal "$(jq -r 'select(.event == "holding") | .note' <<< "$output")" "holding 2 zombies for 0 s"
    assert_equal "$(jq -r 'select(.event == "explained") | .text' <<< "$output")" \
        "2 children stayed zombies (state Z) while their parent did not wait for them; waitpid took their exit status and they were gone"
}

@test "double-fork and subreaper: both forks are shown, in the order they happened, before the middle child is reaped" {
    for method in double-fork subreaper; do
        run zombie-watch --subreaper -- orphan-demo reap --method "$method" -c 2 --json
        assert_success
        assert_equal "$(jq -r .event <<< "$output" | head -8 | tr '\n' ' ')" \
            "forked forked reaped adopted forked forked reaped adopted "
        # The middle child was forked by orphan-demo, the grandchild by it;
        # the middle child is the one reaped, the grandchild the one adopted.
        demo_pid=$(jq -r 'select(.event == "checked") | .pid' <<< "$output")
        jq -s -e --argjson demo "$demo_pid" '
            [range(0; 2) as $i | .[($i * 4):($i * 4 + 4)]] | all(
                .[0].ppid == $demo and .[0].note == "the middle child; forks a grandchild, then exits" and
                .[1].ppid == .[0].pid and .[1].note == "by the middle child; waits on a pipe" and
                .[2].pid == .[0].pid and .[3].pid == .[1].pid)' <<< "$output" > /dev/null
    done
}

@test "orphan-demo(1): ENVIRONMENT and FILES name what it reads and makes; every EXAMPLES block leaves the directory it is pasted into as it was" {
    check_page_files_and_examples orphan-demo
}

@test "zombie run by a parent that ignored SIGCHLD still makes its zombies (the kernel reaped them at once)" {
    run timeout 60 perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV or die' orphan-demo zombie -c 2 --hold 0.2
    assert_success
    assert_line --index $((${#lines[@]} - 1)) --partial "2 children stayed zombies (state Z)"
}
