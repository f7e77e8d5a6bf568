#!/usr/bin/env bats
# What the examples of parallel_alternatives(7) (tests/parallel-docs/
# alternatives.corpus) found pool-run doing otherwise than GNU parallel
# 20221122. Each expected result is what GNU parallel gives for the same
# command.

load helper

teardown() { remove_test_queues; }

# perl -e 'print "x" x N': one record of N bytes, no newline.
xs() { perl -e "print 'x' x $1"; }

@test "one record a job: a line that reaches parallel's limit (63664) is refused, 255, no job run (TESTING OTHER TOOLS, INPUTSIZE)" {
    run --separate-stderr bash -c "perl -e 'print \"x\" x 131_000' | pool-run echo {}"
    assert_failure 255
    assert_output ""
    assert_equal "$stderr" "pool-run: command line too long (131005 >= 63664) at input 1: $(xs 50)..."
}

@test "one record a job: 'echo ' and 63658 bytes (63663) run, 63659 bytes (63664) do not, as parallel" {
    run --separate-stderr bash -c "perl -e 'print \"x\" x 63658' | pool-run echo {}"
    assert_success
    assert_output "$(xs 63658)"
    run --separate-stderr bash -c "perl -e 'print \"x\" x 63659' | pool-run echo {}"
    assert_failure 255
    assert_output ""
    assert_equal "$stderr" "pool-run: command line too long (63664 >= 63664) at input 1: $(xs 50)..."
}

@test "one record a job: the jobs before a record too long run, then the run ends with 255" {
    run --separate-stderr bash -c "{ echo a; perl -e 'print \"x\" x 70000'; } | pool-run -j1 echo {}"
    assert_failure 255
    assert_output "a"
    assert_equal "$stderr" "pool-run: command line too long (70005 >= 63664) at input 2: $(xs 50)..."
}

@test "-N0 without a replacement string: -v and the joblog show parallel's trailing space (loop's ls -foobarbatz)" {
    run --separate-stderr pool-run -k -N0 -v echo a ::: 1 2
    assert_success
    assert_output "echo a 
a
echo a 
a"
    run --separate-stderr bash -c 'seq 2 | pool-run -j1 -N0 --joblog - true | cut -f9'
    assert_success
    assert_output "Command
true 
true "
}

@test "--pipe: the command shows no trailing space, as parallel (its jobs have no record)" {
    pool-run --pipe true </dev/null 2>/dev/null || skip "this pool-run has no --pipe"
    run --separate-stderr bash -c 'seq 3 | pool-run --pipe -v wc -l'
    assert_success
    assert_output "wc -l
3"
}
