#!/usr/bin/env bats
# pool-run --pipe and --pipepart: standard input (or a file) cut into blocks
# at record boundaries, each block the standard input of a job, as GNU
# parallel's. What is checked is that no byte is lost, duplicated or
# reordered: -k outputs compared with the input byte for byte, and each
# block ending at a record boundary.

load helper

setup() {
    D=$BATS_TEST_TMPDIR
}

teardown() { kill_left_jobs; }

@test "--pipe -k cat gives the input back byte for byte, over many blocks and jobs" {
    seq 1 200000 >"$D/in"
    run pool-run -j 4 -k --pipe --block 10k cat <"$D/in"
    assert_success
    pool-run -j 4 -k --pipe --block 10k cat <"$D/in" >"$D/out"
    cmp "$D/in" "$D/out"
    # Many jobs, each ending at a line's end.
    run pool-run -j 4 -k --pipe --block 10k 'tail -c 1 | od -An -c' <"$D/in"
    [ "${#lines[@]}" -gt 100 ]
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | tr -d ' ')" '\n'
}

@test "--pipe from a pipe (not a file): the same bytes, in order with -k" {
    seq 1 100000 >"$D/in"
    cat "$D/in" | pool-run -j 3 -k --pipe --block 50k cat >"$D/out"
    cmp "$D/in" "$D/out"
}

