#!/usr/bin/env bats
# The man pages are the contract: they lint clean and their EXAMPLES run.

load helper

teardown() { remove_test_queues; }

@test "every man page passes mandoc -Tlint -Wwarning" {
    run mandoc -Tlint -Wwarning "$BATS_TEST_DIRNAME"/../man/*.1
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

@test "the EXAMPLES of shq(1) run and succeed" {
    # Each literal block of the EXAMPLES section, run as written except that
    # queue names are made unique to this test.
    page=$BATS_TEST_DIRNAME/../man/shq.1
    prefix=$(qname "")
    awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
         on && /^\.Bd -literal/ { block++; lit = 1; next } /^\.Ed/ { lit = 0; next }
         on && lit { print > (dir "/example" block ".sh") }' \
        dir="$BATS_TEST_TMPDIR" "$page"
    ls "$BATS_TEST_TMPDIR"/example*.sh
    for ex in "$BATS_TEST_TMPDIR"/example*.sh; do
        sed -i -E "s/ (jobs|files)( |$)/ ${prefix}\1\2/g; s#shm:/(jobs|files)#shm:/${prefix}\1#g" "$ex"
        run bash -eo pipefail "$ex"
        [ "$status" -eq 0 ] || { cat "$ex"; echo "$output"; false; }
    done
    run shq ls
    refute_output --partial "$prefix"
}
