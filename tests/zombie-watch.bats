#!/usr/bin/env bats
# zombie-watch: finding zombies and their parents, watching them come and
# go, monitoring thresholds, and running a command as a child subreaper.

load helper

setup() { D=$BATS_TEST_TMPDIR; }

teardown() {
    # The demo this test started, if it is still holding zombies.
    [ -z "${demo:-}" ] || { kill "$demo" 2>/dev/null; wait "$demo" 2>/dev/null; } || true
    # The child of start_hostile_zombie, if it never became a zombie.
    [ "$(cat "/proc/${zombie:-0}/comm" 2>/dev/null)" != "$zname" ] || kill "$zombie" 2>/dev/null || true
}

# Starts `orphan-demo zombie -c N --hold 60` in the background ($demo) and
# waits until it holds its zombies; their pids are in $D/zombies.
start_zombies() {
    orphan-demo zombie -c "$1" --hold 60 --json > "$D/demo.json" &
    demo=$!
    wait_until grep -q '"event":"holding"' "$D/demo.json"
    jq -r 'select(.event == "zombie") | .pid' "$D/demo.json" > "$D/zombies"
}

@test "zombie-watch: --help, --version; usage errors exit 3 (UNKNOWN) with one reason" {
    run zombie-watch --help
    assert_success
    assert_line --index 0 "usage: zombie-watch [--once | -i SECONDS [-n COUNT]] [--json] [-q] [-w RANGE]"
    assert_line --index 1 "                    [-c RANGE] [-p PID] [--prometheus FILE]"
    run zombie-watch --version
    assert_output --regexp '^zombie-watch \(prockit\) [0-9]+\.[0-9]+\.[0-9]+$'
    while IFS=$'\t' read -r args want; do
        run --separate-stderr zombie-watch $args
        assert_failure 3
        [ "${stderr_lines[0]}" = "zombie-watch: $want" ] || { echo "$args: ${stderr_lines[0]}"; false; }
    done <<'EOF'
--once -i 1	--once and -i exclude each other
-n 2	-n counts the scans of -i
-i 0	-i needs more than 0 seconds
-i x	invalid interval 'x': expected seconds, such as 5 or 0.25
-g	-g goes with --subreaper
--once true	unexpected operand 'true'
--subreaper	--subreaper needs a COMMAND
--subreaper --json true	--subreaper takes only -g and -v
-w x	invalid range 'x': expected [@]START:END, N, N:, ~:N, such as 5 or 10:20
-c 5:1	invalid range '5:1': its start is greater than its end
-w @	invalid range '@': expected [@]START:END, N, N:, ~:N, such as 5 or 10:20
--bogus	invalid option --bogus
--once=1	option --once takes no value
EOF
}

@test "finds exactly the zombies orphan-demo made, with their parent and its command" {
    start_zombies 3
    run zombie-watch --json -p "$demo"
    assert_success
    assert_equal "$(jq -r .pid <<< "$output")" "$(cat "$D/zombies")"
    assert_equal "$(jq -r .ppid <<< "$output" | sort -u)" "$demo"
    assert_equal "$(jq -r .parent_zombies <<< "$output" | sort -u)" 3
    assert_equal "$(jq -r .parent_command <<< "$output" | sort -u)" "orphan-demo zombie -c 3 --hold 60 --json"
    assert_equal "$(jq -r .event <<< "$output" | sort -u)" present

    # Without -p they are among every zombie of the system.
    run zombie-watch --json
    for pid in $(cat "$D/zombies"); do
        jq -s -e --argjson p "$pid" --argjson pp "$demo" 'map(select(.pid == $p)) | length == 1 and .[0].ppid == $pp' <<< "$output"
    done

    # The table: the zombies, then each parent with its count.
    run zombie-watch -p "$demo"
    assert_success
    assert_line --index 0 --regexp '^ +PID +PPID  COMMAND +PARENT COMMAND$'
    for pid in $(cat "$D/zombies"); do
        assert_line --regexp "^ +$pid +$demo  orphan-demo +orphan-demo zombie -c 3 --hold 60 --json$"
    done
    assert_line --index 4 --regexp '^ +PPID ZOMBIES  PARENT COMMAND$'
    assert_line --index 5 --regexp "^ +$demo +3  orphan-demo zombie -c 3 --hold 60 --json$"
    assert_equal "${#lines[@]}" 6
}

