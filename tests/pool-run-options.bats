#!/usr/bin/env bats
# pool-run's options as GNU parallel's: --results (its directory layout,
# .csv/.tsv/.json), --files, -v/-t, --tagstring, --delay, --nice, --termseq,
# --halt done=N, --eta/--progress, --minversion, --number-of-*,
# --shell-completion bash, parallel's other spellings, the remote-only and
# other options refused in one line, and $PARALLEL. Every expected output is
# GNU parallel's own, run beside pool-run.

load helper

setup() {
    D=$BATS_TEST_TMPDIR
    cd "$D"
    export TMPDIR=$D/tmp
    mkdir -p "$TMPDIR"
    unset PARALLEL
}
teardown() { remove_test_queues; }

# TOOL ARGS... in a fresh directory of its own (gp/ for parallel, pr/ for
# pool-run): its stdout in $DIR.out, status in $DIR.status, stderr in $DIR.err.
run_in() {
    local dir=$1 tool=$2
    shift 2
    local status=0
    mkdir -p "$D/$dir"
    (cd "$D/$dir" && "$tool" "$@" > "$D/$dir.out" 2> "$D/$dir.err") || status=$?
    echo "$status" > "$D/$dir.status"
}

# Both tools, each in its own directory: the same stdout, status and files
# (names and contents).
same_files_as_parallel() {
    need_parallel
    rm -rf "$D/gp" "$D/pr"
    run_in gp parallel --will-cite "$@"
    run_in pr pool-run "$@"
    assert_equal "$(cat "$D/pr.out")" "$(cat "$D/gp.out")"
    assert_equal "$(cat "$D/pr.status")" "$(cat "$D/gp.status")"
    diff -r "$D/gp" "$D/pr"
}

@test "--results DIR: parallel's tree, DIR/1/VALUE/2/VALUE/{seq,stdout,stderr}, nothing on stdout" {
    same_files_as_parallel --results out 'echo out {1} {2}; echo err {1} >&2' ::: a b ::: x y
    assert_equal "$(cat "$D/pr/out/1/b/2/y/stdout")" "out b y"
    assert_equal "$(cat "$D/pr/out/1/b/2/y/stderr")" "err b"
    assert_equal "$(cat "$D/pr/out/1/a/2/x/seq")" "1"
    assert_equal "$(cat "$D/pr.out")" ""
}

@test "--results DIR: a value's / \\ and TAB are written \\_ \\\\ \\t; an empty value is an empty name" {
    same_files_as_parallel -k --results r echo ::: 'a/b' 'c\d' "$(printf 'e\tf')" '' 'g h'
    [ -f "$D/pr/r/1/a\\_b/stdout" ]
    [ -f "$D/pr/r/1/c\\\\d/stdout" ]
    [ -f "$D/pr/r/1/stdout" ]
}

@test "--results with replacement strings: NAME, NAME.err, NAME.seq; NAME/ a directory" {
    same_files_as_parallel --results 'my_{}' 'echo {}; echo e{} >&2' ::: foo bar
    assert_equal "$(cat "$D/pr/my_foo.err")" "efoo"
    same_files_as_parallel --results 'sub/my_{}/' echo ::: foo bar
    assert_equal "$(cat "$D/pr/sub/my_bar/stdout")" "bar"
}

@test "--results with --files or --line-buffer prints each stdout file's name, as parallel" {
    same_files_as_parallel -k --files --results r echo ::: a b
    assert_equal "$(cat "$D/pr.out")" "r/1/a/stdout
r/1/b/stdout"
    same_files_as_parallel -k --lb --results r echo ::: a
}

# Starttime and JobRuntime (columns 3 and 4) differ from run to run.
mask_times() { sed -E 's/^([0-9]+[,\t]:[,\t])[0-9.]+([,\t])[0-9.]+/\1T\2R/' "$@"; }

@test "--results X.csv and X.tsv: parallel's columns, header and quoting" {
    need_parallel
    for f in out.csv out.tsv; do
        rm -rf "$D/gp" "$D/pr"
        run_in gp parallel --will-cite -k --results "$f" 'echo out {}; echo err {} >&2; printf "x\0y"; exit {#}' \
            ::: a 'b,"c' 'd e' "$(printf 't\tu')"
        run_in pr pool-run -k --results "$f" 'echo out {}; echo err {} >&2; printf "x\0y"; exit {#}' \
            ::: a 'b,"c' 'd e' "$(printf 't\tu')"
        assert_equal "$(mask_times "$D/pr/$f" | od -c)" "$(mask_times "$D/gp/$f" | od -c)"
        assert_equal "$(cat "$D/pr.status")" 4
        assert_equal "$(cat "$D/pr.out")" ""
    done
}

@test "--results -.json: parallel's records on stdout, control bytes as \\u00XX" {
    need_parallel
    local cmd='echo out {}; echo err {} >&2'
    run --separate-stderr parallel --will-cite -k --results -.json "$cmd" ::: a 'b	"c\' ::: 1 2
    local want=$output
    run --separate-stderr pool-run -k --results -.json "$cmd" ::: a 'b	"c\' ::: 1 2
    mask() { sed -E 's/"Starttime": [0-9.]+, "JobRuntime": [0-9.]+/T/'; }
    assert_equal "$(mask <<<"$output")" "$(mask <<<"$want")"
}

