#!/usr/bin/env bats
# Every input kept in fuzz/regress/TARGET/ (a crash `make fuzz` once found,
# or a seed) is run again through its target, built with the normal
# compiler: a fixed crash stays fixed. One test per target.

load helper

replay() {
    local target=$1 dir
    dir="$BATS_TEST_DIRNAME/../fuzz/regress/$target"
    [ -x "${PROCKIT_REPLAY:?}/$target" ] || fail "no replay binary for $target"
    run "$PROCKIT_REPLAY/$target" "$dir"/*
    assert_success
    assert_output ""
}

@test "fuzz regressions: json_string" { replay json_string; }

@test "fuzz regressions: proc_stat" { replay proc_stat; }

@test "fuzz regressions: threshold" { replay threshold; }

@test "fuzz regressions: escape_text" { replay escape_text; }

@test "fuzz regressions: ring" { replay ring; }

@test "fuzz regressions: command_template" { replay command_template; }

@test "fuzz regressions: joblog" { replay joblog; }

@test "fuzz regressions: endpoint" { replay endpoint; }

@test "fuzz regressions: parse" { replay parse; }

@test "fuzz regressions: records" { replay records; }

@test "fuzz regressions: prometheus_label" { replay prometheus_label; }

@test "fuzz regressions: run_args" { replay run_args; }

@test "fuzz regressions: queue_format" { replay queue_format; }

@test "fuzz regressions: queue_status" { replay queue_status; }

@test "fuzz regressions: pool_rules" { replay pool_rules; }

@test "fuzz regressions: meter" { replay meter; }

@test "fuzz regressions: zombie_sightings" { replay zombie_sightings; }

@test "fuzz regressions: parallel_options" { replay parallel_options; }

@test "fuzz regressions: replacement" { replay replacement; }

@test "fuzz regressions: columns" { replay columns; }

@test "fuzz regressions: shell_words" { replay shell_words; }

@test "fuzz regressions: semaphore" { replay semaphore; }

@test "fuzz regressions: pipe_blocks" { replay pipe_blocks; }

@test "fuzz regressions: every fuzz target has its test above" {
    local f t
    for f in "$BATS_TEST_DIRNAME"/../fuzz/*.cpp; do
        t=$(basename "$f" .cpp)
        [ "$t" = replay ] && continue
        grep -q "^@test \"fuzz regressions: $t\" { replay $t; }" "$BATS_TEST_FILENAME" \
            || fail "fuzz/$t.cpp has no test in tests/fuzz-regress.bats"
        [ -n "$(ls -A "$BATS_TEST_DIRNAME/../fuzz/regress/$t" 2>/dev/null)" ] \
            || fail "fuzz/regress/$t/ keeps no input"
    done
}