@test "-p PID: only PID's descendants; none gives '0 zombie processes'; a missing PID is UNKNOWN" {
    run zombie-watch -p $$
    assert_success
    assert_output "0 zombie processes"
    sleep 60 &
    local gone=$!
    kill "$gone"
    wait "$gone" || true
    run --separate-stderr zombie-watch -p "$gone"
    assert_failure 3
    assert_equal "$stderr" "zombie-watch: -p $gone: no such process"
    # A monitor reads standard output: UNKNOWN is said there too.
    run --separate-stderr zombie-watch -p "$gone" -w 5
    assert_failure 3
    assert_equal "$output" "ZOMBIES UNKNOWN: -p $gone: no such process"
    run --separate-stderr zombie-watch -w 5 -c abc
    assert_failure 3
    assert_equal "$output" "ZOMBIES UNKNOWN: invalid range 'abc': expected [@]START:END, N, N:, ~:N, such as 5 or 10:20"
}

@test "-w and -c: plugin status line and exit 0 OK, 1 WARNING, 2 CRITICAL" {
    start_zombies 3
    while IFS=$'\t' read -r range want code; do
        run zombie-watch -p "$demo" $range
        [ "$status" -eq "$code" ] || { echo "$range gave $status"; false; }
        assert_equal "${lines[0]}" "$want"
    done <<'EOF'
-w 5 -c 10	ZOMBIES OK: 3 zombie processes | zombies=3;5;10;0	0
-w 2 -c 10	ZOMBIES WARNING: 3 zombie processes | zombies=3;2;10;0	1
-w 1 -c 2	ZOMBIES CRITICAL: 3 zombie processes | zombies=3;1;2;0	2
-c ~:2	ZOMBIES CRITICAL: 3 zombie processes | zombies=3;;~:2;0	2
-w @3:4	ZOMBIES WARNING: 3 zombie processes | zombies=3;@3:4;;0	1
-w 4:	ZOMBIES WARNING: 3 zombie processes | zombies=3;4:;;0	1
-w 3:3	ZOMBIES OK: 3 zombie processes | zombies=3;3:3;;0	0
EOF
    # The zombies follow the status line, as a plugin's long output.
    assert_line --index 1 --regexp '^ +PID +PPID  COMMAND'
    # With --json the status is one more object.
    run zombie-watch -p "$demo" -c 2 --json
    assert_failure 2
    assert_equal "$(jq -r 'select(.event == "status") | "\(.state) \(.zombies)"' <<< "$output")" "CRITICAL 3"
}

@test "ranges are strict decimals: ':', ':N', hex, spaces, a newline are UNKNOWN, and the status stays one line" {
    local range want
    for range in ':' '@:' ':5' '0x10' '1e3' 'inf' 'nan' ' 5' '5 ' $'\n5' $'5\n' '5.' '.5' '+5' '--5' '~' '5:~'; do
        run --separate-stderr zombie-watch -p $$ -w "$range"
        [ "$status" -eq 3 ] || { echo "'$range' gave $status"; false; }
        want="invalid range '${range//$'\n'/\\n}': expected [@]START:END, N, N:, ~:N, such as 5 or 10:20"
        assert_equal "$output" "ZOMBIES UNKNOWN: $want"
        assert_equal "${stderr_lines[0]}" "zombie-watch: $want"
    done
    # What the guidelines write is still taken, decimals and negatives too.
    while IFS=$'\t' read -r range code; do
        run zombie-watch -p $$ -w "$range"
        [ "$status" -eq "$code" ] || { echo "'$range' gave $status"; false; }
    done <<'EOF'
007	0
-1:5	0
~:0	0
1.5:2.5	1
10:	1
@0:0	1
~:	0
EOF
}

