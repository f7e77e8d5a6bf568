#!/usr/bin/env bats
# Bash completion (completion/): each tool's function is called as bash calls
# it, with COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set, once with
# bash-completion loaded and once without it; the replies must be exactly
# those listed. bash splits a word at ':' and '=' (COMP_WORDBREAKS), so
# `mq:/q` is the three words mq : /q, and readline replaces only what follows
# the last ':': that is why a reply after mq:/ starts with '/'.

load helper

setup() {
    cd "$BATS_TEST_TMPDIR"
    mkdir sub
    touch abc 'my file'
    P=$(qname "")   # the prefix of this test's queues
}

# remove_test_queues splits shq ls at blanks and takes a name as printed:
# the names with a space and a newline are removed here by name.
teardown() {
    shq rm -f "${P}c d" "${P}e
f"
    remove_test_queues
}

export COMPLETION_DIR=$BATS_TEST_DIRNAME/../completion
MODES="bash-completion plain"   # bash-completion is in the Makefile's PACKAGES

# comp MODE LINE WORD...: the completion of TOOL (the first WORD) for the line
# LINE, the cursor at its end, split by bash into the WORDs; the replies one a
# line, sorted.
comp() {
    bash -c '
        mode=$1 line=$2
        shift 2
        [[ $mode == plain ]] || . /usr/share/bash-completion/bash_completion
        . "$COMPLETION_DIR/$1"
        COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMP_LINE=$line COMP_POINT=${#line}
        spec=$(complete -p "$1")
        spec=${spec#complete -F }
        "${spec%% *}"
        ((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort
    ' _ "$@"
}

# replies LINE WORD... == REPLY...: in every mode, the replies are exactly the REPLYs.
replies() {
    local line=$1 words=() want mode
    shift
    while [ "$1" != "==" ]; do words+=("$1"); shift; done
    shift
    want=$(if (($#)); then printf '%s\n' "$@" | LC_ALL=C sort; fi)
    for mode in $MODES; do
        echo "with $mode: $line|"
        run comp "$mode" "$line" "${words[@]}"
        assert_success
        assert_output "$want"
    done
}

# Queues of each kind, one with a space in its name and one with a newline.
make_queues() {
    shq create "${P}a"
    shq create "shm:/${P}b"
    shq create "${P}c d"
    shq create "${P}e
f"
}

@test "shq: verbs, each verb's options, nothing after an option's argument" {
    replies 'shq ' shq '' == create put get done join recover stat ls rm --help --version
    replies 'shq r' shq r == recover rm
    replies 'shq get -' shq get - == -t -n -c -a -0 -P --
    replies 'shq create -' shq create - == -m -S -s -M -g -x --
    replies 'shq recover -' shq recover - == --older-than --
    replies 'shq recover --older-than ' shq recover --older-than '' ==
    replies 'shq get -c ' shq get -c '' ==
    replies 'shq create -g roo' shq create -g roo == root
}

@test "shq: the queues of this machine after a verb that takes one, by kind; a name with a newline is skipped, a space escaped" {
    make_queues
    replies "shq get /$P" shq get "/$P" == "/${P}a" "/${P}c\\ d"
    replies "shq stat $P" shq stat "$P" ==
    replies "shq stat m" shq stat m == mq:/
    replies "shq join r" shq join r == redis://
    replies "shq get mq:/$P" shq get mq : "/$P" == "/${P}a" "/${P}c\\ d"
    replies "shq get shm:/$P" shq get shm : "/$P" == "/${P}b"
    replies "shq join -t 5 shm:/$P" shq join -t 5 shm : "/$P" == "/${P}b"
    replies "shq get -- /${P}a" shq get -- "/${P}a" == "/${P}a"
    replies "shq rm /${P}a /$P" shq rm "/${P}a" "/$P" == "/${P}a" "/${P}c\\ d"
    replies "shq put /${P}a " shq put "/${P}a" '' ==
    replies "shq put -- -" shq put -- - ==
}

@test "shq: create offers the kinds of a new queue, ls a redis server" {
    replies 'shq create ' shq create '' == mq:/ shm:/ redis://
    replies 'shq create -x s' shq create -x s == shm:/
    replies 'shq ls ' shq ls '' == redis://
}

@test "pipe-cat: SRC and DST are an endpoint kind or a file; after mq:/ and shm:/ the queues of that kind; after fifo: files" {
    make_queues
    replies 'pipe-cat ' pipe-cat '' == mq:/ shm:/ fifo: fd: file: redis:// abc 'my\ file' sub/
    replies 'pipe-cat m' pipe-cat m == mq:/ 'my\ file'
    replies 'pipe-cat my\ ' pipe-cat 'my\ ' == 'my\ file'
    replies "pipe-cat mq:/$P" pipe-cat mq : "/$P" == "/${P}a" "/${P}c\\ d"
    replies "pipe-cat - shm:/$P" pipe-cat - shm : "/$P" == "/${P}b"
    replies 'pipe-cat fifo:s' pipe-cat fifo : s == sub/
    replies 'pipe-cat -l abc file:a' pipe-cat -l abc file : a == abc
    replies 'pipe-cat fd:' pipe-cat fd : ==
}

@test "pipe-cat: options, --stats=json, nothing after an option's argument" {
    replies 'pipe-cat -' pipe-cat - == -p -f -L -s -l -0 -B -E -c -t -a -O -M --stats --stats=json \
        --append --overwrite --help --version --
    replies 'pipe-cat --o' pipe-cat --o == --overwrite
    replies 'pipe-cat --stats=' pipe-cat --stats = == json
    replies 'pipe-cat -B ' pipe-cat -B '' ==
    replies 'pipe-cat -M 06' pipe-cat -M 06 ==
}

@test "pool-run: options and their arguments: files after -a and --joblog, queues after --from, the forms of --halt" {
    make_queues
    replies 'pool-run --j' pool-run --j == --jobs --joblog
    replies 'pool-run --re' pool-run --re == --recend --recstart --record-env --regexp --remove-rec-sep --results \
        --resume --resume-failed --retries --retry-failed
    replies 'pool-run -j ' pool-run -j '' ==
    replies 'pool-run --timeout 5' pool-run --timeout 5 ==
    replies 'pool-run --joblog ' pool-run --joblog '' == abc 'my\ file' sub/
    replies 'pool-run --joblog=s' pool-run --joblog = s == sub/
    replies 'pool-run -a a' pool-run -a a == abc
    replies "pool-run --from shm:/$P" pool-run --from shm : "/$P" == "/${P}b"
    replies "pool-run -j 2 --from /$P" pool-run -j 2 --from "/$P" == "/${P}a" "/${P}c\\ d"
    replies "pool-run --from r" pool-run --from r == redis://
    replies 'pool-run --halt s' pool-run --halt s == soon,done= soon,fail= soon,success=
    replies 'pool-run --bar=' pool-run --bar = == always
}

@test "pool-run: -J and --profile offer the profiles of ~/.parallel; --tmpl files; the options of GNU parallel pool-run takes" {
    mkdir -p home/.parallel/sub
    touch home/.parallel/nice_profile home/.parallel/config
    HOME=$PWD/home replies 'pool-run -J ' pool-run -J '' == config nice_profile
    HOME=$PWD/home replies 'pool-run --profile n' pool-run --profile n == nice_profile
    replies 'pool-run --tmpl a' pool-run --tmpl a == abc
    replies 'pool-run --use-c' pool-run --use-c == --use-cores-instead-of-threads --use-cpus-instead-of-cores
    replies 'pool-run --me' pool-run --me == --memfree
}

# Every spelling that takes a value (lib/run_args.cpp's table, the letters with ':' before the
# refused ones): its value is not the COMMAND, so the word after it is completed as one.
@test "pool-run: after every option that takes a value, in each spelling, the next word is the COMMAND; --halt offers done=" {
    local opts mode
    opts=$(grep -oE '\{"[a-z-]+", *required_argument' "$BATS_TEST_DIRNAME/../lib/run_args.cpp" | sed -E 's/^\{"([a-z-]+)".*/--\1/')
    opts+=" $(sed -n '/^const char kRunShortOptions/,/refused/p' "$BATS_TEST_DIRNAME/../lib/run_args.cpp" |
        grep -v refused | grep -oE '"[^"]*"' | tr -d '"' | grep -oE '[A-Za-z0-9]:' | sed -E 's/^(.):$/-\1/')"
    for mode in $MODES; do
        for opt in $opts; do
            run comp "$mode" "pool-run $opt 2 pool-ru" pool-run "$opt" 2 pool-ru
            assert_output pool-run || fail "after $opt ($mode)"
        done
    done
    replies 'pool-run --halt n' pool-run --halt n == now,done= now,fail= now,success=
    replies 'pool-run --res s' pool-run --res s == sub/
}

@test "pool-run: the COMMAND, then files, ::: and ::::, files after ::::" {
    replies 'pool-run -j 2 pool-ru' pool-run -j 2 pool-ru == pool-run
    replies 'pool-run -- pool-ru' pool-run -- pool-ru == pool-run
    replies 'pool-run -k -- gzip a' pool-run -k -- gzip a == abc
    replies 'pool-run gzip -' pool-run gzip - ==
    replies 'pool-run gzip ' pool-run gzip '' == abc 'my\ file' sub/
    replies 'pool-run gzip :::: m' pool-run gzip :::: m == 'my\ file'
    replies 'pool-run gzip ::: a ::: s' pool-run gzip ::: a ::: s == sub/
    # After the last ':' readline replaces nothing: ':' makes ':::'.
    replies 'pool-run gzip :' pool-run gzip : == :: :::
    replies 'pool-run gzip ::' pool-run gzip :: == : ::
}

@test "zombie-watch: options, nothing after an option's argument, process ids after -p, a file after --prometheus, the COMMAND after --subreaper" {
    replies 'zombie-watch --c' zombie-watch --c == --count --critical
    replies 'zombie-watch -' zombie-watch - == --once -i -n --json -q -w -c -p --prometheus --subreaper -g -v \
        --interval --count --quiet --warning --critical --pid --group --verbose --help --version --
    replies 'zombie-watch -w ' zombie-watch -w '' ==
    replies 'zombie-watch --prometheus m' zombie-watch --prometheus m == 'my\ file'
    replies 'zombie-watch -q --prometheus=s' zombie-watch -q --prometheus = s == sub/
    replies 'zombie-watch --subreaper pool-ru' zombie-watch --subreaper pool-ru == pool-run
    replies 'zombie-watch --subreaper -g -- pool-ru' zombie-watch --subreaper -g -- pool-ru == pool-run
    replies 'zombie-watch --subreaper pool-run a' zombie-watch --subreaper pool-run a == abc
    replies 'zombie-watch --subreaper -- pool-run -' zombie-watch --subreaper -- pool-run - ==
    local mode
    for mode in $MODES; do
        run comp "$mode" "zombie-watch -p $$" zombie-watch -p "$$"
        assert_line "$$"
        # The others are processes whose pid starts so.
        [ -z "$(grep -vxE "$$[0-9]*" <<<"$output")" ] || fail "not a pid after $$: $output"
    done
}

@test "orphan-demo: modes, each mode's options, the methods after --method" {
    replies 'orphan-demo ' orphan-demo '' == orphan zombie reap --help --version
    replies 'orphan-demo reap -' orphan-demo reap - == --method -c --count --json --help
    replies 'orphan-demo zombie -' orphan-demo zombie - == -c --count --hold --json --help
    replies 'orphan-demo orphan -' orphan-demo orphan - == --json --help
    replies 'orphan-demo reap --method ' orphan-demo reap --method '' == wait sigchld ignore double-fork subreaper
    replies 'orphan-demo reap --method=d' orphan-demo reap --method = d == double-fork
    replies 'orphan-demo reap -c 3 --method s' orphan-demo reap -c 3 --method s == sigchld subreaper
    replies 'orphan-demo zombie -n ' orphan-demo zombie -n '' ==
    replies 'orphan-demo zombie --hold ' orphan-demo zombie --hold '' ==
}

# Every option the completion of TOOL offers, at the top and after each of
# its verbs or modes (shq, orphan-demo).
offered() {
    local tool=$1 mode=$2 sub
    comp "$mode" "$tool -" "$tool" -
    case $tool in
        shq | orphan-demo)
            for sub in $(comp "$mode" "$tool " "$tool" ''); do
                [[ $sub == -* ]] || comp "$mode" "$tool $sub -" "$tool" "$sub" -
            done
            ;;
    esac
}

@test "every long option each tool's --help lists, and every short one of its usage lines, is offered by its completion" {
    local tool mode opt
    for tool in shq pipe-cat pool-run zombie-watch orphan-demo; do
        "$tool" --help > "$BATS_TEST_TMPDIR/help"
        # The long forms --help leaves out (pool-run --keep-order), from the option tables.
        grep -oE '\{"[a-z-]+", *(no|required|optional)_argument' "$BATS_TEST_DIRNAME/../tools/$tool.cpp" \
            | sed -E 's/^\{"([a-z-]+)".*/--\1/' >> "$BATS_TEST_TMPDIR/help"
        for mode in $MODES; do
            offered "$tool" "$mode" > "$BATS_TEST_TMPDIR/offered"
            # Usage lines: up to the first empty line.
            for opt in $(grep -oE -- '--[a-z][a-z-]*[a-z]' "$BATS_TEST_TMPDIR/help") \
                $(sed '/^$/q' "$BATS_TEST_TMPDIR/help" | grep -oE -- '(^|[[ |])-[A-Za-z0-9]\b' | tr -d '[| '); do
                grep -qxe "$opt" "$BATS_TEST_TMPDIR/offered" || fail "$tool: $opt is not completed ($mode)"
            done
        done
    done
}

@test "every verb's options in shq's usage lines and every mode's in orphan-demo's are offered after that verb or mode" {
    local tool line sub opt w
    for tool in shq orphan-demo; do
        while read -r line; do
            line=${line#usage: }
            read -ra w <<<"$line"
            [ "${w[0]}" = "$tool" ] && [[ ${w[1]} != -* ]] || continue
            sub=${w[1]}
            echo "after $tool $sub:"
            run comp plain "$tool $sub -" "$tool" "$sub" -
            for opt in $(grep -oE -- '(^|[[ |])--?[A-Za-z0-9][a-z-]*' <<<"${line#* * }" | tr -d '[| '); do
                grep -qxe "$opt" <<<"$output" || fail "$tool $sub: $opt is not completed"
            done
        done < <("$tool" --help | sed '/^$/q')
    done
}

# Each LINE typed into an interactive bash (in a pseudo-terminal, by
# script(1)) with the completions sourced and, in MODE bash-completion,
# bash-completion loaded; then a Tab, and the line so completed printed word
# by word as [WORD]. Readline reads the keys one by one and completes at the
# Tab before it reads on, so the keys can all be sent at once. TERM=dumb:
# no bracketed-paste escapes before the lines printed.
typed() {
    local mode=$1 line
    shift
    {
        printf 'PS1=; '
        [ "$mode" = plain ] || printf '. /usr/share/bash-completion/bash_completion; '
        printf '. %q; ' "$COMPLETION_DIR"/{shq,pipe-cat,pool-run,zombie-watch,orphan-demo}
        printf '\n'
        # Tab, then ^A and ^E to wrap the line in printf '[%s]' ...; echo
        for line; do printf "%s\t\001printf '[%%s]' \005; echo\n" "$line"; done
        printf 'exit\n'
    } | TERM=dumb timeout 30 script -qc 'bash --norc --noprofile -i' /dev/null | tr -d '\r' | grep '^\['
}

@test "in an interactive bash, a Tab completes as the cases above say (readline, with and without bash-completion)" {
    make_queues
    local mode
    for mode in $MODES; do
        echo "with $mode:"
        run typed "$mode" "shq stat shm:/$P" "shq get /${P}c" 'pipe-cat my' 'pipe-cat fifo:su' \
            'pool-run --joblog=ab' "pool-run -j 2 --from mq:/${P}a" 'pool-run gzip :::: a' \
            'orphan-demo reap --method=do' 'zombie-watch --prom'
        assert_output "[shq][stat][shm:/${P}b]
[shq][get][/${P}c d]
[pipe-cat][my file]
[pipe-cat][fifo:sub/]
[pool-run][--joblog=abc]
[pool-run][-j][2][--from][mq:/${P}a]
[pool-run][gzip][::::][abc]
[orphan-demo][reap][--method=double-fork]
[zombie-watch][--prometheus]"
    done
}