@test "--files: stdout in \$TMPDIR/parXXXXX.par, its name printed (after the tag), left for the user; stderr dropped" {
    run --separate-stderr pool-run -k --files 'echo out {}; echo err {} >&2' ::: a b
    assert_success
    assert_equal "$stderr" ""
    assert_equal "${#lines[@]}" 2
    [[ ${lines[0]} =~ ^$TMPDIR/par[A-Za-z0-9_]{5}\.par$ ]]
    assert_equal "$(cat "${lines[0]}")" "out a"
    assert_equal "$(cat "${lines[1]}")" "out b"
    assert_equal "$(stat -c %a "${lines[0]}")" 600
    run pool-run -k --files --tag echo ::: a
    [[ $output =~ ^a$'\t'$TMPDIR/par[A-Za-z0-9_]{5}\.par$ ]]
    run pool-run --files --tmpdir "$D" true ::: a
    [[ $output =~ ^$D/par[A-Za-z0-9_]{5}\.par$ ]]
    [ ! -s "$output" ]
}

@test "-v: each command before its output, grouped and tagged as parallel; -t on stderr; --verbose is -t" {
    same_as_parallel -k -v 'echo out {}; echo err {} >&2' ::: a 'b c'
    same_as_parallel -k -v --tag echo ::: a b
    same_as_parallel -k -t echo ::: a b
    assert_equal "$stderr" "echo a
echo b"
    same_as_parallel -k --verbose echo ::: a
    assert_equal "$stderr" "echo a"
    same_as_parallel -k -t --dry-run echo ::: a
    assert_equal "$stderr" "echo a"
}

@test "--tagstring: replacement strings and \\t escapes, as parallel" {
    same_as_parallel -k --tagstring '<{}>\t{#}' echo ::: a b
    same_as_parallel -k --tag-string 'x{1}-{2}' echo ::: a b ::: 1 2
    same_as_parallel -k --tagstring '\101\n' echo ::: a
}

@test "--delay SECONDS (and 1s-style units): jobs start that far apart" {
    pool-run -j 4 --delay 0.3 --joblog log true ::: 1 2 3
    starts=$(tail -n +2 log | cut -f3 | sort -n)
    awk 'NR > 1 && $1 - prev < 0.29 { exit 1 } { prev = $1 }' <<<"$starts"
    run pool-run --delay 1m2 true ::: 1
    assert_failure 255
    assert_output "pool-run: invalid delay '1m2': expected seconds, such as 5, 0.25 or 1m30s"
}

@test "--nice N: the jobs run at that niceness, as parallel's" {
    same_as_parallel --nice 7 'cut -d" " -f19 /proc/self/stat' ::: 1
    assert_output 7
    run pool-run --nice x true ::: 1
    assert_failure 255
}

@test "--termseq: the job's process group gets each signal in turn, then the next after its wait" {
    echo 'trap "echo usr1 >> sigs" USR1; trap "echo term >> sigs; exit 3" TERM; while :; do sleep 0.02; done' > job.sh
    run pool-run --timeout 0.2 --termseq USR1,300,TERM,300,KILL,25 bash job.sh ::: 1
    assert_failure 1
    assert_equal "$(cat sigs)" "usr1
term"
    run --separate-stderr pool-run --termseq TERM,x true ::: 1
    assert_failure 255
    assert_equal "$stderr" "pool-run: invalid --termseq 'TERM,x': expected SIGNAL,MS[,SIGNAL,MS...], such as TERM,200,KILL,25"
}

@test "--halt done=N, -1, -2, N%: the statuses and the jobs run as parallel's" {
    same_as_parallel -j1 --halt now,done=2 'echo {}; exit {}' ::: 1 3 4 0 0
    same_as_parallel -j1 --halt now,done=1 'echo {}; exit {}' ::: 3 0 4
    same_as_parallel -j1 --halt soon,fail=2 'echo {}; exit {}' ::: 1 3 4 0 0
    same_as_parallel -j1 --halt -1 'echo {}; exit {}' ::: 1 0 4
    same_as_parallel -j1 --halt -2 'echo {}; exit {}' ::: 1 0 4
    same_as_parallel -j1 --halt 50% 'echo {}; exit {}' ::: 0 1 2 3
}

@test "--halt N% that never triggers: the run's status is the percentage failed, as parallel's" {
    same_as_parallel -k -j1 --halt soon,fail=90% 'exit {}' ::: 0 1 0 0
    assert_failure 25
    same_as_parallel -k -j1 --halt 90% 'exit {}' ::: 0 1 0
    assert_failure 34
    same_as_parallel -k -j1 --halt now,success=50% 'echo {}; exit {}' ::: 0 1 2 3
    same_as_parallel -k -j1 --halt soon,fail=30% 'exit {}' ::: 0 0 3 0 0 4 0 0 0 0
    assert_failure 20
}

@test "--minversion, --number-of-cores, --number-of-threads, --number-of-sockets, --number-of-cpus: as parallel" {
    same_as_parallel --minversion 20200101
    same_as_parallel --minversion 29990101
    for o in --number-of-cores --number-of-threads --number-of-sockets --number-of-cpus --numberofcores; do
        same_as_parallel $o
    done
    same_as_parallel --number-of-threads
    assert_output "$(nproc)"
}

@test "--shell-completion bash: a line bash evaluates, completing pool-run's options and not the refused ones" {
    run pool-run --shell-completion bash
    assert_success
    run bash -c 'eval "$(pool-run --shell-completion bash)"; COMP_WORDS=(pool-run --res); COMP_CWORD=1
                 _comp_pool_run; printf "%s\n" "${COMPREPLY[@]}" | sort'
    assert_output "--res
--result
--results
--resume
--resume-failed
--resumefailed"
    run bash -c 'eval "$(pool-run --shell-completion bash)"; COMP_WORDS=(pool-run --sshl); COMP_CWORD=1
                 _comp_pool_run; echo "${#COMPREPLY[@]}"'
    assert_output 0
    run --separate-stderr pool-run --shell-completion zsh
    assert_failure 255
    assert_equal "$stderr" "pool-run: --shell-completion zsh: only bash is supported"
}