@test "with no zombie the status is OK and singular/plural are right" {
    run zombie-watch -p $$ -w 0 -c 5
    assert_success
    assert_output "ZOMBIES OK: 0 zombie processes | zombies=0;0;5;0"
    start_zombies 1
    run zombie-watch -p "$demo" -w 0
    assert_failure 1
    assert_line --index 0 "ZOMBIES WARNING: 1 zombie process | zombies=1;0;;0"
}

@test "watch mode reports zombies as they appear and go, with how long they were seen" {
    orphan-demo zombie -c 2 --hold 1 --json > "$D/demo.json" &
    demo=$!
    wait_until grep -q '"event":"holding"' "$D/demo.json"
    run zombie-watch -i 0.1 -n 40 --json -p "$demo"
    assert_success
    wait "$demo"
    demo=
    zombies=$(jq -r 'select(.event == "zombie") | .pid' "$D/demo.json")
    assert_equal "$(jq -r 'select(.event == "appeared") | .pid' <<< "$output")" "$zombies"
    assert_equal "$(jq -r 'select(.event == "gone") | .pid' <<< "$output")" "$zombies"
    # Each was seen for a while before it went, and every scan is numbered.
    jq -s -e 'map(select(.event == "gone") | .seen_seconds > 0) | length == 2 and all' <<< "$output"
    jq -s -e 'map(select(.event == "still") | .scan > 1) | length > 0 and all' <<< "$output"
    # The text form: a header, then a line per appearance and disappearance.
    orphan-demo zombie -c 1 --hold 1 > "$D/demo.txt" &
    demo=$!
    wait_until grep -q holding "$D/demo.txt"
    run zombie-watch -i 0.1 -n 40 -p "$demo"
    assert_success
    assert_line --index 0 --regexp '^TIME +EVENT +PID +PPID +SEEN  COMMAND +PARENT COMMAND \(ZOMBIES\)$'
    assert_line --index 1 --regexp "^[0-9:.]+  appeared +[0-9]+ +$demo +0\.0s  orphan-demo +orphan-demo zombie -c 1 --hold 1 \(1\)$"
    assert_line --index 2 --regexp "^[0-9:.]+  gone +[0-9]+ +$demo +[0-9.]+s  orphan-demo +orphan-demo zombie -c 1 --hold 1 \(1\)$"
    assert_equal "${#lines[@]}" 3
}

@test "every JSON line parses, whatever bytes a command name holds" {
    # A parent whose command line has a quote, a backslash, a tab and a
    # byte that is not UTF-8.
    cp "$PROCKIT_BIN/orphan-demo" "$D/od"
    bash -c 'exec -a "we\"ird\\	name$(printf "\\xff")" "$0" zombie -c 1 --hold 60 --json' "$D/od" > "$D/demo.json" &
    demo=$!
    wait_until grep -q '"event":"holding"' "$D/demo.json"
    run zombie-watch --json -p "$demo"
    assert_success
    while IFS= read -r line; do jq -e . <<< "$line" > /dev/null; done <<< "$output"
    jq -r .parent_command <<< "$output" | grep -q 'we"ird\\'
}

# The name a zombie gets from the file it ran (the kernel's comm, 15 bytes):
# a newline, then a forged status line.
zname=$'z\nZOMBIES OK: 0'

