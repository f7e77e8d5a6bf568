#!/usr/bin/env bats
# make install and make uninstall honour PREFIX and DESTDIR.

load helper

@test "make install puts binaries (0755) and man pages (0644) under DESTDIR/PREFIX; uninstall removes them" {
    top=$BATS_TEST_DIRNAME/..
    dest=$BATS_TEST_TMPDIR/root
    make -s -C "$top" install DESTDIR="$dest" PREFIX=/opt/pk BUILD="$(dirname "$PROCKIT_BIN")"
    for tool in "$PROCKIT_BIN"/*; do
        name=$(basename "$tool")
        assert_equal "$(stat -c %a "$dest/opt/pk/bin/$name")" 755
        assert_equal "$(stat -c %a "$dest/opt/pk/share/man/man1/$name.1")" 644
    done
    assert_equal "$(stat -c %a "$dest/opt/pk/share/man/man7/prockit.7")" 644
    run "$dest/opt/pk/bin/shq" --version
    assert_success
    make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/opt/pk
    run find "$dest" -type f
    assert_output ""
}
