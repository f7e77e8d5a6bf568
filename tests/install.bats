#!/usr/bin/env bats
# make install and make uninstall honour PREFIX and DESTDIR.

load helper

@test "make install puts binaries (0755), man pages and bash completions (0644) under DESTDIR/PREFIX; uninstall removes them" {
    top=$BATS_TEST_DIRNAME/..
    dest=$BATS_TEST_TMPDIR/root
    make -s -C "$top" install DESTDIR="$dest" PREFIX=/opt/pk BUILD="$(dirname "$PROCKIT_BIN")"
    for tool in "$PROCKIT_BIN"/*; do
        name=$(basename "$tool")
        assert_equal "$(stat -c %a "$dest/opt/pk/bin/$name")" 755
        assert_equal "$(stat -c %a "$dest/opt/pk/share/man/man1/$name.1")" 644
    done
    assert_equal "$(stat -c %a "$dest/opt/pk/share/man/man7/prockit.7")" 644
    for name in shq pipe-cat pool-run zombie-watch orphan-demo _prockit; do
        assert_equal "$(stat -c %a "$dest/opt/pk/share/bash-completion/completions/$name")" 644
    done
    run "$dest/opt/pk/bin/shq" --version
    assert_success
    # bash-completion loads each file by the command's name on its first <Tab>.
    for name in shq pipe-cat pool-run zombie-watch orphan-demo; do
        run bash -c '. /usr/share/bash-completion/bash_completion; XDG_DATA_DIRS=$1 _completion_loader "$2"; complete -p "$2"' \
            _ "$dest/opt/pk/share" "$name"
        assert_output "complete -F _prockit_${name//-/_} $name"
    done
    make -s -C "$top" uninstall DESTDIR="$dest" PREFIX=/opt/pk
    run find "$dest" -type f
    assert_output ""
}