# Starts a parent ($demo) whose command line holds a CR and an ESC sequence
# and which holds one zombie ($zombie) named $zname: the child execs cat
# through a symlink of that name and ends when the FIFO closes, after its
# parent has become sleep, which never waits.
start_hostile_zombie() {
    local fifo_fd
    open_fifo_for_named_cat
    bash -c '"$1" < "$2" & echo $! > "$3"; exec -a "$4" sleep 60' _ \
        "$D/$zname" "$D/fifo" "$D/zombie" $'evil\r\e[2Jparent' {fifo_fd}>&- 3>&- &
    demo=$!
    zombie=$(pid_written_to "$D/zombie")
    wait_for '[ "$(cat "/proc/$zombie/comm")" = "$zname" ] && [ "$(cat "/proc/$demo/comm")" = sleep ]'
    exec {fifo_fd}>&-
    wait_for '[ "$(proc_state "$zombie")" = Z ]'
}

@test "a zombie's name and its parent's command line are escaped: one line each, no control character" {
    start_hostile_zombie
    local comm='z\nZOMBIES OK: 0' parent='evil\r\x1b[2Jparent 60'
    run zombie-watch -p "$demo"
    assert_success
    assert_line --index 1 "$(printf '%7d %7d  %-16s %s' "$zombie" "$demo" "$comm" "$parent")"
    assert_line --index 3 "$(printf '%7d %7d  %s' "$demo" 1 "$parent")"
    assert_equal "${#lines[@]}" 4
    # The plugin line is the only status line.
    run zombie-watch -p "$demo" -w 5
    assert_success
    assert_line --index 0 "ZOMBIES OK: 1 zombie process | zombies=1;5;;0"
    assert_equal "$(grep -c '^ZOMBIES' <<< "$output")" 1
    [[ "$output" != *[$'\r\e']* ]]
    # Watch mode: the header and one line.
    run zombie-watch -i 0.05 -n 1 -p "$demo"
    assert_success
    assert_line --index 1 --regexp "^[0-9:.]+  appeared +$zombie +$demo +0\.0s  z\\\\nZOMBIES OK: 0 evil\\\\r\\\\x1b\[2Jparent 60 \(1\)$"
    assert_equal "${#lines[@]}" 2
    # JSON keeps them exact.
    run zombie-watch --json -p "$demo"
    assert_equal "$(jq -r .command <<< "$output")" "$zname"
    assert_equal "$(jq -j .parent_command <<< "$output")" $'evil\r\e[2Jparent 60'
}

# The parent of PID from /proc/PID/stat, read after the name (which may
# hold spaces and newlines).
ppid_of() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    stat=${stat#* }
    echo "${stat%% *}"
}

@test "a diagnostic naming a process is one line: --subreaper -v reaps an orphan named with a newline" {
    local fifo_fd zw orphan
    open_fifo_for_named_cat
    # The orphan reads the FIFO until we close it: it outlives its parent sh,
    # so zombie-watch, not sh, reaps it.
    zombie-watch --subreaper -v -- sh -c '"$1" < "$2" & echo $! > "$3"' _ "$D/$zname" "$D/fifo" "$D/pid" \
        2> "$D/err" {fifo_fd}>&- &
    zw=$!
    orphan=$(pid_written_to "$D/pid")
    wait_for '[ "$(cat "/proc/$orphan/comm")" = "$zname" ] && [ "$(ppid_of "$orphan")" = "$zw" ]'
    exec {fifo_fd}>&-
    wait "$zw"
    assert_equal "$(cat "$D/err")" "zombie-watch: reaped orphan $orphan (z\\nZOMBIES OK: 0): exit status 0"
}

@test "scans race with processes that vanish: never an error, never a wrong state" {
    # Short-lived processes, started and reaped all through the scans.
    ( while :; do /bin/true & /bin/true & wait; done ) &
    churn=$!
    for i in $(seq 50); do
        run --separate-stderr zombie-watch --json
        assert_success
        assert_equal "$stderr" ""
    done
    kill "$churn"
    wait "$churn" || true
}

