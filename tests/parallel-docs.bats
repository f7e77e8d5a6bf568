#!/usr/bin/env bats
# GNU parallel's own documentation as a differential test: every example of
# parallel_tutorial(7), parallel_examples(7) and parallel(1) that runs
# offline on one machine (tests/parallel-docs/*.corpus) is run with GNU
# parallel and with pool-run, and must give the same stdout, exit status and
# files, unless tests/parallel-docs/known-differences lists it. The list
# only shrinks: an example on it that now matches fails too, so that it is
# taken off.

load helper

docs=$BATS_TEST_DIRNAME/parallel-docs

# The suite runs once for the file; each test reads its results.
setup_file() {
    command -v parallel >/dev/null || return 0
    local status=0
    PARALLEL_DOCS_RESULTS=$BATS_FILE_TMPDIR/results \
        PARALLEL_DOCS_REPORT=$BATS_FILE_TMPDIR/report.md \
        "$BATS_TEST_DIRNAME/parallel-docs/run" >"$BATS_FILE_TMPDIR/run.out" 2>&1 || status=$?
    echo "$status" >"$BATS_FILE_TMPDIR/run.status"
}

setup() {
    command -v parallel >/dev/null || skip "GNU parallel is not installed"
}

# The ids of the known differences, one a line.
known_ids() { grep -v '^#' "$docs/known-differences" | awk 'NF { print $1 }' | sort; }

# The ids whose verdict is $1 (same, DIFF, skip).
ids_with() { awk -F '\t' -v v="$1" '$2 == v { print $1 }' "$BATS_FILE_TMPDIR/results" | sort; }

# The section of the report about example $1.
report_of() {
    awk -v id="## $1" '$0 == id { on = 1; print; next } /^## / { on = 0 } on' "$BATS_FILE_TMPDIR/report.md"
}

@test "parallel-docs: the suite ran every example of the corpus" {
    run cat "$BATS_FILE_TMPDIR/run.status"
    [ "$output" = 0 ] || cat "$BATS_FILE_TMPDIR/run.out"
    assert_output 0
    run tail -n 1 "$BATS_FILE_TMPDIR/run.out"
    assert_output --regexp '^identical / runnable: [0-9]+ / [0-9]+ '
    [ "$(ids_with same | wc -l)" -gt 0 ]
}

@test "parallel-docs: every example not in known-differences gives GNU parallel's result" {
    local unexpected id
    unexpected=$(comm -23 <(ids_with DIFF) <(known_ids))
    for id in $unexpected; do
        echo "differs from GNU parallel: $id"
        report_of "$id"
    done
    [ -z "$unexpected" ]
}

@test "parallel-docs: every example in known-differences still differs (take it off the list)" {
    local matching stale
    matching=$(comm -12 <(ids_with same) <(known_ids))
    stale=$(comm -23 <(known_ids) <(cut -f 1 "$BATS_FILE_TMPDIR/results" | sort))
    [ -z "$matching" ] || echo "now the same as GNU parallel, take off known-differences:" $matching
    [ -z "$stale" ] || echo "not an example of the corpus:" $stale
    [ -z "$matching" ] && [ -z "$stale" ]
}

@test "parallel-docs: the runner tells a pool-run that differs from one that does not" {
    local bin=$BATS_TEST_TMPDIR/bin
    mkdir -p "$bin"
    # GNU parallel itself as pool-run: the same by construction.
    printf '#!/bin/sh\nexec %s "$@"\n' "$(command -v parallel)" >"$bin/pool-run"
    chmod +x "$bin/pool-run"
    PROCKIT_BIN=$bin PARALLEL_DOCS_REPORT=$BATS_TEST_TMPDIR/r.md run "$docs/run" -f '^tutorial/input-sources/(single-1|link-1)$'
    assert_success
    assert_output --partial 'identical / runnable: 2 / 2 '
    # One that prints one line too many.
    printf '#!/bin/sh\n%s "$@"; s=$?; echo extra; exit $s\n' "$(command -v parallel)" >"$bin/pool-run"
    PROCKIT_BIN=$bin PARALLEL_DOCS_REPORT=$BATS_TEST_TMPDIR/r.md run "$docs/run" -f '^tutorial/input-sources/single-1$'
    assert_success
    assert_output --partial 'DIFF  tutorial/input-sources/single-1'
    assert_output --partial 'identical / runnable: 0 / 1 '
    grep -q '^extra$' "$BATS_TEST_TMPDIR/r.md"
}
