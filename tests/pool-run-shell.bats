#!/usr/bin/env bats
# pool-run's command line as GNU parallel's: the words joined into one
# line, the inputs quoted in it, run by the shell parallel would pick
# (exported bash functions included), or exec'd directly when the line is
# a simple command; -q, --shell, --no-shell; the environment of each job
# (PARALLEL_SEQ, PARALLEL_JOBSLOT, PARALLEL_PID, --env, --record-env).
# The examples are parallel's own (parallel(1), parallel_tutorial(7),
# parallel_examples(7)), each run with GNU parallel too.

load helper

setup() { D=$BATS_TEST_TMPDIR; }
teardown() { remove_test_queues; }

# same_as_parallel (tests/helper.bash), with standard input given to both.
same_as_parallel_from() {
    local input=$1
    shift
    command -v parallel >/dev/null || skip "GNU parallel is not installed"
    run --separate-stderr bash -c 'printf "%s\n" "$0" | parallel --will-cite "$@"' "$input" "$@"
    local want_out=$output want_status=$status
    run --separate-stderr bash -c 'printf "%s\n" "$0" | pool-run "$@"' "$input" "$@"
    assert_equal "$output" "$want_out"
    assert_equal "$status" "$want_status"
}

# A shell that logs each line it is given, then runs it with bash: which
# jobs took the shell and which were exec'd directly. Named bash, as only
# bash's and dash's simple commands are known to pool-run.
logging_shell() {
    mkdir -p "$D/sh"
    cat > "$D/sh/bash" <<EOF
#!/bin/bash
printf '%s\n' "\$2" >> '$D/shell.log'
exec /bin/bash "\$@"
EOF
    chmod +x "$D/sh/bash"
    : > "$D/shell.log"
}

@test "parallel(1): sleep {}\\; echo {} is two commands, the input in each" {
    same_as_parallel -j4 -k sleep 0.{}\; echo {} ::: 2 1 4 3
    assert_output "2
1
4
3"
}

@test "parallel(1): --halt now,fail=1 echo {}\\; exit {} halts on the first failing job" {
    same_as_parallel -j1 -k --halt now,fail=1 echo {}\; exit {} ::: 0 0 1 2 3
    assert_output "0
0
1"
    assert_failure 1
}

@test "parallel(1): a builtin as the command, exit ::: 1 2 3 0, and the joblog's Exitval" {
    same_as_parallel -k --joblog "$D/log" exit ::: 1 2 3 0
    assert_failure 3
    run bash -c "tail -n +2 '$D/log' | sort -n | cut -f7,9"
    assert_output "$(printf '1\texit 1\n2\texit 2\n3\texit 3\n0\texit 0')"
}

@test "parallel_examples(7): zcat {} \">\"{.} writes each file's own output" {
    cd "$D"
    printf 'one\n' | gzip > a.gz
    printf 'two\n' | gzip > 'b c.gz'
    run pool-run zcat {} '>'{.} ::: a.gz 'b c.gz'
    assert_success
    assert_output ""
    assert_equal "$(cat a)" one
    assert_equal "$(cat 'b c')" two
}

@test "parallel_examples(7): [ -f {1}:{2} ] \"||\" echo {1}:{2} does not exist" {
    cd "$D"
    touch 00:00 01:05
    same_as_parallel -k [ -f {1}:{2} ] "||" echo {1}:{2} does not exist ::: 00 01 ::: 00 05
    assert_output "00:05 does not exist
01:00 does not exist"
}

@test "parallel(1) QUOTING: a variable set, escaped and -q'd in the composed line" {
    same_as_parallel_from test VAR=this_is_set_after_starting \; echo {} \$VAR
    assert_output "test this_is_set_after_starting"
    same_as_parallel_from test echo {} \\\$VAR
    assert_output 'test $VAR'
    same_as_parallel_from test -q echo {} \$VAR
    assert_output 'test $VAR'
    VAR="two  spaces  between  each  word"
    same_as_parallel_from test echo {} \'"$VAR"\'
    assert_output "test two  spaces  between  each  word"
}

@test "parallel_tutorial(7) Quoting: perl -e with \\' around it, -q, and \\-quoted" {
    same_as_parallel -k perl -e \''print "@ARGV\n"'\' ::: This works, too
    assert_output "This
works,
too"
    same_as_parallel -k -q perl -e 'print "@ARGV\n"' ::: This works
    assert_output "This
works"
    same_as_parallel -k perl\ -e\ \'print\ \"@ARGV\\n\"\' ::: This also works
    assert_output "This
also
works"
    # Unquoted, perl is given 'print' as its program: nothing is printed.
    same_as_parallel -k perl -e 'print "@ARGV\n"' ::: This wont work
    assert_output ""
}