@test "--pipe with binary data and --recend '\\0': each block ends with a NUL, the whole comes back" {
    head -c 3000000 /dev/urandom >"$D/in"
    pool-run -j 2 -k --pipe --recend '\0' --block 100k cat <"$D/in" >"$D/out"
    cmp "$D/in" "$D/out"
    run pool-run -j 2 -k --pipe --recend '\0' --block 100k 'tail -c 1 | od -An -tx1' <"$D/in"
    assert_success
    # Every block but the last ends with its record's NUL.
    n=${#lines[@]}
    [ "$n" -gt 10 ]
    assert_equal "$(printf '%s\n' "${lines[@]:0:n-1}" | sort -u | tr -d ' ')" 00
}

@test "--pipe: a record longer than the block is never split" {
    long=$(head -c 300000 /dev/zero | tr '\0' x)
    { echo a; echo "$long"; echo b; echo "$long"; echo c; } >"$D/in"
    pool-run -k --pipe --block 100k cat <"$D/in" 2>/dev/null >"$D/out"
    cmp "$D/in" "$D/out"
    run pool-run -k --pipe --block 100k 'awk "{ print length }"' <"$D/in"
    # No line comes out shorter than it went in.
    refute_line 100000
    assert_equal "$(printf '%s\n' "${lines[@]}" | grep -c 300000)" 2
}

@test "--pipe: the last record without its separator is a record, as in GNU parallel" {
    run pool-run --pipe -N1 -k 'cat; echo .' < <(printf 'a\nb\nc')
    assert_success
    assert_output "$(printf 'a\n.\nb\n.\nc.')"
}

@test "--pipe --header 1: the header before every block" {
    run pool-run --pipe --header 1 -N3 -k 'cat; echo .' < <(echo h; seq 1 7)
    assert_success
    assert_output "$(printf 'h\n1\n2\n3\n.\nh\n4\n5\n6\n.\nh\n7\n.')"
}

@test "--pipe: a job that exits without reading its block fails (SIGPIPE in the joblog), not pool-run" {
    # Blocks larger than any pipe: the job cannot have taken them.
    head -c 12000000 /dev/zero | tr '\0' '\n' >"$D/in"
    run pool-run --joblog "$D/log" -j 2 --pipe --block 4M 'exit 0' <"$D/in"
    assert_equal "$status" 3
    assert_equal "$(cut -f 8 "$D/log" | sed 1d | sort -u)" 13
    # A job that failed of itself keeps its own status.
    run pool-run -j 2 --pipe --block 4M 'exit 7' <"$D/in"
    assert_equal "$status" 3
    run pool-run --joblog "$D/log2" -j 2 --pipe --block 4M 'exit 7' <"$D/in"
    assert_equal "$(cut -f 7 "$D/log2" | sed 1d | sort -u)" 7
}

@test "--pipe: a job fails as one that left its block when more than 64 KiB of it went untaken, as GNU parallel's writes into a 64 KiB pipe; less is a success" {
    seq 100000 >"$D/in"
    # Blocks of 100 KB, each job reading a line or nothing: every one fails,
    # however fast the job went (it raced the write before).
    for job in 'head -1 >/dev/null' true; do
        for _ in 1 2 3; do
            run pool-run --pipe --block 100k "$job" <"$D/in"
            assert_equal "$status" 6
        done
        if command -v parallel >/dev/null; then
            run parallel --will-cite --pipe --block 100k "$job" <"$D/in"
            assert_equal "$status" 6
        fi
    done
    # The last, smaller block too (2M blocks of a 6.9 MB input: 4 jobs).
    seq 1000000 >"$D/big"
    run pool-run --pipe --block 2M 'head -1 >/dev/null' <"$D/big"
    assert_equal "$status" 4
    # 10 KB blocks fit a 64 KiB pipe: GNU parallel's write succeeds, so do the jobs.
    seq 10000 | {
        run pool-run --pipe --block 10k true
        assert_success
    }
}

@test "--pipe --joblog: Send is each block's bytes, Exitval 0 beside Signal 13 for a block left unread, as GNU parallel's" {
    seq 20 >"$D/in"
    pool-run --pipe --block 10 -k --joblog "$D/pr.log" cat <"$D/in" >/dev/null
    # The joblog is in the order the jobs ended (-k orders the output only):
    # compared in the order of Seq.
    assert_equal "$(sed 1d "$D/pr.log" | sort -n | cut -f 5,6,7,8 | tr '\t' ' ')" "10 10 0 0
8 8 0 0
9 9 0 0
9 9 0 0
9 9 0 0
6 6 0 0"
    if command -v parallel >/dev/null; then
        parallel --will-cite --pipe --block 10 -k --joblog "$D/gp.log" cat <"$D/in" >/dev/null
        assert_equal "$(sort -n "$D/pr.log" | cut -f 5-)" "$(sort -n "$D/gp.log" | cut -f 5-)"
    fi
    head -c 12000000 /dev/zero | tr '\0' '\n' >"$D/big"
    pool-run --joblog "$D/log" -j 2 --pipe --block 4M 'exit 0' <"$D/big" || true
    assert_equal "$(cut -f 5,7,8 "$D/log" | sed 1d | sort -u | tr '\t' ' ')" "3611392 0 13
4194304 0 13"
}

@test "--pipe --retries: a failed job's block is fed again, whole" {
    seq 1 50000 >"$D/in"
    # Each block fails the first time it is seen, and is written the second.
    job='d=$(cat; echo x); h=$(printf %s "$d" | cksum | tr " " _); if [ -e '"$D"'/$h ]; then printf %s "${d%x}"; else touch '"$D"'/$h; exit 1; fi'
    pool-run -j 3 -k --retries 2 --pipe --block 20k "$job" <"$D/in" >"$D/out"
    cmp "$D/in" "$D/out"
}

@test "--pipe: SIGTERM mid-stream ends every job, leaves none behind, and pool-run dies of it (143)" {
    mkfifo "$D/fifo"
    job='echo $$ >>'"$D"'/pids; cat >/dev/null; sleep 1000'
    pool-run -j 2 --pipe --block 1k "$job" <"$D/fifo" 2>"$D/err" &
    pid=$!
    exec 7>"$D/fifo"
    seq 1 2000 >&7
    wait_for "[ \$(wc -l <$D/pids) -ge 2 ]"
    kill -TERM $pid
    status=0
    wait $pid || status=$?
    exec 7>&-
    assert_equal "$status" 143
    assert_equal "$(cat "$D/err")" ""
    for p in $(cat "$D/pids"); do
        wait_until bash -c "! kill -0 $p 2>/dev/null"
    done
}

@test "--pipepart -a FILE: the parts, in order with -k, are the file byte for byte" {
    seq 1 300000 >"$D/in"
    pool-run -j 3 -k --pipepart -a "$D/in" --block 100k cat >"$D/out"
    cmp "$D/in" "$D/out"
    # --block -N: N parts per job slot; without -k the lines are all there once.
    pool-run -j 2 --pipepart -a "$D/in" --block -3 cat >"$D/out2"
    assert_equal "$(sort -n "$D/out2" | cksum)" "$(cksum <"$D/in")"
    run pool-run -j 2 --pipepart -a "$D/in" --block -3 'wc -l'
    assert_equal "${#lines[@]}" 6
}

@test "--pipepart at the parts' boundaries: no record is split, header before each part" {
    (echo h; seq 1 7) >"$D/in"
    run pool-run --pipepart -a "$D/in" --header 1 --block 4 -k 'cat; echo .'
    assert_success
    assert_output "$(printf 'h\n1\n2\n3\n.\nh\n4\n5\n6\n.\nh\n7\n.')"
}

@test "--cat: {} names a file (0600, in TMPDIR) that holds the block, removed after its job" {
    mkdir "$D/tmp"
    seq 1 10 >"$D/in"
    run env TMPDIR="$D/tmp" pool-run --pipe -N 4 -k --cat 'stat -c %a {}; cat {}' <"$D/in"
    assert_success
    assert_output "$(printf '600\n1\n2\n3\n4\n600\n5\n6\n7\n8\n600\n9\n10')"
    assert_equal "$(ls -A "$D/tmp")" ""
    # Without {}, the name is the job's argument, as GNU parallel's.
    run env TMPDIR="$D/tmp" pool-run --pipepart -a "$D/in" --block 10 -k --cat 'wc -l <'
    assert_output "$(printf '6\n4')"
}

@test "--fifo: {} names a FIFO the pool writes the block into, removed after its job" {
    mkdir "$D/tmp"
    seq 1 100000 >"$D/in"
    TMPDIR="$D/tmp" pool-run -j 3 --pipe --block 100k -k --fifo 'test -p {} && cat {}' <"$D/in" >"$D/out"
    cmp "$D/in" "$D/out"
    assert_equal "$(ls -A "$D/tmp")" ""
}

@test "--round-robin: -j jobs, each fed many blocks, the header once each; every line once" {
    seq 1 100000 >"$D/in"
    run pool-run --pipe --round-robin -j 3 --block 10k 'wc -l' <"$D/in"
    assert_success
    assert_equal "${#lines[@]}" 3
    assert_equal "$(printf '%s\n' "${lines[@]}" | awk '{ n += $1 } END { print n }')" 100000
    pool-run --pipe --round-robin -j 3 --block 10k cat <"$D/in" | sort -n >"$D/out"
    cmp "$D/in" "$D/out"
    run pool-run --pipe --round-robin -j 2 --header 1 --block 1k 'grep -c h' < <(echo h; seq 1 10000)
    assert_output "$(printf '1\n1')"
    # From a pipe too, all -j jobs run, as GNU parallel's (parallel_tutorial's example).
    run bash -c "seq 1 1000000 | pool-run --pipe -j 4 --round-robin 'wc -l' | wc -l"
    assert_output 4
}

@test "--fifo: a job that removes its FIFO fails alone, as one that left its block (0 13 in the joblog); the others go on" {
    mkdir "$D/tmp"
    seq 1 6 >"$D/in"
    # Job 1 removes its FIFO, then lets job 2 read its block and stays
    # until it has: the pool looks for job 1's reader meanwhile (it aborted
    # the run, 255).
    cat >"$D/job" <<'SH'
until_exists() { i=0; while [ ! -e "$1" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done; }
if [ "$1" = 1 ]; then
    rm "$2"; : >"$3.removed"; until_exists "$3.read"
else
    until_exists "$3.removed"; cat "$2"; : >"$3.read"
fi
SH
    run env TMPDIR="$D/tmp" pool-run -j 2 -k --pipe -N 2 --joblog "$D/log" --fifo sh "$D/job" {#} {} "$D/read" <"$D/in"
    assert_equal "$status" 1
    assert_output "$(printf '3\n4\n5\n6')"
    assert_equal "$(awk 'NR > 1 { print $1, $7, $8 }' "$D/log" | sort)" "$(printf '1 0 13\n2 0 0\n3 0 0')"
    assert_equal "$(ls -A "$D/tmp")" ""
}

@test "--fifo: a FIFO its job replaced (a file, a link) is neither opened nor written: one line each, the jobs fail, the link's target keeps its bytes" {
    mkdir "$D/tmp"
    echo keep >"$D/target"
    seq 1 4 >"$D/in"
    # Each job puts its own file or link in the FIFO's place (a rename, so
    # that the name is never missing), waits until the pool has said it
    # will not write it, and reads it.
    cat >"$D/job" <<'SH'
if [ "$1" = 1 ]; then echo mine >"$2.new"; else ln -s "$3/target" "$2.new"; fi
mv -T "$2.new" "$2"; i=0
while ! grep -qF -- "$2 is no longer" "$3/err" && [ $i -lt 500 ]; do sleep 0.01; i=$((i + 1)); done
cat "$2"
SH
    status=0
    TMPDIR="$D/tmp" pool-run -j 2 -k --pipe -N 2 --fifo sh "$D/job" {#} {} "$D" <"$D/in" >"$D/out" 2>"$D/err" || status=$?
    assert_equal "$status" 2
    assert_equal "$(cat "$D/out")" "$(printf 'mine\nkeep')"
    line='pool-run: --fifo: FIFO is no longer the FIFO made for its job: its block is not written'
    assert_equal "$(sed -E "s,$D/tmp/par[[:alnum:]_]{5},FIFO," "$D/err")" "$(printf '%s\n%s' "$line" "$line")"
    assert_equal "$(cat "$D/target")" keep
    assert_equal "$(ls -A "$D/tmp")" ""
}

@test "--cat, --fifo: a TMPDIR others may write without the sticky bit, or another user's, is refused (255, one line, no job run)" {
    # nobody must reach it: not under BATS_TEST_TMPDIR (mode 0700).
    T=$(mktemp -d /tmp/pool-run-pipe.XXXXXX) && chmod 755 "$T"
    mkdir "$T/open" "$T/group" "$T/sticky" "$T/nobodys"
    chmod 0777 "$T/open" && chmod 0775 "$T/group" && chmod 1777 "$T/sticky" && chown nobody "$T/nobodys"
    seq 1 4 >"$T/in"
    why="writable by others without the sticky bit, not a place for the jobs' files"
    run env TMPDIR="$T/open" pool-run --pipe --cat 'cat {}' <"$T/in"
    assert_equal "$status" 255
    assert_output "pool-run: --cat: TMPDIR $T/open has mode 0777: $why"
    run env TMPDIR="$T/group" pool-run --pipe --fifo 'cat {}' <"$T/in"
    assert_equal "$status" 255
    assert_output "pool-run: --fifo: TMPDIR $T/group has mode 0775: $why"
    run pool-run --tmpdir "$T/nobodys" --pipepart -a "$T/in" --cat 'cat {}'
    assert_equal "$status" 255
    assert_output "pool-run: --cat: TMPDIR $T/nobodys belongs to uid 65534, not a place for the jobs' files"
    # nobody is refused the open directory as root is; a sticky one is
    # anyone's, and nobody's own directory is nobody's.
    run as_nobody env TMPDIR="$T/open" pool-run --pipe --fifo 'cat {}' <"$T/in"
    assert_equal "$status" 255
    assert_output "pool-run: --fifo: TMPDIR $T/open has mode 0777: $why"
    for who in "" as_nobody; do
        for dir in sticky nobodys; do
            [ "$who$dir" = nobodys ] && continue
            run $who env TMPDIR="$T/$dir" pool-run --pipe -N 2 -k --cat 'cat {}' <"$T/in"
            assert_success
            assert_output "$(seq 1 4)"
        done
    done
    assert_equal "$(ls -A "$T/sticky" "$T/nobodys" | grep -c par)" 0
    rm -rf "$T"
}

@test "--cat, --fifo: a TMPDIR in a directory another user could move it out of is refused, whatever its own mode (255, one line, no job run)" {
    # nobody must reach it: not under BATS_TEST_TMPDIR (mode 0700).
    T=$(mktemp -d /tmp/pool-run-pipe.XXXXXX) && chmod 755 "$T"
    mkdir -p "$T/open/sub" "$T/open/nsub" "$T/nobodys/sub" "$T/sticky" "$T/shared"
    chmod 0777 "$T/open" && chmod 0700 "$T/open/sub" "$T/open/nsub" && chown nobody "$T/open/nsub" "$T/nobodys" "$T/nobodys/sub"
    chmod 1777 "$T/sticky" "$T/shared"
    ln -s "$T/open/sub" "$T/link"
    ln -s "$T/shared" "$T/sticky/nobodys" && chown -h nobody "$T/sticky/nobodys"
    seq 1 4 >"$T/in"
    # The TMPDIR is root's and 0700, and yet nobody may move it away and
    # put its own in its place, with files of its own, between our writing
    # a block and the job's reading it by name.
    as_nobody mv "$T/open/sub" "$T/open/old"
    as_nobody mv "$T/open/old" "$T/open/sub"
    why="not a place for the jobs' files"
    open="$T/open has mode 0777: writable by others without the sticky bit, $why"
    run env TMPDIR="$T/open/sub" pool-run --pipe --cat 'cat {}' <"$T/in"
    assert_equal "$status" 255
    assert_output "pool-run: --cat: TMPDIR $T/open/sub: $open"
    # Through a link of root's, the directories it leads through are checked.
    run env TMPDIR="$T/link" pool-run --pipe --fifo 'cat {}' <"$T/in"
    assert_equal "$status" 255
    assert_output "pool-run: --fifo: TMPDIR $T/link: $open"
    # A directory above of another user's: it may rename what is in it.
    run pool-run --tmpdir "$T/nobodys/sub" --pipepart -a "$T/in" --cat 'cat {}'
    assert_equal "$status" 255
    assert_output "pool-run: --cat: TMPDIR $T/nobodys/sub: $T/nobodys belongs to uid 65534, $why"
    # Another user's link in a sticky directory: its owner may replace it.
    run env TMPDIR="$T/sticky/nobodys" pool-run --pipe --cat 'cat {}' <"$T/in"
    assert_equal "$status" 255
    assert_output "pool-run: --cat: TMPDIR $T/sticky/nobodys belongs to uid 65534, $why"
    # nobody is held to it as root is; its own directories and links are its own.
    run as_nobody env TMPDIR="$T/open/nsub" pool-run --pipe --cat 'cat {}' <"$T/in"
    assert_equal "$status" 255
    assert_output "pool-run: --cat: TMPDIR $T/open/nsub: $open"
    for dir in nobodys/sub sticky/nobodys; do
        run as_nobody env TMPDIR="$T/$dir" pool-run --pipe -N 2 -k --fifo 'cat {}' <"$T/in"
        assert_success
        assert_output "$(seq 1 4)"
    done
    assert_equal "$(ls -A "$T/open/sub" "$T/open/nsub" "$T/nobodys/sub" "$T/shared" | grep -c par)" 0
    rm -rf "$T"
}

@test "--pipepart: a file that shrinks while it is read is said in one line, and the jobs of the parts it lost fail (--cat too)" {
    for read in cat 'cat {}'; do
        printf '%s\n' a b c d e f g h >"$D/f"
        rm -f "$D/emptied"
        feed=; [ "$read" = cat ] || feed=--cat
        # The first job takes its part (three lines, as GNU parallel cuts
        # it), then empties the file: the other two parts are gone.
        run --separate-stderr pool-run -j 1 -k --pipepart -a "$D/f" --block 4 --joblog "$D/log" $feed \
            "$read; [ -e '$D/emptied' ] || { : >'$D/f'; : >'$D/emptied'; }"
        assert_equal "$status" 2
        assert_output "$(printf 'a\nb\nc')"
        assert_equal "$stderr" "pool-run: $D/f: file shrank from 16 to 0 bytes while being read"
        assert_equal "$(awk 'NR > 1 { print $1, $7, $8 }' "$D/log")" "$(printf '1 0 0\n2 0 13\n3 0 13')"
    done
}

@test "--pipepart --cat --retries: a job whose part the shrunk file lost fails on every attempt, with its Send" {
    printf '%s\n' a b c d e f g h >"$D/f"
    run --separate-stderr pool-run -j 1 -k --pipepart -a "$D/f" --block 4 --cat --retries 3 --joblog "$D/log" \
        "cat {}; [ -e '$D/emptied' ] || { : >'$D/f'; : >'$D/emptied'; }"
    assert_equal "$status" 2
    assert_output "$(printf 'a\nb\nc')"
    assert_equal "$stderr" "pool-run: $D/f: file shrank from 16 to 0 bytes while being read"
    # Seq, Send, Exitval, Signal of the last attempt of each: the lost parts' blocks were 6 and 4 bytes.
    assert_equal "$(awk 'NR > 1 { print $1, $5, $7, $8 }' "$D/log" | sort -u -k1,1n | tail -n 2)" "$(printf '2 6 0 13\n3 4 0 13')"
}

@test "--pipepart: a file that grows while it is read is read to its size at the start, silently, as GNU parallel" {
    printf '%s\n' a b c d e f g h >"$D/f"
    run --separate-stderr pool-run -j 1 -k --pipepart -a "$D/f" --block 4 "cat; echo more >>'$D/f'"
    assert_success
    assert_output "$(printf '%s\n' a b c d e f g h)"
    assert_equal "$stderr" ""
}

@test "--pipe -L N: each block ends after a multiple of N lines, whatever --recend says; -N M: M records of N lines" {
    seq 1 20 >"$D/in"
    run pool-run -k --pipe -L 3 --block 10 'tr "\n" " "; echo' <"$D/in"
    assert_success
    assert_output "1 2 3 
4 5 6 
7 8 9 
10 11 12 
13 14 15 
16 17 18 
19 20 "
    run --separate-stderr pool-run -k --pipe -L 3 -N 2 --block 10 'tr "\n" " "; echo' <"$D/in"
    assert_success
    assert_output "1 2 3 4 5 6 
7 8 9 10 11 12 
13 14 15 16 17 18 
19 20 "
    run pool-run -k --pipe -l --recend x --block 10 'tr "\n" " "; echo' <"$D/in"
    assert_output "1 2 3 4 5 
6 7 8 9 
10 11 12 
13 14 15 
16 17 18 
19 20 "
    # A block shorter than N lines grows, as any record longer than the block.
    run --separate-stderr pool-run -k --pipe -L 4 --block 1 'tr "\n" " "; echo' <"$D/in"
    assert_output "1 2 3 4 
5 6 7 8 
9 10 11 12 
13 14 15 16 
17 18 19 20 "
    assert_equal "${stderr_lines[0]}" "pool-run: a record was longer than 1. Increasing to --blocksize 3."
    run --separate-stderr pool-run --pipepart -a "$D/in" -L 2 cat
    assert_failure 255
    assert_equal "${stderr_lines[0]}" "pool-run: --pipepart is incompatible with --max-replace-args, --max-lines, and -L."
}

@test "--pipe --skip-first-line: the first line is dropped before the header and the blocks" {
    seq 1 20 >"$D/in"
    run pool-run -k --pipe --skip-first-line --block 10 'tr "\n" " "; echo' <"$D/in"
    assert_success
    assert_output "2 3 4 5 6 
7 8 9 10 
11 12 13 
14 15 16 
17 18 19 
20 "
    run pool-run -k --pipe --skip-first-line --header 1 --block 10 'tr "\n" " "; echo' <"$D/in"
    assert_output "2 3 4 5 6 7 
2 8 9 10 11 
2 12 13 14 
2 15 16 17 
2 18 19 20 "
    # From a pipe too: nothing after the line is lost.
    seq 1 100000 | pool-run -k --pipe --skip-first-line --block 10k cat >"$D/out"
    cmp <(seq 2 100000) "$D/out"
}

@test "--pipepart --skip-first-line: each file's first line is left out, before its header, as GNU parallel" {
    printf 'skip me\nh1\na\nb\nc\nd\ne\n' >"$D/f1"
    printf 'skip2\nh2\nx\ny\n' >"$D/f2"
    run pool-run -k --pipepart --skip-first-line --block 4 -a "$D/f1" -a "$D/f2" 'echo "[$(tr "\n" " ")]"'
    assert_success
    assert_output "$(printf '%s\n' '[h1 a ]' '[b c d ]' '[e ]' '[h2 x ]' '[y ]')"
    run pool-run -k --pipepart --skip-first-line --header 1 --block 3 -a "$D/f1" -a "$D/f2" 'echo "[$(tr "\n" " ")]"'
    assert_success
    assert_output "$(printf '%s\n' '[h1 a b ]' '[h1 c d ]' '[h1 e ]' '[h2 x y ]')"
    # A file of one line without its newline: nothing is left of it, no job runs.
    printf 'only' >"$D/f3"
    run pool-run --pipepart --skip-first-line -a "$D/f3" 'echo ran'
    assert_success
    assert_output ""
}

@test "--pipe --cat: a reader gone (EPIPE) ends the running jobs, removes their files, then SIGPIPE (141)" {
    pool_run_reader_gone '$(cat {})' --pipe -N 1 --cat
    assert_equal "$line" a
}

@test "--pipe --fifo: a reader gone (EPIPE) ends the running jobs, removes their FIFOs, then SIGPIPE (141)" {
    pool_run_reader_gone '$(cat {})' --pipe -N 1 --fifo
    assert_equal "$line" a
}
