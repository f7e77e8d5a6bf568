#!/usr/bin/env bats
# The man pages are the contract: they lint clean and their EXAMPLES run.

load helper

teardown() { remove_test_queues; }

@test "every man page passes mandoc -Tlint -Wwarning" {
    run mandoc -Tlint -Wwarning "$BATS_TEST_DIRNAME"/../man/*.[17]
    assert_success
    assert_output ""
}

@test "every tool has a man page with an EXIT STATUS section" {
    for tool in "$PROCKIT_BIN"/*; do
        page=$BATS_TEST_DIRNAME/../man/$(basename "$tool").1
        assert_file_exists "$page"
        grep -q '^\.Sh EXIT STATUS' "$page"
    done
}

# The literal blocks of a page's EXAMPLES section (page: shq.1, prockit.7), one file each, run as
# written in a scratch directory, queue names made unique to this test. Where the page says what
# an example prints, tests/man-examples/PAGE/exampleN.out holds it (exampleN.sorted: the lines
# in any order, for an example whose jobs race), and its standard output must be that.
run_examples() {
    local page=$BATS_TEST_DIRNAME/../man/$1 prefix ex
    prefix=$(qname "")
    mkdir -p "$BATS_TEST_TMPDIR/$1" "$BATS_TEST_TMPDIR/$1.tmp"
    awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
         on && /^\.Bd -literal/ { block++; lit = 1; next } /^\.Ed/ { lit = 0; next }
         on && lit { print > (dir "/example" block ".sh") }' \
        dir="$BATS_TEST_TMPDIR/$1" "$page"
    ls "$BATS_TEST_TMPDIR/$1"/example*.sh
    for ex in "$BATS_TEST_TMPDIR/$1"/example*.sh; do
        sed -i -E "s/ (jobs|files)( |$)/ ${prefix}\1\2/g; s#(mq|shm):/(jobs|files|stage)#\1:/${prefix}\2#g; s/--from jobs/--from ${prefix}jobs/g" "$ex"
        run bash -c "cd '$BATS_TEST_TMPDIR/$1' && TMPDIR='$BATS_TEST_TMPDIR/$1.tmp' bash -e '$ex'"
        [ "$status" -eq 0 ] || { cat "$ex"; echo "$output"; false; }
        local said=$BATS_TEST_DIRNAME/man-examples/$1/$(basename "$ex" .sh)
        if [ -f "$said.out" ]; then
            bash -c "cd '$BATS_TEST_TMPDIR/$1' && TMPDIR='$BATS_TEST_TMPDIR/$1.tmp' bash -e '$ex'" 2>/dev/null >"$ex.stdout"
            diff -u "$said.out" "$ex.stdout" || { cat "$ex"; false; }
        fi
        if [ -f "$said.sorted" ]; then
            bash -c "cd '$BATS_TEST_TMPDIR/$1' && TMPDIR='$BATS_TEST_TMPDIR/$1.tmp' bash -e '$ex'" 2>/dev/null | sort >"$ex.stdout"
            diff -u "$said.sorted" "$ex.stdout" || { cat "$ex"; false; }
        fi
        # An example that makes a directory with mktemp -d removes it: pasted, nothing is left.
        assert_equal "$(find "$BATS_TEST_TMPDIR/$1.tmp" -mindepth 1 -maxdepth 1)" ""
    done
    run shq ls
    refute_output --partial "$prefix"
}

@test "the EXAMPLES of shq(1) run and succeed" {
    run_examples shq.1
}

@test "the EXAMPLES of pipe-cat(1) run and succeed" {
    run_examples pipe-cat.1
}

@test "the EXAMPLES of pool-run(1) run and succeed" {
    run_examples pool-run.1
}

@test "the EXAMPLES of zombie-watch(1) run and succeed" {
    run_examples zombie-watch.1
}

@test "the EXAMPLES of orphan-demo(1) run and succeed" {
    run_examples orphan-demo.1
}

@test "the EXAMPLES of prockit(7) run and succeed" {
    run_examples prockit.7
}

@test "--help of every tool matches the SYNOPSIS of its man page" {
    for tool in "$PROCKIT_BIN"/*; do
        name=$(basename "$tool")
        synopsis=$(mandoc -Tutf8 "$BATS_TEST_DIRNAME/../man/$name.1" | col -b |
            sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \t\n' ' ' | sed 's/^ //; s/ $//')
        usage=$("$tool" --help | sed -n '/^usage:/,/^$/p' | sed 's/^usage://' | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
        [ "$synopsis" = "$usage" ] || { echo "$name man:  $synopsis"; echo "$name help: $usage"; false; }
    done
}

# A loop polling a file that a background command's redirect creates may run before the file
# exists: grep must stay quiet (-s) or the example prints "No such file" at random.
@test "EXAMPLES that poll a background writer's file do not race its creation" {
    run grep -n 'until grep -q ' "$BATS_TEST_DIRNAME"/../man/*.[17]
    assert_failure
    assert_output ""
}

# Pasted, `shq create -x jobs ... shq rm jobs` would take and delete a queue the user already has.
@test "examples in the pages and README make queues of their own name, not a fixed one" {
    run grep -nE 'shq create -x (jobs|files)( |$)' "$BATS_TEST_DIRNAME"/../man/*.[17] "$BATS_TEST_DIRNAME"/../README.md
    assert_failure
    assert_output ""
}

# orphan-demo's -n is deprecated (a note on stderr): what users copy uses -c.
@test "README and make demo use orphan-demo's -c, not the deprecated -n" {
    run grep -nE 'orphan-demo .*-n [0-9]' "$BATS_TEST_DIRNAME"/../README.md "$BATS_TEST_DIRNAME"/demo.sh
    assert_failure
    assert_output ""
}

# man(1) renders with groff, not mandoc: a -column table too wide for the page ran two columns
# together and wrapped one word a line ("can't break line") in prockit(7).
@test "every man page renders with man(1) without warnings" {
    for page in "$BATS_TEST_DIRNAME"/../man/*.[17]; do
        run bash -c "man --warnings -l '$page' 2>&1 >/dev/null"
        assert_output ""
    done
}

# Small drifts a reader of the pages alone ran into.
@test "pool-run's -j 0 is the same number in --help and pool-run(1)" {
    run "$PROCKIT_BIN/pool-run" --help
    assert_output --partial "0 as many as 250"
    grep -q 'or with 0 as many as 250' "$BATS_TEST_DIRNAME/../man/pool-run.1"
}

@test "zombie-watch(1) names the --prometheus temporary file as lib/prometheus.cpp makes it (.NAME.PID-HEX)" {
    grep -q '^\.It Ar DIR Ns Pa /\. Ns Ar NAME Ns Pa \\&\. Ns Ar PID Ns - Ns Ar HEX$' "$BATS_TEST_DIRNAME/../man/zombie-watch.1"
    grep -q '"\.%d-%lx"' "$BATS_TEST_DIRNAME/../lib/prometheus.cpp"
}

@test "pipe-cat(1) and prockit(7) say that pipe-cat reading a queue leaves its tasks for shq done" {
    for page in pipe-cat.1 prockit.7; do
        mandoc -Tutf8 "$BATS_TEST_DIRNAME/../man/$page" | col -b | tr -s ' \n' ' ' |
            grep -q 'reading a queue does not mark the messages it takes as done' || { echo "$page"; false; }
    done
}

# mandoc -Tlint is clean for these, yet they rendered wrong: a .Ql that ran on over "gives" or
# "is NUL", an .Op bracket that took in the other spelling, three escapes in one quote.
@test "pool-run(1) renders its quoted examples, the --termseq heading and the escapes as meant" {
    run bash -c "mandoc -Tutf8 '$BATS_TEST_DIRNAME/../man/pool-run.1' | col -b"
    assert_output --partial "‘::: a b c :::+ 1 2’ gives ‘a 1’"
    assert_output --partial "‘\\0’ is NUL"
    assert_output --partial "--termseq SIGNAL,MS[,SIGNAL,MS ...], --term-seq"
    refute_output --regexp "‘[^’]* (gives|is NUL)"
    refute_output --partial "‘\\t, \\n, \\r’"
}

@test "pool-run(1)'s DIFFERENCES say -n/-m/-X, the bar's format, which profiles are read, --dry-run --results" {
    run bash -c "mandoc -Tutf8 '$BATS_TEST_DIRNAME/../man/pool-run.1' | col -b | tr -s ' \t\n' ' '"
    assert_output --partial "by default each input is one job (as -n1; -n, -m, -X take several)"
    assert_output --partial "not GNU parallel's percentage lines"
    refute_output --partial "no ~/.parallel/config) or citation notice: such options are refused, not ignored"
    assert_output --partial "~/.parallel/config is read only when it is the user's or root's and others may not write it"
    assert_output --partial "printed even with --results or --files, and no file is written"
}

# A reader of --help alone, or of the page alone, finds the same options: every long option
# --help names is in the page's OPTIONS, every one an OPTIONS heading names is in --help
# (the rarely used spellings on one line there).
@test "pool-run --help and pool-run(1)'s OPTIONS name the same long options" {
    local opt
    "$PROCKIT_BIN/pool-run" --help > "$BATS_TEST_TMPDIR/help"
    mandoc -Tutf8 "$BATS_TEST_DIRNAME/../man/pool-run.1" | col -b |
        sed -n '/^OPTIONS/,/^SIGNALS/p' > "$BATS_TEST_TMPDIR/options"
    for opt in $(grep -oE -- '--[a-z][a-z-]*[a-z]' "$BATS_TEST_TMPDIR/help" | sort -u); do
        grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" "$BATS_TEST_TMPDIR/options" || fail "$opt: in --help, not in pool-run(1)"
    done
    for opt in $(awk '/^\.Sh OPTIONS/ { on = 1; next } /^\.Sh / { on = 0 } on && /^\.It/' \
            "$BATS_TEST_DIRNAME/../man/pool-run.1" | grep -oE 'Fl -[a-z][a-z-]*' | sed 's/^Fl /-/' | sort -u); do
        # The other spellings are listed without their dashes.
        grep -qE -- "(^|[^a-z-])(--)?${opt#--}([^a-z-]|\$)" "$BATS_TEST_TMPDIR/help" || fail "$opt: in pool-run(1), not in --help"
    done
    grep -q -- '--no-notice' "$BATS_TEST_TMPDIR/help"
    grep -q -- '--no-notice' "$BATS_TEST_TMPDIR/options"
}

# An 80-column terminal wraps a longer line mid-word.
@test "every tool's --help fits an 80-column terminal (79 characters a line)" {
    for tool in "$PROCKIT_BIN"/*; do
        run bash -c "'$tool' --help | awk -v t='${tool##*/}' 'length > 79 { print t \": \" length \": \" \$0 }'"
        assert_output ""
    done
}

@test "README's pool-run section names what pool-run takes from parallel beyond the basics" {
    sed -n '/^## pool-run/,/^## /p' "$BATS_TEST_DIRNAME/../README.md" | tr -s ' \n' ' ' > "$BATS_TEST_TMPDIR/section"
    for w in '`{= perl =}`' '`--plus`' '`-N`' '`-m`' '`-X`' '`--colsep`' '`--csv`' '`--header`' '`--link`' \
        '`:::+`' '`-I`' '`--results' 'exported bash functions' 'composed as parallel composes it'; do
        grep -qF -- "$w" "$BATS_TEST_TMPDIR/section" || fail "README's pool-run section does not name $w"
    done
}