@test "--subreaper reaps the orphans of orphan-demo orphan and reports them with -v" {
    zombie-watch --subreaper -v -- orphan-demo orphan --json > "$D/out" 2> "$D/err" &
    local zw=$!
    wait "$zw"
    child=$(jq -r 'select(.event == "child") | .pid' "$D/out")
    # The orphan was given to zombie-watch, which reaped it.
    assert_equal "$(jq -r 'select(.event == "adopted") | .ppid' "$D/out")" "$zw"
    assert_equal "$(jq -r 'select(.event == "reaped-by-adopter") | .state' "$D/out")" "-"
    assert_equal "$(cat "$D/err")" "zombie-watch: reaped orphan $child (orphan-demo): exit status 0"
    jq -e 'select(.event == "explained")' "$D/out" > /dev/null
}

@test "--subreaper passes every exit status 0..255 through" {
    for code in $(seq 0 255); do
        run -"$code" zombie-watch --subreaper -- sh -c "exit $code"
    done
}

@test "--subreaper: a command killed by signal N gives 128+N; 127 and 126 when it cannot run" {
    for sig in HUP INT QUIT KILL USR1 SEGV PIPE TERM; do
        run zombie-watch --subreaper -- sh -c "kill -$sig \$\$"
        [ "$status" -eq $((128 + $(kill -l "$sig"))) ] || { echo "$sig gave $status"; false; }
    done
    run -127 --separate-stderr zombie-watch --subreaper -- no-such-command-here
    assert_equal "$stderr" "zombie-watch: run no-such-command-here: command not found"
    run -127 --separate-stderr zombie-watch --subreaper -- "$BATS_TEST_FILENAME"x
    chmod -x "$D"
    touch "$D/script"
    run --separate-stderr zombie-watch --subreaper -- "$D/script"
    assert_failure 126
    assert_equal "$stderr" "zombie-watch: run $D/script: permission denied"
    chmod +x "$D"
}

# A command that writes the name of each signal it gets to $D/got.
signal_recorder() {
    cat > "$D/recorder" <<'EOF'
#!/bin/bash
for sig in HUP INT QUIT USR1 USR2 WINCH; do trap "echo $sig >> \"$1/got\"" $sig; done
trap 'echo TERM >> "$1/got"; exit 9' TERM
echo ready >> "$1/got"
while :; do sleep 0.05; done
EOF
    chmod +x "$D/recorder"
}

@test "--subreaper forwards HUP INT QUIT USR1 USR2 WINCH TERM to the command" {
    signal_recorder
    zombie-watch --subreaper -- "$D/recorder" "$D" &
    local zw=$!
    wait_until grep -q ready "$D/got"
    for sig in HUP INT QUIT USR1 USR2 WINCH; do
        kill -"$sig" "$zw"
        wait_until grep -qx "$sig" "$D/got"
    done
    kill -TERM "$zw"
    local st=0
    wait "$zw" || st=$?
    assert_equal "$st" 9
    assert_equal "$(cat "$D/got")" "$(printf '%s\n' ready HUP INT QUIT USR1 USR2 WINCH TERM)"
}

@test "--subreaper -g forwards to the command's whole process group; -v says so" {
    # The grandchild shares the command's group and records what it gets.
    cat > "$D/grandparent" <<'EOF'
#!/bin/bash
bash -c 'trap "echo grandchild USR1 >> \"$1/got\"" USR1; trap "exit 0" TERM; echo ready >> "$1/got"; while :; do sleep 0.05; done' _ "$1" &
trap 'echo child USR1 >> "$1/got"' USR1
trap 'kill $!; wait; exit 0' TERM
while :; do sleep 0.05; done
EOF
    chmod +x "$D/grandparent"
    zombie-watch --subreaper -g -v -- "$D/grandparent" "$D" 2> "$D/err" &
    local zw=$!
    wait_until grep -q ready "$D/got"
    kill -USR1 "$zw"
    wait_until grep -q "grandchild USR1" "$D/got"
    wait_until grep -q "child USR1" "$D/got"
    kill -TERM "$zw"
    wait "$zw"
    grep -q "^zombie-watch: forwarded SIGUSR1 to group [0-9]*$" "$D/err"
}