@test "parallel(1) QUOTING: echo \\\$\\\$ is each job's shell's pid, not pool-run's" {
    run pool-run -k echo \$\$ ::: 1 2 3
    assert_success
    assert_equal "${#lines[@]}" 3
    # The input is appended: "PID 1".
    [[ ${lines[0]} =~ ^([0-9]+)\ 1$ ]] && [ "${BASH_REMATCH[1]}" != "$BASHPID" ]
    [ "${lines[0]% *}" != "${lines[1]% *}" ] && [ "${lines[1]% *}" != "${lines[2]% *}" ]
}

@test "parallel_examples(7): exported bash functions run, one input source or two" {
    doit() { echo "Doing it for $1"; }
    doubleit() { echo "Doing it for $1 $2"; }
    export -f doit doubleit
    same_as_parallel -k doit ::: 1 2 3
    assert_output "Doing it for 1
Doing it for 2
Doing it for 3"
    same_as_parallel -k doubleit ::: 1 2 ::: a b
    assert_output "Doing it for 1 a
Doing it for 1 b
Doing it for 2 a
Doing it for 2 b"
    # -q quotes the words; the function still runs, as in parallel.
    same_as_parallel -k -q doit "a  b" ::: x
    assert_output "Doing it for a  b"
}

@test "the composed line: inputs quoted as parallel quotes them, words joined unquoted" {
    same_as_parallel --dry-run -k printf '[%s]\n' "a {} b" ::: "x'y" "" 'a$b' '~' 'é' 'a=b' 'a,b' a@b "'x" "x'"
    assert_line --index 0 "printf [%s]\n a 'x'\"'\"'y' b"
    assert_line --index 8 "printf [%s]\n a \"'\"'x' b"
    same_as_parallel --dry-run -k echo ::: a "b c" ::: "d'" e
    same_as_parallel --dry-run -q printf '[%s]\n' "a {} b" ::: "x'y"
    assert_output "printf '[%s]\n' 'a x'\"'\"'y b'"
    # The word '[%s]\n' is unquoted in the line: the shell makes it [%s]n.
    same_as_parallel -k printf '[%s]\n' "a {} b" ::: "x'y" 'p  q' '$(touch pwned)'
    assert_output "[a]n[x'y]n[b]n[a]n[p  q]n[b]n[a]n[\$(touch pwned)]n[b]n"
    assert_file_not_exists pwned
}

@test "without a command each input is a command line, several joined by spaces" {
    same_as_parallel -k ::: "echo  'a'" ::: 'b c' d
    assert_output "a b c
a d"
    # -q makes the input one quoted word: a command by that name.
    same_as_parallel -q ::: "echo a"
    assert_failure 1
}

@test "a simple command is exec'd with no shell; a line that needs one gets it" {
    logging_shell
    PARALLEL_SHELL=$D/sh/bash run pool-run -k basename ::: a 'b c' "it's"
    assert_output "a
b c
it's"
    assert_equal "$(cat "$D/shell.log")" ""
    PARALLEL_SHELL=$D/sh/bash run pool-run -k 'echo {} | tr a-z A-Z' ::: x
    assert_output X
    assert_equal "$(cat "$D/shell.log")" "echo x | tr a-z A-Z"
    # A builtin (echo), a keyword, an exported function: the shell's.
    : > "$D/shell.log"
    f() { echo f "$@"; }
    export -f f
    PARALLEL_SHELL=$D/sh/bash run pool-run -k ::: 'echo 1' 'if true; then echo 2; fi' 'f 3'
    assert_output "1
2
f 3"
    assert_equal "$(wc -l < "$D/shell.log")" 3
}

@test "--shell runs even a simple command with the shell; --no-shell never, the words as they are" {
    logging_shell
    PARALLEL_SHELL=$D/sh/bash run pool-run --shell -k printf '%s\\n' ::: a
    assert_output a
    assert_equal "$(cat "$D/shell.log")" 'printf %s\\n a'
    : > "$D/shell.log"
    PARALLEL_SHELL=$D/sh/bash run pool-run --no-shell -k echo '$HOME;' {} ::: 'a b'
    assert_output '$HOME; a b'
    assert_equal "$(cat "$D/shell.log")" ""
    # With --no-shell, echo is /bin/echo's: no builtin, no function.
    run --separate-stderr pool-run --no-shell 'echo {}' ::: x
    assert_failure 1
    [ "$stderr" = "pool-run: echo x: command not found" ]
}

@test "the shell: \$PARALLEL_SHELL, else the shell pool-run was started from" {
    same_as_parallel '[ -n "$BASH_VERSION" ] && echo bash {} || echo other {}' ::: x
    assert_output "bash x"
    PARALLEL_SHELL=/bin/dash same_as_parallel '[ -n "$BASH_VERSION" ] && echo bash {} || echo other {}' ::: x
    assert_output "other x"
    PARALLEL_SHELL=$D/none run --separate-stderr pool-run 'echo {}' ::: x
    assert_failure 255
    assert_output ""
    [ "$stderr" = "pool-run: shell '$D/none' not found" ]
}