@test "parallel's other spellings of pool-run's options do what the option does" {
    need_parallel
    for pair in '--dryrun|--dry-run' '--dr|--dry-run' '--lb|--line-buffer' '--linebuffer|--line-buffer' \
        '--line-buffered|--line-buffer' '--keeporder|-k' '--max-procs=1|-j1' '-P1|-j1' '--maxprocs=1|-j1' \
        '--tag-string=<{}>|--tagstring=<{}>' '--output-as-files|--files' '--res=r|--results=r' \
        '--halt-on-error=now,fail=1|--halt=now,fail=1' '--gnu|--will-cite' '--nn|--will-cite' '--group|-k' \
        '--nok|--no-keep-order' '--term-seq=TERM,10,KILL,5|--termseq=TERM,10,KILL,5' '--min-version=1|--minversion=1'; do
        alt=${pair%|*} canon=${pair#*|}
        run pool-run -j1 -k $alt 'echo {}; exit {#}' ::: a b
        local alt_out=$output alt_status=$status
        run pool-run -j1 -k $canon 'echo {}; exit {#}' ::: a b
        [ "$alt_status" = "$status" ] || fail "$alt: status $alt_status, $canon: $status"
        [ "$alt_out" = "$output" ] || [[ $alt == --output-as-files ]] || fail "$alt: $alt_out, $canon: $output"
    done
    run pool-run -k --jl log echo ::: a
    assert_equal "$(tail -n +2 log | cut -f9)" "echo a"
    same_as_parallel -k --dryrun echo ::: a b
    run pool-run -V --gnu
    assert_output --regexp '^pool-run \(prockit\) [0-9.]+$'
}

@test "remote-only options are refused in one line pointing at --from redis://, 255, no job run" {
    for opts in '-S host' '--sshlogin host' '--sshloginfile f' '--slf f' '--transfer' '--return f' \
        '--trc f' '--basefile f' '--bf f' '-M' '--controlmaster' '--tf f' '--onall' '--nonall' '--ssh ssh'; do
        run --separate-stderr pool-run $opts touch ran ::: 1
        assert_failure 255
        [ "${#stderr_lines[@]}" = 1 ] || fail "$opts: $stderr"
        [[ $stderr == "pool-run: -"*"runs jobs on remote hosts, which pool-run does not: share a queue instead, a pool-run --from redis://HOST/QUEUE on each host" ]] || fail "$opts: $stderr"
        [ ! -e ran ]
    done
    assert_fails_with 255 "pool-run: --sshlogin runs jobs on remote hosts, which pool-run does not: share a queue instead, a pool-run --from redis://HOST/QUEUE on each host" \
        pool-run --sshlogin h echo ::: 1
    assert_fails_with 255 "pool-run: -S (--sshlogin) runs jobs on remote hosts, which pool-run does not: share a queue instead, a pool-run --from redis://HOST/QUEUE on each host" \
        pool-run -S h echo ::: 1
}

@test "parallel's options that pool-run lacks are 'not supported', 255, never silently accepted" {
    for opts in '--block-timeout 1' '--shard 1' '--group-by 1' '--tmux' '--ll' '--color' '--compress' \
        '--load 80%' '--memsuspend 1G' '--interactive' '-p' '--limit x' '--embed' '--workdir d' '--sql x' '--total-jobs 3' \
        '--tee' '--cf' '--shebang' '--show-limits' '-x' '--tollef' '-g'; do
        run --separate-stderr pool-run $opts touch ran ::: 1
        assert_failure 255
        [ "${#stderr_lines[@]}" = 1 ] || fail "$opts: $stderr"
        [[ $stderr == "pool-run: -"*" is not supported" ]] || fail "$opts: $stderr"
        [ ! -e ran ]
    done
    assert_fails_with 255 "pool-run: --color is not supported" pool-run --colour cat
    assert_fails_with 255 "pool-run: -p (--interactive) is not supported" pool-run -p echo ::: 1
}

@test "\$PARALLEL: options from the environment, split as parallel splits them; the command line wins; --plain ignores it" {
    need_parallel
    export PARALLEL='-k --tagstring "<{}> "'
    same_as_parallel echo ::: a b
    export PARALLEL="-kv -j1 --tagstring a\\ b\\'c"
    same_as_parallel echo ::: x
    export PARALLEL='-k echo pre'
    same_as_parallel ::: a b
    same_as_parallel -j2 ::: a b
    export PARALLEL='--tag'
    same_as_parallel -k --plain echo ::: a
    export PARALLEL="  -k   --tagstring 'q\\'w'  "
    same_as_parallel echo ::: a
}

@test "\$PARALLEL that cannot be split, or with a bad option, is one line and 255, no job run" {
    PARALLEL="-k 'a" run --separate-stderr pool-run touch ran ::: 1
    assert_failure 255
    assert_equal "$stderr" "pool-run: \$PARALLEL: unmatched '"
    PARALLEL='--bogus' run --separate-stderr pool-run touch ran ::: 1
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: \$PARALLEL: invalid option --bogus"
    PARALLEL='-S host' run --separate-stderr pool-run touch ran ::: 1
    assert_failure 255
    [ ! -e ran ]
}

@test "--progress and --eta: parallel's lines on stderr, the last with the jobs done" {
    run --separate-stderr pool-run -j2 --progress true ::: 1 2 3
    assert_success
    assert_equal "${stderr_lines[0]}" "Computers / CPU cores / Max jobs to run"
    [[ ${stderr_lines[1]} =~ ^1:local\ /\ [0-9]+\ /\ 2$ ]]
    assert_equal "${stderr_lines[2]}" "Computer:jobs running/jobs completed/%of started jobs/Average seconds to complete"
    # (bats drops the last line's trailing blank)
    [[ ${stderr##*$'\r'} =~ ^local:0/3/100%/[0-9.]+s\ ?$ ]]
    run --separate-stderr pool-run -j2 --eta true ::: 1 2 3
    [[ ${stderr##*$'\r'} =~ ^ETA:\ [0-9]+s\ Left:\ 0\ AVG:\ [0-9.]+s\ \ local:0/3/100%/[0-9.]+s\ ?$ ]]
}

@test "--tag: a carriage return starts a line too; --dry-run with --tag tags the commands, as parallel" {
    same_as_parallel -k --tag 'printf "a\rb\nc"' ::: x y
    same_as_parallel -k --tag --dry-run echo ::: a b
    same_as_parallel -k --tagstring '{#}' --dry-run echo ::: a b
}

@test "--header names the --results directories and the .csv columns, as parallel" {
    same_files_as_parallel --header : --results foo echo {a} {b} ::: a I II ::: b III IIII
    need_parallel
    rm -rf "$D/gp" "$D/pr"
    run_in gp parallel --will-cite -k --header : --results x.csv echo {a} {b} ::: a I ::: b III
    run_in pr pool-run -k --header : --results x.csv echo {a} {b} ::: a I ::: b III
    assert_equal "$(mask_times "$D/pr/x.csv")" "$(mask_times "$D/gp/x.csv")"
    assert_equal "$(head -1 "$D/pr/x.csv")" "Seq,Host,Starttime,JobRuntime,Send,Receive,Exitval,Signal,Command,a,b,Stdout,Stderr"
}

@test "--halt says each job it counts, as parallel: 'This job failed:' and the command; 'Starting no more jobs'" {
    same_as_parallel -j1 --halt soon,fail=2 'echo {}; exit {}' ::: 1 3 4 0 0
    assert_equal "$stderr" "pool-run: This job failed:
echo 1; exit 1
pool-run: This job failed:
echo 3; exit 3"
    same_as_parallel -j1 --halt now,success=1 'echo {}; exit {}' ::: 1 0 2
    assert_equal "$stderr" "pool-run: This job succeeded:
echo 0; exit 0"
    same_as_parallel -j1 --halt now,done=1 'echo {}; exit {}' ::: 4 0
    assert_equal "$stderr" "pool-run: This job finished:
echo 4; exit 4"
    run --separate-stderr pool-run -j2 --halt soon,fail=1 'if [ {} = a ]; then exit 1; fi; sleep 1' ::: a b
    assert_failure 1
    assert_equal "${stderr_lines[2]}" "pool-run: Starting no more jobs. Waiting for 1 jobs to finish."
}

@test "-k --line-buffer: the job whose turn it is writes its lines as they come; the others keep theirs until their turn, as parallel" {
    same_as_parallel -j0 -k --lb 'echo {};sleep {};echo {}' ::: 0.25 0.75 0.5 1
    pool-run -j2 -k --lb 'echo {}1; [ {} = b ] || while [ ! -e go ]; do sleep 0.02; done; echo {}2; touch {}.done' ::: a b > out &
    local pid=$!
    wait_for 'grep -q a1 out'
    wait_until test -e b.done
    # b has ended; its lines wait for a's turn to end.
    assert_equal "$(cat out)" "a1"
    touch go
    wait $pid
    assert_equal "$(cat out)" "a1
a2
b1
b2"
}

@test "--joblog -: the joblog on standard output, each line after its job's output, as parallel's" {
    need_parallel
    parallel --will-cite --joblog - -j1 -k echo ::: a b | cut -f1,2,5-9 > gp
    pool-run --joblog - -j1 -k echo ::: a b | cut -f1,2,5-9 > pr
    assert_equal "$(cat pr)" "$(cat gp)"
    [ ! -e ./- ]
}

@test "-j +N, -N, +0 and FILE: the online cores plus or minus N (at least 1), or the -j in FILE, as parallel" {
    # Each job waits (bounded) for WANT jobs to have started, then says its
    # slot: the highest slot is the number of jobs run at once.
    cat > job.sh <<'SH'
: > "started.$1"; i=0
while [ "$(ls started.* | wc -l)" -lt "$2" ] && [ $i -lt 300 ]; do sleep 0.01; i=$((i+1)); done
echo "$PARALLEL_JOBSLOT"
SH
    n=$(nproc)
    printf '3\n' > jfile
    for case in "+0 $n" "+1 $((n + 1))" "-1 $((n > 1 ? n - 1 : 1))" "-$((n + 5)) 1" "jfile 3"; do
        set -- $case
        rm -f started.*
        run pool-run -j "$1" bash job.sh {#} "$2" ::: $(seq $(($2 + 1)))
        assert_success
        assert_equal "$(sort -n <<<"$output" | tail -n 1)" "$2"
    done
}

@test "-u with -k or --tag: run as parallel runs them, the output passed through untagged" {
    same_as_parallel -u --tag echo ::: a
    assert_output a
    same_as_parallel -k -u echo ::: a
    same_as_parallel -u --tagstring X echo ::: a
    run pool-run -u --line-buffer echo ::: a
    assert_failure 255
}

@test "--retries 0: each job runs once, as parallel's default" {
    # (parallel loops forever on a failing job with --retries 0: not compared)
    same_as_parallel --retries 0 echo ::: a
    assert_output a
    run pool-run --retries 0 'echo {}; exit 1' ::: a
    assert_output a
    assert_failure 1
}

@test "--nice past -20 or 19 is clamped, as parallel; a bad value is quoted as given" {
    same_as_parallel --nice 25 'cut -d" " -f19 /proc/self/stat' ::: 1
    assert_output 19
    same_as_parallel --nice -30 'cut -d" " -f19 /proc/self/stat' ::: 1
    assert_output -20
    run --separate-stderr pool-run --nice -2x true ::: 1
    assert_failure 255
    assert_equal "$stderr" "pool-run: invalid niceness '-2x': expected a whole number from -20 to 19"
}

@test "--termseq: a last signal without its wait, and a wait as Perl reads it (1e3), as parallel" {
    same_as_parallel --termseq TERM,200,KILL --timeout 0.3 'sleep 30; true' ::: 1
    assert_failure 1
    same_as_parallel --termseq TERM,1e3 --timeout 0.3 'sleep 30; true' ::: 1
    assert_failure 1
}

@test "--timeout with parallel's time units: 0.5s, 1m" {
    same_as_parallel --timeout 0.3s 'sleep 30; true' ::: 1
    assert_failure 1
    same_as_parallel --timeout 1m 'echo {}' ::: a
    assert_success
}

@test "--minversion that is no whole number is refused, as parallel" {
    need_parallel
    for v in abc 2022abc ''; do
        run parallel --will-cite --minversion "$v"
        assert_failure 255
        run pool-run --minversion "$v"
        assert_failure 255
    done
}

@test "jobs see OLDPWD as pool-run's PWD and TMPDIR=/tmp when it is unset, as parallel sets them" {
    unset TMPDIR
    export OLDPWD=/nowhere
    same_as_parallel -k 'echo ~- $OLDPWD $TMPDIR {}' ::: 1
    assert_output "$D $D /tmp 1"
}

@test "--delay: no wait after the last job, when the inputs are known to be all taken" {
    run timeout 20 pool-run --delay 60 echo ::: 1
    assert_success
    assert_output 1
}

# The limit of --timeout N% is a median times N: said to the millisecond, as pool-run(1)'s
# "timed out after 0.5 s", not with six decimals.
@test "--timeout N%: the message gives the limit to the millisecond" {
    run --separate-stderr pool-run -j 1 -k --timeout 300% 'sleep {}' ::: 0.1 0.1 0.1 30
    assert_failure 1
    [[ ${stderr_lines[0]} =~ ^"pool-run: job 4 timed out after "[0-9]+(\.[0-9]{1,3})?" s and was ended: sleep 30"$ ]] ||
        fail "${stderr_lines[0]}"
}

@test "stderr closed: each job's stdout once, in order, and the jobs' stderr dropped, as parallel" {
    run --separate-stderr bash -c "pool-run -k 'echo {}; echo e{} >&2' ::: 1 2 3 2>&-"
    assert_equal "$status" 0
    assert_equal "$output" "$(printf '1\n2\n3')"
}

@test "--termseq goes on while the job's process group lives: a child that ignores SIGINT is not left when its shell exits" {
    # bash starts background jobs with SIGINT ignored: only the KILL ends it.
    run --separate-stderr pool-run --termseq INT,500,KILL,25 --timeout 0.3 'sleep 77.{} & echo $! > bg; wait' ::: 1
    assert_equal "$status" 1
    pid=$(cat bg)
    gone() { local s; s=$(proc_state "$pid"); [ -z "$s" ] || [ "$s" = Z ]; }
    wait_until gone || { kill -KILL "$pid"; false; }
}

@test "--results DIR and --joblog refuse another user's directory, link or file: root never writes through them (bugs H5)" {
    # nobody must reach it: not under BATS_TEST_TMPDIR (mode 0700).
    D=$(mktemp -d /tmp/pool-run-h5.XXXXXX) && chmod 755 "$D" && cd "$D"
    mkdir ux rootonly && chown nobody ux && echo secret > rootonly/keep
    as_nobody sh -c "mkdir -p '$D/ux/out/1/b' && ln -s '$D/rootonly/keep' '$D/ux/out/1/b/stdout' && ln -s '$D/rootonly/keep' '$D/ux/jl'"
    run pool-run --results "$D/ux/out" echo hi ::: b
    [ "$status" -eq 255 ]
    [[ "$output" == *"$D/ux is a directory of another user (uid 65534)"* ]]
    run pool-run --joblog "$D/ux/jl" echo hi ::: b
    [ "$status" -eq 255 ]
    run pool-run --results "$D/ux/res.csv" echo hi ::: b
    [ "$status" -eq 255 ]
    [ "$(cat rootonly/keep)" = secret ]
    # Under a directory of ours: a link of nobody's, in a world-writable subdirectory.
    mkdir -p mine/1 && chmod 1777 mine/1 && as_nobody ln -s "$D/rootonly" mine/1/a
    run pool-run --results mine echo hi ::: a
    [ "$status" -eq 255 ]
    [[ "$output" == *"mine/1/a is a symbolic link of another user"* ]]
    [ ! -e rootonly/seq ]
    rm -rf "$D"
}

@test "--results: a value or --header name . or .. is written \\. \\.\\.; a NAME template the inputs make climb out is refused (bugs H4)" {
    mkdir -p a/b && cd a/b
    run pool-run --header : --results out echo pwned ::: .. .. ::: .. victim
    [ "$status" -eq 0 ]
    [ ! -e "$D/a/victim" ] && [ ! -e "$D/victim" ]
    [ "$(cat 'out/\.\./\.\./\.\./victim/stdout')" = "pwned .. victim" ]
    pool-run --results out2 echo ::: . x
    [ -f 'out2/1/\./stdout' ]
    run pool-run --results 'out/{}.txt' echo hi ::: ../../esc
    [ "$status" -eq 255 ]
    [ ! -e "$D/a/esc.txt" ]
    pool-run --results '../{}.txt' echo hi ::: up
    [ "$(cat "$D/a/up.txt")" = "hi up" ]
}

@test "--results DIR: a value longer than a file name is cut to NAME_MAX, as parallel; the run goes on (bugs H7)" {
    long=$(head -c 300 /dev/zero | tr '\0' a)
    run pool-run --results out echo ::: "$long" x
    [ "$status" -eq 0 ]
    [ "$(cat "out/1/${long:0:255}/stdout")" = "$long" ]
    [ "$(cat out/1/x/stdout)" = x ]
}

@test "--max-line-length-allowed: the longest command line parallel's probe finds, printed as parallel" {
    same_as_parallel --max-line-length-allowed
    same_as_parallel --maxlinelengthallowed
    assert_output --regexp '^[0-9]+$'
}

@test "--shellquote: each job prints its line quoted, nothing run; each --shellquote quotes once more, as parallel" {
    same_as_parallel -k --shellquote echo ::: 'a b' "c'd" 'x$y'
    assert_equal "${lines[1]}" "'echo '\"'\"'c'\"'\"'\"'\"'\"'\"'\"'\"'d'\"'\""
    same_as_parallel -k --shellquote --shellquote echo ::: 'a b'
    same_as_parallel -k -v --shellquote echo ::: 'a b'
    same_as_parallel -k --dry-run --shellquote echo ::: a
    same_as_parallel -k --shell-quote ::: 'touch ran' 'a	b'
    [ ! -e ran ]
    need_parallel
    line='perl -e '\''print "@ARGV\n"'\'
    run bash -c 'printf "%s\n" "$1" | pool-run --shellquote' _ "$line"
    assert_success
    assert_output "$(printf '%s\n' "$line" | parallel --will-cite --shellquote)"
    assert_output "'perl -e '\"'\"'print \"@ARGV\\n\"'\"'\""
}

@test "--use-sockets-instead-of-threads, --use-cores-instead-of-threads: -j N% and +N count those, as parallel; --use-cpus-instead-of-cores counts threads" {
    local sockets cores threads
    sockets=$(pool-run --number-of-sockets) cores=$(pool-run --number-of-cores) threads=$(pool-run --number-of-threads)
    # The first -j jobs start together, each in its own slot.
    slots() { pool-run "$@" echo {%} ::: $(seq 8) | sort -un | tail -n 1; }
    assert_equal "$(slots --use-sockets-instead-of-threads)" "$sockets"
    assert_equal "$(slots --use-cores-instead-of-threads -j 100%)" "$cores"
    assert_equal "$(slots -j +1 --usecoresinsteadofthreads)" "$((cores + 1))"
    assert_equal "$(slots --use-cpus-instead-of-cores)" "$threads"
    assert_equal "$(slots --use-sockets-instead-of-threads -j 3)" 3
    same_as_parallel -k --use-sockets-instead-of-threads echo ::: a b
}

@test "--process-slot-var NAME: the job's slot - 1 in NAME; PARALLEL_JOBSLOT0 when not given, as parallel" {
    same_as_parallel -j1 -k --process-slot-var=name 'echo $name {} ${PARALLEL_JOBSLOT0-unset}' ::: a b
    assert_output "0 a unset
0 b unset"
    same_as_parallel -j1 -k 'echo $PARALLEL_JOBSLOT0 {}' ::: a b
    run pool-run -j2 --process-slot-var slot 'echo $slot $PARALLEL_JOBSLOT' ::: a b
    assert_equal "$(sort <<< "$output")" "0 1 a
1 2 b"
    name=given run pool-run -j1 --processslotvar name 'echo $name' ::: a
    assert_output "0 a"
    assert_fails_with 255 "pool-run: invalid --process-slot-var 'a=b': expected a variable name" pool-run --process-slot-var a=b echo ::: 1
}

@test "-J/--profile NAME: options and words from ~/.parallel/NAME, several in order, the command line last; ~/.parallel/config by default, as parallel" {
    export HOME=$D/home
    mkdir -p "$HOME/.parallel"
    touch "$HOME/.parallel/will-cite"
    printf '%s\n' '# a comment' '-k --tagstring "<{}>"' > "$HOME/.parallel/tagged"
    printf '%s\n' 'echo pre' > "$HOME/.parallel/echo"
    same_as_parallel -J tagged echo ::: a b
    assert_output "<a>	a
<b>	b"
    same_as_parallel --profile tagged -J echo ::: a b
    same_as_parallel -J tagged --tagstring X echo ::: a
    printf '%s\n' '-k' '--tag' > "$HOME/.parallel/config"
    same_as_parallel echo ::: a b
    assert_output "a	a
b	b"
    same_as_parallel --plain echo ::: a
    same_as_parallel -J echo ::: c
    assert_output "pre c"
}

@test "-J: a profile not found is one line and 255; one writable by others or owned by another user is not read" {
    export HOME=$D/home
    mkdir -p "$HOME/.parallel"
    assert_fails_with 255 "pool-run: -J nope: no such profile in $HOME/.parallel" pool-run -J nope touch ran ::: 1
    printf -- '-k\n' > "$HOME/.parallel/open"
    chmod 666 "$HOME/.parallel/open"
    assert_fails_with 255 "pool-run: profile $HOME/.parallel/open: writable by others, not read" pool-run -J open touch ran ::: 1
    chmod 644 "$HOME/.parallel/open"
    chown nobody "$HOME/.parallel/open"
    assert_fails_with 255 "pool-run: profile $HOME/.parallel/open: owned by uid $(id -u nobody), not read" pool-run -J open touch ran ::: 1
    printf 'echo "\n' > "$HOME/.parallel/config"
    assert_fails_with 255 "pool-run: profile $HOME/.parallel/config: unmatched \"" pool-run touch ran ::: 1
    [ ! -e ran ]
}

@test "--tmpl FILE=NAME: each job's file filled with its values before it runs; --cleanup removes it after, as parallel" {
    printf 'Xval: {x}\nYval: {y}\nSeq: {#}\nTenX: {=x $_=$_*10 =}\n' > my.tmpl
    same_files_as_parallel -k --header : --tmpl "$D/my.tmpl={#}.t" 'cat {#}.t' ::: x 1 2 ::: y 3
    assert_equal "$(cat "$D/pr/2.t")" "Xval: 2
Yval: 3
Seq: 2
TenX: 20"
    printf '<{}>\n' > plain.tmpl
    same_files_as_parallel -k --cleanup --template "$D/plain.tmpl=t.{#}" 'cat t.{#}' ::: a
    assert_equal "$(cat "$D/pr.out")" "<a>"
    [ ! -e "$D/pr/t.1" ]
    assert_fails_with 255 "pool-run: --tmpl: cannot open 'nope': no such file or directory" pool-run --tmpl nope=x echo ::: 1
}

@test "--tmpl NAME that is another's link or file is not written through (root never follows it)" {
    printf 'secret\n' > target
    printf '{}\n' > t.tmpl
    ln -s target 1.t
    assert_fails_with 255 "pool-run: --tmpl: '1.t' is a symbolic link: not written through" pool-run --tmpl t.tmpl=1.t cat 1.t ::: a
    assert_equal "$(cat target)" secret
    rm 1.t
    touch 1.t
    chown nobody 1.t
    assert_fails_with 255 "pool-run: --tmpl: write '1.t': owned by uid $(id -u nobody), not ours" pool-run --tmpl t.tmpl=1.t cat 1.t ::: a
}

@test "--tmpl NAME through a directory link another user made: refused, and --cleanup removes nothing behind it" {
    D=$(mktemp -d /tmp/pool-run-h1.XXXXXX) && chmod 755 "$D" && cd "$D"
    mkdir mine shared && chmod 1777 shared
    printf 'precious\n' > mine/precious
    printf '{}\n' > t.tmpl
    as_nobody ln -s "$D/mine" shared/d
    assert_fails_with 255 "pool-run: --tmpl: write '$D/shared/d/precious': 'd' is a symbolic link of uid $(id -u nobody): not followed" \
        pool-run --tmpl t.tmpl="$D/shared/d/precious" --cleanup true ::: a
    assert_equal "$(cat mine/precious)" precious
    ln -s "$D/mine" shared/own
    run pool-run --tmpl t.tmpl=shared/own/{#}.t --cleanup cat shared/own/{#}.t ::: a
    assert_success
    assert_output a
    [ ! -e mine/1.t ]
    cd / && rm -rf "$D"
}

@test "--tmpl NAME that is a FIFO or not writable: one line naming it, 255; -J of a device or directory: no doubled article" {
    printf '{}\n' > t.tmpl
    mkfifo ff
    assert_fails_with 255 "pool-run: --tmpl: 'ff' is a FIFO, not a file" pool-run --tmpl t.tmpl=ff echo ::: a
    assert_fails_with 255 "pool-run: --tmpl: 'ff' is a FIFO, not a file" pool-run --tmpl ff=x echo ::: a
    assert_fails_with 255 "pool-run: profile /dev/zero: a device, not a file" pool-run -J /dev/zero echo ::: a
    assert_fails_with 255 "pool-run: --tmpl: write 'nodir/a.t': no such file or directory" pool-run --tmpl t.tmpl=nodir/{}.t echo ::: a
}

@test "--noswap and --memfree SIZE: jobs run while the machine has the memory and does not swap, as parallel" {
    same_as_parallel -k --noswap echo the system is not swapping ::: now
    same_as_parallel -k --memfree 1k echo ::: a b
    same_as_parallel -k --memfree 1ki --noswap echo ::: a
    same_as_parallel -k --memfree 1.5k echo ::: a  # a fraction, as --block takes
}

@test "--memfree SIZE above the memory free: no job starts; SIGTERM ends the wait (143)" {
    pool-run --memfree 1P touch ran ::: 1 &
    local pid=$!
    wait_until is_sleeping "$pid"
    [ -z "$(cat /proc/$pid/task/*/children)" ]
    kill -TERM "$pid"
    local status=0
    wait "$pid" || status=$?
    assert_equal "$status" 143
    [ ! -e ran ]
    assert_fails_with 255 "pool-run: invalid --memfree '1Q': expected a size, such as 512k or 10M" pool-run --memfree 1Q echo ::: 1
}

@test "--record-env: the names parallel records, its own (OLDPWD, PARALLEL_RSYNC_OPTS...) too" {
    need_parallel
    mkdir gp pr
    PARALLEL_HOME=$D/gp parallel --record-env
    PARALLEL_HOME=$D/pr pool-run --record-env
    assert_equal "$(sort "$D/pr/ignored_vars")" "$(sort "$D/gp/ignored_vars")"
    grep -qx PARALLEL_RSYNC_OPTS "$D/pr/ignored_vars"
    # In an empty environment: what parallel sets itself, PARALLEL_HOME included.
    mkdir -p gh/.parallel ph/.parallel
    env -i HOME="$D/gh" PATH="$PATH" parallel --record-env
    env -i HOME="$D/ph" PATH="$PATH" pool-run --record-env
    assert_equal "$(sort "$D/ph/.parallel/ignored_vars")" "$(sort "$D/gh/.parallel/ignored_vars")"
}

@test "-j FILE that is a FIFO or a directory is refused in one line, 255, not opened: parallel reads -j FILE only as a regular file" {
    mkfifo fifo && mkdir dir
    # A FIFO nobody writes: opening it to read would wait forever.
    run timeout 20 pool-run -j fifo echo ::: a
    assert_equal "$status" 255
    assert_output "pool-run: -j fifo: a FIFO, not a regular file that holds the number of jobs"
    run pool-run -j dir echo ::: a
    assert_equal "$status" 255
    assert_output "pool-run: -j dir: a directory, not a regular file that holds the number of jobs"
    printf '2\n' >jfile && ln -s jfile jlink
    run pool-run -j jlink echo ::: a
    assert_success
    assert_output a
}

@test "--semaphore-timeout that is no duration is refused naming it as given, sign and all (255)" {
    run pool-run --semaphore --st -1e9 true
    assert_equal "$status" 255
    assert_output "pool-run: invalid semaphore-timeout '-1e9': expected seconds, such as 5 or 0.25"
    run pool-run --semaphore --semaphore-timeout +1x true
    assert_equal "$status" 255
    assert_output "pool-run: invalid semaphore-timeout '+1x': expected seconds, such as 5 or 0.25"
    run pool-run --semaphore --st -1mx true
    assert_equal "$status" 255
    assert_output "pool-run: invalid semaphore-timeout '-1mx': expected seconds, such as 5, 0.25 or 1m30s"
}

@test "--block, --recend, --recstart, --regexp, --remove-rec-sep, --round-robin without --pipe are ignored, as parallel: PARALLEL='--block 10M' breaks no run" {
    for opts in "--block 10M" "--block abc" "--recend x" "--recstart y" "--regexp --recstart (" --remove-rec-sep --round-robin; do
        # shellcheck disable=SC2086
        same_as_parallel -k $opts echo ::: a b
        assert_equal "$status" 0
        assert_output "a
b"
    done
    export PARALLEL='--block 10M'
    same_as_parallel -k echo ::: a b
    assert_equal "$status" 0
    assert_output "a
b"
    unset PARALLEL
    # What parallel refuses without --pipe too.
    same_as_parallel --round-robin --retries 2 echo ::: a
    assert_equal "$status" 255
    assert_equal "${stderr_pr%%$'\n'*}" "pool-run: --retries cannot be combined with --roundrobin."
}

@test "--term-grace takes --timeout's time units: a job that ignores SIGTERM gets SIGKILL 0.5s after it" {
    SECONDS=0
    run --separate-stderr pool-run --timeout 1 --term-grace 0.5s 'trap "" TERM; echo {}; exec sleep 30' ::: up
    assert_equal "$status" 1
    assert_output up
    assert_equal "$stderr" 'pool-run: job 1 timed out after 1 s and was ended: trap "" TERM; echo up; exec sleep 30'
    [ "$SECONDS" -lt 20 ]
    run pool-run --term-grace 1m30s echo ::: a
    assert_success
    assert_output a
    run pool-run --term-grace 1mx echo ::: a
    assert_equal "$status" 255
    assert_output "pool-run: invalid term-grace '1mx': expected seconds, such as 5, 0.25 or 1m30s"
}

@test "-j FILE: a file that holds no number, and a word that is neither a number nor a file, named in one line, 255" {
    printf 'abc\n' >jf
    run pool-run -j jf echo ::: a
    assert_equal "$status" 255
    assert_output "pool-run: -j jf: jf holds 'abc', not a number of jobs"
    : >empty
    run pool-run -j empty echo ::: a
    assert_equal "$status" 255
    assert_output "pool-run: -j empty: empty holds '', not a number of jobs"
    printf '%050d\n' 7 | tr 0 x >long
    run pool-run -j long echo ::: a
    assert_equal "$status" 255
    assert_output "pool-run: -j long: long holds 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...', not a number of jobs"
    run pool-run -j nosuch echo ::: a
    assert_equal "$status" 255
    assert_output "pool-run: -j nosuch: not a number of jobs, nor a file that holds one (No such file or directory)"
    # A number is read as one, no file of that name needed (as parallel).
    for j in 2 +1 -1 50% 0; do
        run pool-run -j "$j" echo ::: a
        assert_success
        assert_output a
    done
    run pool-run -j 1.5 echo ::: a
    assert_equal "$status" 255
    assert_output "pool-run: -j 1.5: not a number of jobs, nor a file that holds one (No such file or directory)"
}