@test "--subreaper: descendants still running when the command exits are waited for and reaped" {
    run --separate-stderr zombie-watch --subreaper -v -- sh -c 'sleep 0.3 & echo $! > "$1"; exit 4' _ "$D/sleeper"
    assert_failure 4
    sleeper=$(cat "$D/sleeper")
    assert_equal "$stderr" "zombie-watch: reaped orphan $sleeper (sleep): exit status 0"
    [ -z "$(proc_state "$sleeper")" ]
}

@test "--subreaper: a signal after the command ended goes to the orphans left" {
    zombie-watch --subreaper -v -- sh -c 'sleep 60 & echo $! > "$1"; exit 0' _ "$D/sleeper" 2> "$D/err" &
    local zw=$!
    wait_until test -s "$D/sleeper"
    sleeper=$(cat "$D/sleeper")
    wait_until grep -q . "/proc/$sleeper/stat"
    wait_for '[ "$(awk '\''{print $4}'\'' "/proc/$sleeper/stat")" = "$zw" ]'
    kill -TERM "$zw"
    wait "$zw"
    [ -z "$(proc_state "$sleeper")" ]
    grep -q "^zombie-watch: forwarded SIGTERM to orphan $sleeper$" "$D/err"
    grep -q "^zombie-watch: reaped orphan $sleeper (sleep): killed by signal 15 (SIGTERM)$" "$D/err"
}

@test "output that cannot be written (/dev/full) is UNKNOWN (3) and one line: table, status, --json, -i, --help, --version" {
    [ -w /dev/full ] || skip "no /dev/full"
    start_zombies 1
    for args in "-p $demo" "-p $demo -w 5" "-p $demo -w 0" "-p $demo --json" "-p $demo -i 0.05 -n 2" \
                "-p $demo -i 0.05 -n 2 --json -c 0" "-p $demo -q -w 0" "--help" "--version"; do
        run --separate-stderr bash -c "zombie-watch $args > /dev/full"
        [ "$status" -eq 3 ] || { echo "$args: $status"; false; }
        assert_equal "$stderr" "zombie-watch: write standard output: no space left on device"
    done
}

@test "-q: nothing when the answer is OK; WARNING, CRITICAL, UNKNOWN and found zombies are still said" {
    run --separate-stderr zombie-watch -q -p $$ -w 0 -c 5
    assert_success
    assert_equal "$output" ""
    run --separate-stderr zombie-watch -q -p $$
    assert_success
    assert_equal "$output" ""
    start_zombies 2
    for args in "-w 5" "-w 5 -c 10 --json" "--quiet -c 2" "-i 0.05 -n 2 -w 5" "-i 0.05 -n 2 -w 5 --json"; do
        run --separate-stderr zombie-watch -q -p "$demo" $args
        assert_success
        [ -z "$output" ] || { echo "$args: $output"; false; }
    done
    run zombie-watch -q -p "$demo" -w 1 -c 5
    assert_failure 1
    assert_line --index 0 "ZOMBIES WARNING: 2 zombie processes | zombies=2;1;5;0"
    assert_equal "${#lines[@]}" 6
    run zombie-watch -q -p "$demo" -c 1
    assert_failure 2
    assert_line --index 0 "ZOMBIES CRITICAL: 2 zombie processes | zombies=2;;1;0"
    run zombie-watch -q -p "$demo" -c 1 --json
    assert_failure 2
    assert_equal "$(jq -r .event <<< "$output" | tr '\n' ' ')" "present present status "
    # Without -w and -c, zombies found are not OK: the list is printed.
    run zombie-watch -q -p "$demo"
    assert_success
    assert_equal "${#lines[@]}" 5
    run --separate-stderr zombie-watch -q -p 999999999 -w 5
    assert_failure 3
    run --separate-stderr zombie-watch -q -w x
    assert_failure 3
    assert_equal "$output" "ZOMBIES UNKNOWN: invalid range 'x': expected [@]START:END, N, N:, ~:N, such as 5 or 10:20"
}