@test "the shell: \$SHELL when no ancestor is a shell (an orphan's parent is init)" {
    logging_shell
    # An orphan: perl forks and exits, and its child runs pool-run once it has
    # been given to init (a bounded poll of its parent). Until then the parent,
    # and bats' bash above it, are pool-run's ancestors: `setsid -f pool-run`
    # raced its exiting parent, and bash was picked when setsid lost the race.
    SHELL=$D/sh/bash perl -e '
        my $parent = $$;
        exit 0 if fork // die "fork: $!";
        for (1 .. 1000) { last if getppid() != $parent; select undef, undef, undef, 0.01 }
        die "still a child of $parent\n" if getppid() == $parent;
        exec @ARGV or die "exec: $!";
    ' pool-run 'echo {} > {}.out' ::: "$D/x" < /dev/null
    wait_until test -s "$D/x.out"
    assert_equal "$(cat "$D/x.out")" "$D/x"
    assert_equal "$(cat "$D/shell.log")" "echo $D/x > $D/x.out"
}

@test "not found 127, not executable 126: through the shell as the shell says it, directly as pool-run says it" {
    printf 'echo hi $1\n' > "$D/noexec"
    same_as_parallel --joblog "$D/log" 'no-such-command-x {} && true' ::: 1
    assert_failure 1
    [ "$stderr_pr" = "$stderr_gp" ]
    assert_equal "$(cut -f7 "$D/log" | tail -n 1)" 127
    same_as_parallel --joblog "$D/log" "$D/noexec {} && true" ::: 1
    assert_failure 1
    [ "$stderr_pr" = "$stderr_gp" ]
    assert_equal "$(cut -f7 "$D/log" | tail -n 1)" 126
    # On the fast path (-q: the newline quoted, the line simple), ours, escaped.
    run --separate-stderr pool-run -q --joblog "$D/log" $'no-such\ncommand' ::: 1
    assert_failure 1
    [ "$stderr" = 'pool-run: no-such\ncommand: command not found' ]
    assert_equal "$(cut -f7 "$D/log" | tail -n 1)" 127
}

@test "an executable script without #! runs as the shell runs it, on the fast path too" {
    printf 'echo hi $1\n' > "$D/script"
    chmod +x "$D/script"
    same_as_parallel "$D/script" ::: 1
    assert_output "hi 1"
}

@test "each job's environment: PARALLEL_SEQ, PARALLEL_JOBSLOT, PARALLEL_PID (pool-run's own pid)" {
    PARALLEL_SEQ=99 PARALLEL_JOBSLOT=99 run pool-run -j1 -k 'echo $PARALLEL_SEQ $PARALLEL_JOBSLOT {}; [ $PARALLEL_PID = $PPID ]' ::: a b
    assert_success
    assert_output "1 1 a
2 1 b"
    # The same on the fast path (-q: the $ is quoted, the line simple).
    run pool-run -j1 -k -q sh -c 'echo $PARALLEL_SEQ $PARALLEL_JOBSLOT $0' ::: a b
    assert_output "1 1 a
2 1 b"
    # Two at a time, slots 1 and 2; a slot freed is taken again.
    run pool-run -j2 -k 'echo $PARALLEL_JOBSLOT; : {}' ::: a b c d
    assert_success
    for l in "${lines[@]}"; do [[ $l == 1 || $l == 2 ]]; done
}

@test "parallel(1): seq 4 | parallel echo seq:\\\$PARALLEL_SEQ arg:{}" {
    run bash -c 'seq 4 | pool-run -k echo seq:\$PARALLEL_SEQ arg:{}'
    assert_output "seq:1 arg:1
seq:2 arg:2
seq:3 arg:3
seq:4 arg:4"
}

@test "--env _ needs --record-env first; --record-env records the names in parallel's ignored_vars" {
    export HOME=$D/home
    mkdir -p "$HOME"
    run --separate-stderr pool-run --env _ echo ::: 1
    assert_failure 255
    assert_output ""
    [ "$stderr" = "pool-run: --env _: run 'pool-run --record-env' in a clean environment first" ]
    run env -i HOME="$HOME" PATH="$PATH" A_NAME=1 pool-run --record-env
    assert_success
    assert_output ""
    run sort "$HOME/.parallel/ignored_vars"
    # As GNU parallel's: the environment's names and those it sets itself at its start.
    assert_output "A_NAME
HOME
OLDPWD
PARALLEL_HOME
PARALLEL_REMOTE_TMPDIR
PARALLEL_RSYNC_OPTS
PATH
TMPDIR"
    NEW_ONE=2 run pool-run --env _ 'echo $NEW_ONE {}' ::: 1
    assert_output "2 1"
    run pool-run --env NEW_ONE,OTHER --env PATH 'echo {}' ::: 1
    assert_output "1"
}
