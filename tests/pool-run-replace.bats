#!/usr/bin/env bats
# pool-run: GNU parallel's replacement strings, each checked against the
# real parallel: the basic ones, positional and negative, several inputs a
# job (-N, -m, -X), --plus, {= perl =}, --rpl, --parens, -I and the
# --extensionreplace family, --filter and skip(); the Perl helper process;
# the refusals (one line, 255, no job started).

load helper

setup() { D=$BATS_TEST_TMPDIR; }
teardown() { remove_test_queues; }

# The one line of a refusal: status 255, nothing on stdout, no job run.
refused() {
    run --separate-stderr pool-run "$@" touch "$D/ran" ::: x
    assert_equal "$status" 255
    assert_equal "$output" ""
    assert_equal "${#stderr_lines[@]}" 1
    [ ! -e "$D/ran" ]
}

@test "basic strings on awkward paths, as parallel's Perl: {} {.} {/} {//} {/.}" {
    same_as_parallel --merged -k echo {} {.} {/} {//} {/.} ::: "/a b/c.txt" x/ .hidden a.b. a//b / a "" "a/b.c/" "./x.y"
}

@test "the strings computed natively give parallel's Perl byte for byte, inputs with newlines (-0) included" {
    command -v parallel >/dev/null || skip "GNU parallel is not installed"
    printf 'a\nb.c/d\0x.y\nz\0a.b\nc.d\ne/f\0\n\0a/\nb\0.\n.\0a.b.c.d\n\0a.b/c\0a//b\0' > "$D/in"
    local r
    for r in '{}' '{.}' '{/}' '{//}' '{/.}' '{..}' '{...}' '{+/}' '{+.}' '{+..}' '{+...}' '{/..}' '{/...}' \
        '{:-x}' '{:2}' '{:1:3}'; do
        parallel --will-cite -0 -k --plus printf "'<%s>'" "$r" < "$D/in" > "$D/want"
        pool-run -0 -k --plus printf "'<%s>'" "$r" < "$D/in" > "$D/got"
        cmp "$D/want" "$D/got" || fail "$r: $(od -c "$D/got") is not $(od -c "$D/want")"
    done
}

@test "positional {N} {N.} {N/} {N//} {N/.}, negative {-N}, {0} is {} and {00} nothing" {
    same_as_parallel --merged -k echo {1} {2} {-1} {-2} {3} {0} {00} {1.} {2/} {-1//} {1/.} {-2.} ::: a/b.c d.e ::: e/f.g
    same_as_parallel --merged -k echo {1 } {-1 .} ::: a.b ::: c.d
}

@test "-N: {} is every input, each quoted on its own; {N} counts all the job's inputs; a missing one is empty" {
    same_as_parallel --merged -k -N2 echo {} / {1} {2} {3} {-1} / x{}y ::: a b c d e
    same_as_parallel --merged -k -N3 echo {4} {-4} {-3} {-6} {-7} ::: a b
    same_as_parallel --merged -k echo x{18446744073709551615}y x{-18446744073709551615}y ::: a
    same_as_parallel --merged -k -j1 -N2 sh -c 'printf "<%s>" "$@"; echo' sh {} ::: "a b" "it's" c
}

@test "-X repeats the word around a string per input (context replace); -m does not" {
    same_as_parallel --merged -k -j1 -X echo x{}y {1} ::: a b c
    same_as_parallel --merged -k -j1 -m echo x{}y {1} ::: a b c
    same_as_parallel --merged -k -j1 -X echo x{}y{1}z ::: a b c
    same_as_parallel --merged -k -j1 -X echo 'x{}y z{}w' ::: "a b" c
    same_as_parallel --merged -k -j1 -m echo x{}y{} ::: a b c
}

@test "{#} and {%} are once per job, even with several inputs" {
    same_as_parallel --merged -k -j1 -N2 echo {#} {%} {} ::: a b c
    same_as_parallel --merged -k -j1 -X echo x{#}y x{}y ::: a b c
}

@test "--plus: the fixed strings, native (no Perl started)" {
    same_as_parallel --merged -k --plus echo {..} {...} {+/} {+.} {+..} {+...} {/..} {/...} ::: a/b.c.d.e x.y a/b.c/d .e ""
    same_as_parallel --merged -k --plus -j1 echo {0%} {#} ::: a b c d e f g h i j k
    same_as_parallel --merged -k --plus -j12 echo {0%} ::: a
}

@test "--plus: the bash-like strings {:-x} {:N} {:N:M} {#p} {##p} {%p} {%%p} {/p/r} {//p/r} {/#p/r} {/%p/r} {^p} {^^p} {,p} {,,p}" {
    same_as_parallel --merged -k --plus echo {:-dflt} {:2} {:1:2} {:9:2} {#a} {##a*} {%.c} {%%.*} {/b/X} {//b/X} {/#a/Z} {/%c/Z} {^a} {^^b} {,A} {,,B} ::: abcabc.c 0 "" ABC
    same_as_parallel --merged -k --plus echo {1:-x} {2%.c} {-1#a} {1..} {2+.} ::: a.b.c ::: q.c
}

@test "--plus: {choose_k} and {uniq} skip jobs as parallel's Perl does" {
    same_as_parallel --merged -k --plus echo {choose_k} ::: a b c ::: a b c
    same_as_parallel --merged -k --plus echo {uniq} ::: a b ::: a b
}

@test "{= perl =}: \$_, \$job->seq(), slot(), \$arg[N], Q(), uq(); {=N perl =} and {=-N perl =}" {
    same_as_parallel --merged -k echo '{= $_=uc =}' '{=2 s/x/y/ =}' '{=-1 $_.="!" =}' '{= $_=$job->seq() =}' '{= $_=$arg[2] =}' ::: a b ::: x1 x2
    same_as_parallel --merged -k -j1 echo '{= $_=slot() =}' '{= $_=Q("a b") =}' ::: a
    same_as_parallel --merged -k echo '{= $_="x;y" =}' '{= $_="x;y";uq() =}' ::: a
    same_as_parallel --merged -k echo '{= s/a/b/ =}{=1 s/a/c/ =}' '{==}' '{=2=}' ::: a ::: d
    # File::Basename's subs in package main, as parallel's (parallel_alternatives' go-parallel)
    same_as_parallel --merged -k echo '{= $_=::dirname(::dirname($_)) =}' '{= $_=::basename($_) =}' ::: a/b/c.d
}

@test "{= perl =} split over words ('{=' '\$_=uc' '=}') is one string, as parallel joins them" {
    same_as_parallel --merged -k echo '{=' '$_=total_jobs()' '=}' ::: a b
    same_as_parallel --merged -k echo {= '$_=uc' =} x ::: a b
    same_as_parallel --merged -k echo '{=' '$_.="{"' '=}' ::: a
}

@test "{= perl =}: globals keep their values from one job to the next, as in parallel's one process" {
    same_as_parallel --merged -k -j1 echo '{= $_=++$g =}' ::: a b c
    same_as_parallel --merged -k -j1 echo '{= $_=++$n =}' '{= $_=++$n =}' ::: a b
}

@test "--rpl: a new string, one with groups ({:(\\d+)}), one that overrides; positional forms too" {
    same_as_parallel --merged -k --rpl '{..} s:\.[^.]+$::;s:\.[^.]+$::;' echo {..} {2..} ::: a.b.c ::: d.e.f
    same_as_parallel --merged -k --rpl '{:(\d+)} $_=substr($_,0,$$1)' echo {:2} {2:1} ::: abcd ::: efgh
    same_as_parallel --merged -k --rpl '{/(.)/(.)} s/$$1/$$2/g' echo {/a/b} ::: banana
    same_as_parallel --merged -k --rpl '% s/a/b/' --rpl '%% s/b/a/' echo % %% X%Y ::: ab
    same_as_parallel --merged -k --rpl '{} s/a/b/' echo {} ::: abc
    same_as_parallel --merged -k --rpl 'X' echo X ::: a
}

@test "--parens: other brackets for Perl" {
    same_as_parallel --merged -k --parens ,,,, echo ',, $_="x" ,,' ::: a
    same_as_parallel --merged -k --parens '[[]]' echo '[[ $_="x" ]]' '{= 1 =}' ::: a
}

@test "-I and --er --bnr --dnr --bner --seqreplace --slotreplace respell the basic strings" {
    same_as_parallel --merged -k -I ,, echo ,, {} ::: a
    same_as_parallel --merged -k -I ,, --er ,. echo ,, ,. {} {.} ::: a.b
    same_as_parallel --merged -k --extensionreplace ,. --bnr BB --dnr DD --bner BE --seqreplace SS --slotreplace LL echo ,. BB DD BE SS LL {/} ::: x/a.b
    same_as_parallel --merged -k --basenamereplace B --dirnamereplace R --basenameextensionreplace E echo B R E ::: x/a.b
}

@test "{colname} with --header: the column's input, {name.} and {=name perl =} too" {
    printf 'name\tage\nann.x\t30\nbob\t4\n' > "$D/t.tsv"
    same_as_parallel --merged -k --header : --colsep '\t' echo {name} {age} {name.} '{=age $_*=2 =}' :::: "$D/t.tsv"
    same_as_parallel --merged -k --header : echo {f}-{g} ::: f a b ::: g c
}

@test "--tagstring and -v take the replacement strings too, Perl included" {
    same_as_parallel --merged -k --tagstring '{= $_=uc =}:{#}' echo {} ::: a b
    same_as_parallel --merged -k -v --plus echo {..} ::: a.b.c
}

@test "values are quoted as parallel quotes them: each input one word to the shell, whatever it holds" {
    same_as_parallel --merged -k echo {} ::: "it's" 'a;b' '$(id)' 'a  b' '*' "" "-n"
    same_as_parallel --merged -k 'printf "<%s>\n" {} {= $_=uc =}' ::: "it's x" '`id`'
}

@test "--filter: a job runs only when the Perl is true, its strings replaced first" {
    same_as_parallel --merged -k --filter '{1} < {2}' echo {1} {2} ::: 1 2 3 ::: 1 2 3
    same_as_parallel --merged -k --filter '"{}" ne "b"' echo ::: a b c
    same_as_parallel --merged -k --filter '"{}" ne "echo b"' ::: 'echo a' 'echo b' 'echo c'
}

@test "skip() and --filter: the job does not run; the joblog says -2, as parallel's" {
    run pool-run -k -j1 --joblog "$D/log" echo '{= skip() if $_ eq "b" =}' ::: a b c
    assert_equal "$output" "$(printf 'a\nc')"
    assert_equal "$(cut -f7 "$D/log" | tail -n +2 | tr '\n' ' ')" "0 -2 0 "
    run pool-run --filter 'BEGIN {' echo ::: a
    assert_equal "$output" ""
}

@test "a Perl syntax error is found before any job starts: one line naming it, 255" {
    refused '{= s/( =}'
    assert_equal "${stderr_lines[0]}" "pool-run: cannot use {= s/( =}: Substitution pattern not terminated"
    refused --rpl '{x} s/(/' '{x}'
}

@test "bad replacement options: one line naming the problem, 255, no job started" {
    refused --rpl ''
    assert_equal "${stderr_lines[0]}" "pool-run: invalid --rpl '': expected 'TAG PERL', such as '{U} \$_=uc'"
    refused --rpl '{([)} 1'
    assert_equal "${stderr_lines[0]}" "pool-run: invalid --rpl '{([)} 1': ([) is not a regular expression"
    refused --parens x
    refused '{99999999999999999999}'
    refused '{= die "boom" =}'
    assert_equal "${stderr_lines[0]}" 'pool-run: {= die "boom" =}: boom'
}

@test "an empty -I, --er, --bnr, --dnr, --bner, --seqreplace or --slotreplace is refused, not searched for forever" {
    # parallel loops forever on -I ''; the timeout bounds the old spin.
    for opt in -I --er --bnr --dnr --bner --seqreplace --slotreplace; do
        run --separate-stderr timeout 20 pool-run "$opt" '' touch "$D/ran" ::: x
        assert_equal "$status" 255
        assert_equal "$output" ""
        assert_equal "${#stderr_lines[@]}" 1
        [ ! -e "$D/ran" ]
    done
    run --separate-stderr timeout 20 pool-run -I '' --dry-run echo {} ::: a.b
    assert_equal "$status" 255
    assert_equal "$stderr" "pool-run: -I: empty replacement string"
}

# The pool-run and perl processes that are children of pool-run $1.
perl_child_of() {
    local c
    for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
        [ "$(cat /proc/"$c"/comm 2>/dev/null)" = perl ] && echo "$c"
    done
    return 0
}

@test "the Perl helper starts only for Perl, never writes our stdout, and does not outlive us (SIGKILL)" {
    # {} alone: no helper.
    pool-run -j1 sleep {} ::: 30 > /dev/null &
    local pid=$!
    wait_for '[ -n "$(cat /proc/$pid/task/*/children 2>/dev/null)" ]'
    assert_equal "$(perl_child_of $pid)" ""
    kill $pid
    wait $pid || true
    # A print in user Perl goes to stderr, not into the output.
    run --separate-stderr pool-run echo '{= print "junk"; $_ = "ok" =}' ::: x
    assert_equal "$output" "ok"
    assert_equal "$stderr" "junk"
    # {= =}: one helper, which ends when pool-run is killed.
    pool-run -j1 sleep '{= $_ =}' ::: 30 > /dev/null &
    pid=$!
    wait_for '[ -n "$(perl_child_of $pid)" ]'
    local helper jobs
    helper=$(perl_child_of $pid)
    jobs=$(cat /proc/$pid/task/*/children)
    kill -9 $pid
    wait $pid || true
    wait_for '[ "$(proc_state $helper)" = "" ] || [ "$(proc_state $helper)" = Z ]'
    for j in $jobs; do [ "$j" = "$helper" ] || kill -- -"$j" 2>/dev/null || true; done
}

@test "pool-run(1)'s REPLACEMENT STRINGS: each example prints what follows its #, as GNU parallel" {
    local line cmd want
    mandoc -Tascii -O width=200 "$BATS_TEST_DIRNAME/../man/pool-run.1" | col -bx |
        sed -n '/^REPLACEMENT STRINGS/,/^OPTIONS/p' | grep -E '^ +pool-run ' | sed 's/^ *//' > "$D/examples"
    [ "$(wc -l < "$D/examples")" -ge 35 ]
    while IFS= read -r line; do
        cmd=${line%% # *}
        want=${line#* # }
        run bash -c "cd '$D' && $cmd | paste -sd'|' | sed 's/|/ | /g'"
        [ "$output" = "$want" ] || fail "$cmd: $output, not $want"
        if command -v parallel >/dev/null; then
            run bash -c "cd '$D' && ${cmd/pool-run/parallel --will-cite} | paste -sd'|' | sed 's/|/ | /g'"
            [ "$output" = "$want" ] || fail "parallel: $cmd: $output, not $want"
        fi
    done < "$D/examples"
}

@test "a job's Perl values stay its own until it ends: --halt names the command that ran, not one computed again" {
    run --separate-stderr pool-run -j2 --halt now,fail=1 'sleep 0.{= $_=++$g==1 ? 3 : 1 =}; exit {= $_=$g==1 ? 1 : 0 =}' ::: a b c
    assert_equal "$status" 1
    assert_equal "${stderr_lines[1]}" "sleep 0.3; exit 1"
}

@test "the Perl values kept for the jobs' later lines stay within a byte budget (8 MiB), not 4096 jobs' worth" {
    [ -x /usr/bin/time ] || skip "no /usr/bin/time to measure the peak RSS"
    # 100 values of 1 MB: kept whole before (~100 MB), within the budget now (~16 MB).
    /usr/bin/time -f %M -o "$D/rss" pool-run --dry-run 'true {= $_ = "a" x 1000000 =}' ::: $(seq 100) > /dev/null
    local kb
    kb=$(tail -n 1 "$D/rss")
    [ "$kb" -lt 64000 ] || { echo "peak RSS $kb KB" >&2; false; }
}

@test "without perl on PATH: a command with Perl is refused in one line, one without runs" {
    run --separate-stderr env PATH=/nonexistent "$PROCKIT_BIN/pool-run" echo '{= $_ =}' ::: a
    assert_equal "$status" 255
    assert_equal "$stderr" "pool-run: perl helper: cannot run perl: command not found"
    run env PATH=/nonexistent "$PROCKIT_BIN/pool-run" /bin/echo {/} ::: d/a
    assert_output "a"
}

@test "user Perl that changes \$/, \$\\ or \$, leaves the helper's own reading and writing as they were" {
    same_as_parallel --merged -k 'echo {= $/ = "" =}{}' ::: 1 2
    assert_output "$(printf '11\n22')"
    # (GNU parallel's own output obeys $\ and breaks: "Output is incomplete".)
    run pool-run -k 'echo {= $\ = "X"; $, = "Y" =}{}' ::: 1 2
    assert_success
    assert_output "$(printf '11\n22')"
}

@test "user Perl that loops: SIGTERM ends pool-run of it and the helper with it; SIGKILL leaves no helper behind" {
    pool-run 'echo {= 1 while 1 =}{}' ::: 1 &
    pid=$!
    wait_for "pgrep -P $pid -x perl >/dev/null"
    helper=$(pgrep -P $pid -x perl)
    kill -TERM $pid
    rc=0; wait $pid || rc=$?
    assert_equal $rc 143
    wait_until test ! -e /proc/$helper
    # Killed, pool-run cannot end the helper itself: the kernel does
    # (PR_SET_PDEATHSIG), though user Perl never reads the end of file.
    pool-run 'echo {= 1 while 1 =}{}' ::: 1 &
    pid=$!
    wait_for "pgrep -P $pid -x perl >/dev/null"
    helper=$(pgrep -P $pid -x perl)
    kill -KILL $pid
    wait $pid || true
    wait_until test ! -e /proc/$helper
}

@test "a perl helper that exits at once: one line, its reason lower-case as pool-run's other messages, 255" {
    mkdir "$D/fake"
    printf '#!/bin/sh\nexit 0\n' > "$D/fake/perl"
    chmod +x "$D/fake/perl"
    PATH=$D/fake:$PATH run --separate-stderr pool-run 'echo {= $_.=1 =}' ::: a
    assert_equal "$status" 255
    assert_equal "${#stderr_lines[@]}" 1
    [[ "${stderr_lines[0]}" =~ ^"pool-run: perl helper: "[a-z]+": "[a-z] ]]
}