# Checks, line by line, that file $1 follows the Prometheus text format as
# zombie-watch writes it: UTF-8, every line ends in a newline, # HELP and
# # TYPE once per metric and before its samples, label values quoted with
# only \\, \" and \n escaped, a whole number as the value.
check_exposition() {
    iconv -f UTF-8 -t UTF-8 "$1" > /dev/null || { echo "not UTF-8"; return 1; }
    [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ] || { echo "no newline at the end"; return 1; }
    local line name typed=" " helped=" " done_names=" " current=
    while IFS= read -r line; do
        if [[ $line =~ ^#\ HELP\ ([a-zA-Z_:][a-zA-Z0-9_:]*)\ ([^\\]|\\\\|\\n)*$ ]]; then
            name=${BASH_REMATCH[1]}
            [[ $helped != *" $name "* ]] || { echo "second HELP: $line"; return 1; }
            helped+="$name "
        elif [[ $line =~ ^#\ TYPE\ ([a-zA-Z_:][a-zA-Z0-9_:]*)\ (gauge|counter|untyped)$ ]]; then
            name=${BASH_REMATCH[1]}
            [[ $typed != *" $name "* && $done_names != *" $name "* ]] || { echo "TYPE late or twice: $line"; return 1; }
            typed+="$name "
        elif [[ $line =~ ^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\]|\\[\\\"n])*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\]|\\[\\\"n])*\")*\})?\ [0-9]+$ ]]; then
            name=${BASH_REMATCH[1]}
            [[ $typed == *" $name "* ]] || { echo "sample before its TYPE: $line"; return 1; }
            [ "$name" = "$current" ] || [[ $done_names != *" $name "* ]] || { echo "samples apart: $line"; return 1; }
        else
            echo "not the text format: $line"
            return 1
        fi
        [ -z "$current" ] || [ "$name" = "$current" ] || done_names+="$current "
        current=$name
    done < "$1"
}

@test "--prometheus FILE: the counts in Prometheus's text format, labels escaped, mode 0644, nothing else left" {
    run zombie-watch -p $$ --prometheus "$D/zombies.prom"
    assert_success
    assert_output "0 zombie processes"
    assert_equal "$(cat "$D/zombies.prom")" "# HELP prockit_zombies Zombie processes found by the last scan of zombie-watch.
# TYPE prockit_zombies gauge
prockit_zombies 0
# HELP prockit_zombies_by_parent Zombie processes of each parent, the process that must reap them.
# TYPE prockit_zombies_by_parent gauge"
    check_exposition "$D/zombies.prom"
    # A parent named with a quote, a backslash, a newline and a byte that
    # is not UTF-8 (its comm, from the name of the file it ran).
    local name=$'o"\\\n\xffd'
    mkdir "$D/bin"
    ln -s "$(command -v orphan-demo)" "$D/bin/$name"
    "$D/bin/$name" zombie -c 2 --hold 60 --json > "$D/demo.json" &
    demo=$!
    wait_until grep -q '"event":"holding"' "$D/demo.json"
    (umask 077 && zombie-watch -p "$demo" --prometheus "$D/zombies.prom" -q -w 5)
    assert_equal "$(sed -n 3p "$D/zombies.prom")" "prockit_zombies 2"
    assert_equal "$(tail -n 1 "$D/zombies.prom")" \
        "prockit_zombies_by_parent{ppid=\"$demo\",parent=\"o\\\"\\\\\\n$(printf '\xef\xbf\xbd')d\"} 2"
    check_exposition "$D/zombies.prom"
    assert_equal "$(stat -c %a "$D/zombies.prom")" 644
    assert_equal "$(ls -A "$D" | tr '\n' ' ')" "bin demo.json zombies.prom "
}

@test "--prometheus replaces FILE whole (a symbolic link is replaced, not followed); a FILE it cannot make is UNKNOWN, one line" {
    echo keep > "$D/target"
    ln -s target "$D/link.prom"
    run zombie-watch -p $$ --prometheus "$D/link.prom"
    assert_success
    assert_equal "$(cat "$D/target")" keep
    [ -f "$D/link.prom" ] && [ ! -L "$D/link.prom" ]
    check_exposition "$D/link.prom"
    run --separate-stderr zombie-watch -p $$ -w 5 --prometheus "$D/none/z.prom"
    assert_failure 3
    assert_regex "$stderr" "^zombie-watch: --prometheus $D/none/z.prom: create $D/none/\.z\.prom\.[0-9]+-[0-9a-f]+: no such file or directory\$"
    assert_regex "$output" "^ZOMBIES UNKNOWN: --prometheus "
    mkdir "$D/ro"
    chmod 555 "$D/ro"
    run --separate-stderr as_nobody zombie-watch -p $$ --prometheus "$D/ro/z.prom"
    assert_failure 3
    assert_regex "$stderr" "^zombie-watch: --prometheus $D/ro/z.prom: create $D/ro/\.z\.prom\.[0-9]+-[0-9a-f]+: permission denied\$"
    # Anything but a file or a link is not replaced (as root, it once made
    # /dev/full a file): a FIFO here stays one.
    mkfifo "$D/fifo.prom"
    run --separate-stderr zombie-watch -p $$ --prometheus "$D/fifo.prom"
    assert_failure 3
    assert_equal "$stderr" "zombie-watch: --prometheus $D/fifo.prom: not a regular file (a FIFO): refused, it would be replaced"
    [ -p "$D/fifo.prom" ]
    run --separate-stderr zombie-watch --prometheus ''
    assert_failure 3
    assert_equal "${stderr_lines[0]}" "zombie-watch: --prometheus needs a FILE"
    run --separate-stderr zombie-watch --subreaper --prometheus "$D/z.prom" true
    assert_failure 3
}

@test "--prometheus with -i: FILE is rewritten after every scan and a reader never sees half of it" {
    start_zombies 1
    zombie-watch -i 0.02 -n 1000 -p "$demo" --prometheus "$D/z.prom" > /dev/null &
    local zw=$!
    wait_until grep -qx 'prockit_zombies 1' "$D/z.prom"
    # Every read, while it is replaced 50 times a second, is a whole file.
    local i
    for i in $(seq 200); do
        cat "$D/z.prom" > "$D/copy"  # one open: the file as it was then, whole
        [ "$(tail -n 1 "$D/copy")" = "prockit_zombies_by_parent{ppid=\"$demo\",parent=\"orphan-demo\"} 1" ] ||
            { cat "$D/copy"; false; }
    done
    check_exposition "$D/copy"
    kill -TERM "$demo"
    wait "$demo" || true
    demo=
    wait_until grep -qx 'prockit_zombies 0' "$D/z.prom"
    kill "$zw"
    wait "$zw" || true
    assert_equal "$(ls -A "$D" | grep -c '^\.z\.prom')" 0
}

@test "zombie-watch(1): ENVIRONMENT and FILES name what it reads and makes; every EXAMPLES block leaves the directory it is pasted into as it was" {
    check_page_files_and_examples zombie-watch
}

@test "zombie-watch -+ is a usage error (3), not an option: '+' is no option letter of its" {
    local args
    for args in "-+" "-+ --once" "--once -+" "--subreaper -+ true"; do
        run --separate-stderr zombie-watch $args
        assert_failure 3
        assert_equal "$output" ""
        assert_equal "${stderr_lines[0]}" "zombie-watch: invalid option -+"
        assert_equal "${stderr_lines[1]}" "usage: zombie-watch [--once | -i SECONDS [-n COUNT]] [--json] [-q] [-w RANGE]"
        assert_equal "${#stderr_lines[@]}" 4
    done
}

@test "--subreaper run by a parent that ignored SIGCHLD still gets its command's status (it waited forever)" {
    run timeout 60 perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV or die' zombie-watch --subreaper sh -c 'exit 7'
    assert_failure 7
}
