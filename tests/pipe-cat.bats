#!/usr/bin/env bats
# pipe-cat: every endpoint pair, framing, the end-of-stream marker, stops,
# the fast paths and the fallback, rate limits, signals and bad input.

load helper

setup() {
    D=$BATS_TEST_TMPDIR
    head -c 1000000 /dev/urandom > "$D/random"
}

teardown() { remove_test_queues; }

method() { jq -r .method "$1"; }

# --- usage -------------------------------------------------------------------

@test "pipe-cat: --help and --version; misuse is one line and the usage, status 2" {
    run pipe-cat --help
    assert_success
    assert_line --index 0 --partial "usage: pipe-cat [-p] [-f] [-L RATE]"
    run pipe-cat --version
    assert_output --regexp '^pipe-cat \(prockit\) [0-9]+\.[0-9]+\.[0-9]+$'
    for args in "-z" "-l -0" "-0 -B 1K" "a b c" "--stats=xml" "-L 10Q" "-B 0" "-c 0" "-t x" "-E - -"; do
        run --separate-stderr pipe-cat $args
        assert_failure 2
        [[ "${stderr_lines[0]}" == "pipe-cat: "* ]] || { echo "$args: $stderr"; false; }
        [[ "${stderr_lines[1]}" == "usage: pipe-cat "* ]] || [ "${#stderr_lines[@]}" -eq 1 ]
    done
    run --separate-stderr pipe-cat -l -0
    [ "${stderr_lines[0]}" = "pipe-cat: -l, -0 and -B exclude each other" ]
    run --separate-stderr pipe-cat -E - out
    [ "${stderr_lines[0]}" = "pipe-cat: -E sends the end-of-stream marker to a queue, and DST is not one" ]
    run --separate-stderr pipe-cat -L 10Q
    [ "$stderr" = "pipe-cat: invalid rate '10Q': expected a number of bytes such as 4096, 64K, 10M or 1G, from 1 to 18446744073709551615" ]
}

# --- streams -----------------------------------------------------------------

@test "pipe-cat alone is cat: binary data byte for byte" {
    pipe-cat < "$D/random" > "$D/out"
    cmp "$D/random" "$D/out"
    pipe-cat - - < "$D/random" | cat > "$D/out2"
    cmp "$D/random" "$D/out2"
}

@test "pipe to pipe moves by splice; file to file by copy_file_range; both byte for byte" {
    cat "$D/random" | pipe-cat --stats=json 2> "$D/stats" | cat > "$D/out"
    cmp "$D/random" "$D/out"
    assert_equal "$(method "$D/stats")" splice
    pipe-cat --stats=json "$D/random" "file:$D/copy" 2> "$D/stats"
    cmp "$D/random" "$D/copy"
    assert_equal "$(method "$D/stats")" copy_file_range
    pipe-cat --stats=json "$D/random" - 2> "$D/stats" | cat > "$D/out3"
    cmp "$D/random" "$D/out3"
    assert_equal "$(method "$D/stats")" splice
}

@test "where the kernel refuses splice (a file opened to append) pipe-cat falls back to read and write" {
    echo first > "$D/log"
    cat "$D/random" | pipe-cat --stats=json 2> "$D/stats" >> "$D/log"
    assert_equal "$(method "$D/stats")" "read/write"
    { echo first; cat "$D/random"; } | cmp - "$D/log"
}

@test "neither side a pipe nor both files: read and write, byte for byte" {
    pipe-cat --stats=json -B 64K -c 10 /dev/zero "$D/zeros" 2> "$D/stats"
    assert_equal "$(stat -c %s "$D/zeros")" 655360
    assert_equal "$(method "$D/stats")" "read/write"
}

@test "fifo: is made, read, written and removed again; a path that is not a FIFO is refused" {
    pipe-cat "fifo:$D/f" "$D/out" &
    pid=$!
    wait_until test -p "$D/f"
    pipe-cat "$D/random" "fifo:$D/f"
    wait $pid
    cmp "$D/random" "$D/out"
    assert_file_not_exists "$D/f"
    touch "$D/plain"
    run --separate-stderr pipe-cat "fifo:$D/plain" -
    assert_failure 4
    [ "$stderr" = "pipe-cat: open fifo:$D/plain: refused: it is a regular file, not a FIFO (name a file without fifo:)" ]
}

@test "fd:N reads and writes inherited descriptors; a closed one is status 3" {
    pipe-cat fd:7 fd:8 7< "$D/random" 8> "$D/out"
    cmp "$D/random" "$D/out"
    run --separate-stderr pipe-cat fd:9 -
    assert_failure 3
    [ "$stderr" = "pipe-cat: open fd:9: descriptor 9 is not open" ]
}

@test "a missing input is status 3; an output that cannot be opened is status 4" {
    run --separate-stderr pipe-cat "$D/nope" -
    assert_failure 3
    [ "$stderr" = "pipe-cat: open $D/nope: no such file or directory" ]
    run --separate-stderr pipe-cat "$D/random" /
    assert_failure 4
    [ "$stderr" = "pipe-cat: open /: is a directory" ]
}

@test "-c COUNT on a stream stops after COUNT lines, NUL records or chunks; fewer is status 1" {
    run pipe-cat -c 3 <(seq 10)
    assert_success
    assert_output "1
2
3"
    printf 'a\0b\0c\0' > "$D/nul"
    pipe-cat -0 -c 2 "$D/nul" "$D/out"
    printf 'a\0b\0' | cmp - "$D/out"
    run pipe-cat -c 5 <(seq 3)
    assert_failure 1
    assert_output "1
2
3"
}

@test "-c COUNT times -B BYTES past 2^64 is no limit, not a wrapped one: every byte, by splice, copy_file_range and read/write" {
    seq 10 > "$D/ten"
    for c in 9223372036854775808 18446744073709551615; do
        run bash -o pipefail -c "seq 10 | pipe-cat -c $c -B 2 - - | cat"
        assert_failure 1
        assert_output "$(seq 10)"
        run pipe-cat -O -c "$c" -B 1G "$D/ten" "$D/out"
        assert_failure 1
        cmp "$D/ten" "$D/out"
        run bash -c "pipe-cat -O -c $c -B 3 - '$D/out' < '$D/ten'"
        assert_failure 1
        cmp "$D/ten" "$D/out"
    done
}

@test "-t SECONDS stops a stream reader that gets nothing with status 1" {
    mkfifo "$D/quiet"
    exec 8<>"$D/quiet"    # a writer that never writes
    run pipe-cat -t 0.2 "$D/quiet" -
    exec 8>&-
    assert_failure 1
    assert_output ""
}

@test "-L RATE holds the rate: never above it, and not far below" {
    pipe-cat -L 1M --stats=json -B 1M -c 2 /dev/zero - 2> "$D/stats" | pipe-cat - /dev/null
    rate=$(jq .bytes_per_second "$D/stats")
    echo "rate: $rate bytes/s for a limit of 1048576"
    [ "$rate" -le $((1048576 * 105 / 100)) ]
    [ "$rate" -ge $((1048576 / 2)) ]
}

@test "a reader that goes away ends pipe-cat quietly with 141, SIGPIPE ignored or not" {
    run bash -c "yes 2>/dev/null | pipe-cat 2>'$D/err' | head -c 5 > /dev/null; echo \${PIPESTATUS[1]}"
    assert_output 141
    assert_file_empty "$D/err"
    run bash -c "trap '' PIPE; yes 2>/dev/null | pipe-cat 2>'$D/err' | head -c 5 > /dev/null; echo \${PIPESTATUS[1]}"
    assert_output 141
    assert_file_empty "$D/err"
}

@test "-p draws progress on stderr only on a terminal, or with -f" {
    pipe-cat -p "$D/random" /dev/null 2> "$D/quiet"
    assert_file_empty "$D/quiet"
    pipe-cat -p -f -s 1000000 "$D/random" /dev/null 2> "$D/progress"
    run cat "$D/progress"
    assert_output --partial $'\r'
    assert_output --partial "976.56 KiB"
    assert_output --partial "100%"
}

@test "-p: an ETA past what a long holds (-L 1, -s of exabytes) is shown capped, never negative" {
    head -c 4 /dev/zero | pipe-cat -p -f -L 1 -s 16000000T - /dev/null 2> "$D/progress"
    run bash -c "tr '\r' '\n' < '$D/progress' | grep ETA"
    assert_success
    assert_line --partial "ETA 999999:59:59"
    refute_output --partial ":-"
}

@test "--stats prints a summary line; =json one object with the counts" {
    run --separate-stderr pipe-cat --stats "$D/random" /dev/null
    assert_success
    [[ "$stderr" =~ ^pipe-cat:\ 1000000\ bytes\ \(976\.56\ KiB\),\ 0\ messages\ in\ [0-9.]+\ s,\ .*/s\ \((splice|copy_file_range|read/write)\)$ ]]
    pipe-cat --stats=json "$D/random" /dev/null 2> "$D/stats"
    assert_equal "$(jq -r '[.bytes, .messages, (.seconds | type), (.bytes_per_second | type)] | @tsv' "$D/stats")" \
        "$(printf '1000000\t0\tnumber\tnumber')"
}

# --- queues --------------------------------------------------------------------

@test "lines through a queue and back, empty lines kept, ended by -E" {
    for q in "mq:/$(qname mq)" "shm:/$(qname ring)"; do
        shq create "$q"
        printf 'one\n\n\nfour\n' > "$D/in"
        pipe-cat -O "$q" "$D/out" &
        pid=$!
        pipe-cat -E "$D/in" "$q"
        wait $pid
        cmp "$D/in" "$D/out"
    done
}

@test "NUL records and binary chunks round-trip through both kinds byte for byte" {
    for q in "mq:/$(qname mq)" "shm:/$(qname ring)"; do
        shq create "$q"
        # Binary data cut at NULs: every record, empty ones too, comes back.
        printf '\0' >> "$D/random"
        pipe-cat -O -0 "$q" "$D/out0" &
        pid=$!
        pipe-cat -0 -E "$D/random" "$q"
        wait $pid
        cmp "$D/random" "$D/out0"
        # Fixed chunks go back together without delimiters.
        pipe-cat -O -B 4K "$q" "$D/outB" &
        pid=$!
        pipe-cat -B 4K -E "$D/random" "$q"
        wait $pid
        cmp "$D/random" "$D/outB"
    done
}

@test "-E alone (from /dev/null) stops one reader at once, and is no task for join" {
    q=$(qname mq)
    shq create "$q"
    pipe-cat "mq:/$q" "$D/out" &
    pid=$!
    pipe-cat -E /dev/null "mq:/$q"
    wait $pid
    assert_file_empty "$D/out"
    seq 3 | pipe-cat -E - "mq:/$q"
    assert_equal "$(shq stat --json "$q" | jq -r '[.depth, .put, .unfinished] | @tsv')" "$(printf '4\t3\t3')"
}

@test "queue to queue keeps boundaries, and priorities between message queues" {
    a=$(qname a) b=$(qname b) r=shm:/$(qname r)
    shq create "$a"
    shq create "$b"
    shq create "$r"
    shq put -p 5 "$a" $'two\nlines'
    shq put -p 1 "$a" ""
    pipe-cat -E -c 2 "mq:/$a" "mq:/$b"
    # shq get takes the marker that -E sent without printing it.
    shq get -a -P -0 "$b" > "$D/got"
    printf '5\ttwo\nlines\0001\t\0' | cmp - "$D/got"
    assert_equal "$(shq stat --json "$b" | jq .depth)" 0
    shq put "$a" x y
    pipe-cat -E "mq:/$a" "$r" -c 2
    pipe-cat "$r" "$D/out"
    printf 'x\ny\n' | cmp - "$D/out"
}

@test "-c and -t on a queue: COUNT messages is 0; nothing for SECONDS is 1" {
    q=shm:/$(qname ring)
    shq create "$q"
    shq put "$q" a b c
    run pipe-cat -c 2 "$q"
    assert_success
    assert_output "a
b"
    run pipe-cat -t 0.1 "$q"
    assert_failure 1
    assert_output c
}

@test "a record longer than the queue's message size is an error, not cut" {
    q=$(qname small)
    shq create -s 100 "$q"
    { echo short; head -c 500 /dev/zero | tr '\0' x; echo; } > "$D/in"
    run --separate-stderr pipe-cat "$D/in" "mq:/$q"
    assert_failure 4
    [ "$stderr" = "pipe-cat: record of 500 bytes from $D/in exceeds the message size of mq:/$q, 100" ]
    run shq get -a "$q"
    assert_output short
}

@test "-B takes the memory the data needs, not what BYTES allows: -B 1G under a 500 MB limit" {
    skip_if_sanitized pipe-cat
    q=$(qname q)
    shq create "$q"
    run bash -c "ulimit -v 500000; pipe-cat -B 1G /dev/null mq:/$q"
    assert_success
    assert_output ""
    run bash -c "ulimit -v 500000; printf 'abc' | pipe-cat -B 1G - mq:/$q"
    assert_success
    run shq get -n "$q"
    assert_output abc
    # Longer than the queue's messages: said before 1 GiB is read in. From a
    # file, not a pipe: a pipe's reads may come short, and the message counts
    # what was read when the chunk passed the limit.
    head -c 100000 /dev/zero > "$BATS_TEST_TMPDIR/zeros"
    run --separate-stderr bash -c "ulimit -v 500000; pipe-cat -B 1G - mq:/$q < '$BATS_TEST_TMPDIR/zeros'"
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: chunk of more than 65536 bytes from standard input exceeds the message size of mq:/$q, 8192"
}

@test "missing queues are status 3; a segment that is not a ring is status 4" {
    run --separate-stderr pipe-cat - "mq:/$(qname none)" < /dev/null
    assert_failure 3
    [ "$stderr" = "pipe-cat: mq:/$(qname none): queue does not exist" ]
    name=$(qname foreign)
    printf 'garbage!%.0s' $(seq 10) > "/dev/shm/$name"
    run --separate-stderr pipe-cat "shm:/$name" -
    rm "/dev/shm/$name"
    assert_failure 4
    [ "$stderr" = "pipe-cat: shm:/$name: not a prockit queue" ]
}

# --- signals ---------------------------------------------------------------------

@test "SIGTERM to a reader waiting on a queue: what it read is written, then 143" {
    q=$(qname mq)
    shq create "$q"
    shq put "$q" a b c
    pipe-cat "mq:/$q" "$D/out" &
    pid=$!
    wait_until grep -qx c "$D/out"
    check_signal_ends TERM $pid 143
    assert_equal "$(cat "$D/out")" "a
b
c"
}

@test "SIGINT to a writer blocked on a full queue ends it with 130" {
    q=shm:/$(qname tiny)
    shq create -S 64 -s 20 "$q"
    seq 1000 > "$D/in"
    pipe-cat "$D/in" "$q" &
    check_signal_ends INT $! 130
}

@test "SIGINT to a writer waiting for a FIFO's reader ends it with 130 and removes the FIFO" {
    pipe-cat "$D/random" "fifo:$D/f" &
    pid=$!
    wait_until test -p "$D/f"
    check_signal_ends INT $pid 130
    assert_file_not_exists "$D/f"
}

@test "SIGTERM to a stream reader waiting on a pipe ends it with 143" {
    mkfifo "$D/quiet"
    exec 8<>"$D/quiet"
    pipe-cat "$D/quiet" - > "$D/out" &
    check_signal_ends TERM $! 143
    exec 8>&-
}

# --- nothing lost by a slip of the hand (issue 12) ------------------------------

@test "input file is output file: named, on stdin or on stdout (even >>), refused with 4 and the file untouched" {
    echo abc > "$D/f"
    run --separate-stderr pipe-cat "$D/f" "$D/f"
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: $D/f: input file is output file"
    run --separate-stderr bash -c "pipe-cat - '$D/f' < '$D/f'"
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: standard input: input file is output file"
    run --separate-stderr bash -c "pipe-cat '$D/f' - >> '$D/f'"
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: $D/f: input file is output file"
    for opt in -a -O; do
        run --separate-stderr pipe-cat $opt "$D/f" "$D/f"
        assert_failure 4
    done
    ln "$D/f" "$D/link"
    run --separate-stderr pipe-cat "$D/f" "$D/link"
    assert_failure 4
    run --separate-stderr bash -c "pipe-cat fd:3 fd:4 3< '$D/f' 4>> '$D/f'"
    assert_failure 4
    assert_equal "$(cat "$D/f")" abc
    # Devices are not files: /dev/null to /dev/null is fine.
    pipe-cat /dev/null /dev/null
}

@test "the cat habit: a DST file that is not empty is refused (2) unless -O overwrites or -a appends" {
    echo one > "$D/a"
    echo two > "$D/b"
    run --separate-stderr bash -c "cd '$D' && pipe-cat a b > whole"
    assert_failure 2
    assert_equal "$stderr" "pipe-cat: refused to overwrite b, a file that is not empty: -O overwrites it, -a appends to it (pipe-cat copies one SRC to one DST)"
    assert_equal "$(cat "$D/b")" two
    assert_file_empty "$D/whole"
    # The same from a queue.
    q=mq:/$(qname q)
    shq create "$q"
    shq put "$q" msg
    run --separate-stderr pipe-cat -c 1 "$q" "$D/b"
    assert_failure 2
    assert_equal "$(cat "$D/b")" two
    assert_equal "$(shq stat --json "$q" | jq .depth)" 1
    # -a appends, -O overwrites; empty, new, stdout, fd: and devices need neither.
    pipe-cat -a "$D/a" "$D/b"
    assert_equal "$(cat "$D/b")" "two
one"
    pipe-cat --append "file:$D/a" "file:$D/b"
    assert_equal "$(cat "$D/b")" "two
one
one"
    pipe-cat -O "$D/a" "$D/b"
    assert_equal "$(cat "$D/b")" one
    echo two > "$D/b"
    pipe-cat --overwrite -c 1 "$q" "$D/b"
    assert_equal "$(cat "$D/b")" msg
    : > "$D/empty"
    pipe-cat "$D/a" "$D/empty"
    pipe-cat "$D/a" "$D/new"
    pipe-cat "$D/a" - > "$D/b"
    pipe-cat "$D/a" fd:3 3> "$D/b"
    pipe-cat "$D/a" /dev/null
    for f in empty new b; do assert_equal "$(cat "$D/$f")" one; done
    # /dev/stdout is the file the shell opened: >> appends to it, untruncated.
    pipe-cat "$D/a" /dev/stdout >> "$D/b"
    assert_equal "$(cat "$D/b")" "one
one"
    run --separate-stderr pipe-cat -a -O "$D/a" "$D/b"
    assert_failure 2
    assert_equal "${stderr_lines[0]}" "pipe-cat: -a and -O exclude each other"
}

@test "a full device is 4 and one line: a stream, a queue (its messages lost, or pending on redis), --stats, --help, --version" {
    echo abc > "$D/f"
    run --separate-stderr bash -c "pipe-cat '$D/f' - > /dev/full"
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: write standard output: no space left on device"
    q=mq:/$(qname q)
    shq create "$q"
    shq put "$q" one two
    run --separate-stderr pipe-cat "$q" /dev/full
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: $q: write /dev/full: no space left on device; 2 messages taken and not written: lost"
    run --separate-stderr bash -c "pipe-cat --stats '$D/f' /dev/null 2> /dev/full"
    assert_failure 4
    for opt in --help --version; do
        run --separate-stderr bash -c "pipe-cat $opt > /dev/full"
        assert_failure 4
        assert_equal "$stderr" "pipe-cat: write standard output: no space left on device"
    done
}

@test "-p takes the size of a regular file SRC for percent and ETA, as pv does; -s still wins" {
    head -c 1000 /dev/zero > "$D/k"
    pipe-cat -p -f "$D/k" /dev/null 2> "$D/progress"
    run cat "$D/progress"
    assert_output --partial "100%"
    pipe-cat -p -f - /dev/null < "$D/k" 2> "$D/progress"
    run cat "$D/progress"
    assert_output --partial "100%"
    pipe-cat -p -f -s 4000 "$D/k" /dev/null 2> "$D/progress"
    run cat "$D/progress"
    assert_output --partial " 25%"
    # Not a file: no size, no percent.
    cat "$D/k" | pipe-cat -p -f - /dev/null 2> "$D/progress"
    run cat "$D/progress"
    refute_output --partial "%"
}

# Each EXAMPLES block of man page $1, pasted into a directory holding files
# and a queue of its own: it must succeed and leave them as they were.
check_examples_safe_to_paste() {
    local page=$BATS_TEST_DIRNAME/../man/$1 ex home=$D/home q prefix
    prefix=$(qname "")
    mkdir -p "$home" "$D/tmp" "$D/ex"
    awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 }
         on && /^\.Bd -literal/ { block++; lit = 1; next } /^\.Ed/ { lit = 0; next }
         on && lit { print > (dir "/example" block ".sh") }' dir="$D/ex" "$page"
    # Fixed queue names made ours, as tests/man.bats does.
    sed -i -E "s/ (jobs|files)( |$)/ ${prefix}\1\2/g; s#(mq|shm):/(jobs|files|stage)#\1:/${prefix}\2#g; s/--from jobs/--from ${prefix}jobs/g" "$D"/ex/*.sh
    for f in received.txt big.img copy.img services.copy results pool.log a b whole; do echo "mine: $f" > "$home/$f"; done
    # Whatever queue a block names, one of that name already holds our message.
    for q in $(grep -ohE '(mq|shm):/[A-Za-z0-9_.-]+|shq create -x [A-Za-z0-9_.-]+' "$D"/ex/*.sh | awk '{ print $NF }' | sort -u); do
        shq create "$q" 2> /dev/null && shq put "$q" "mine" && echo "$q" >> "$D/planted"
    done
    (cd "$home" && find . -type f -exec md5sum {} + | sort) > "$D/before"
    for ex in "$D"/ex/example*.sh; do
        run bash -c "cd '$home' && TMPDIR='$D/tmp' bash -e '$ex'"
        [ "$status" -eq 0 ] || { cat "$ex"; echo "$output"; false; }
    done
    (cd "$home" && find . -type f -exec md5sum {} + | sort) > "$D/after"
    diff "$D/before" "$D/after"
    for q in $(cat "$D/planted" 2> /dev/null); do
        assert_equal "$(shq get -n "$q")" mine
        shq rm "$q"
    done
}

@test "the EXAMPLES of pipe-cat(1) are safe to paste: the directory and queues they are pasted among are left as they were" {
    check_examples_safe_to_paste pipe-cat.1
}

@test "the EXAMPLES of prockit(7) are safe to paste: the directory and queues they are pasted among are left as they were" {
    check_examples_safe_to_paste prockit.7
}

@test "pipe-cat(1) renders '(-l, the default)', documents -a and -O, each variable in ENVIRONMENT, and --help names redis://" {
    page=$BATS_TEST_DIRNAME/../man/pipe-cat.1
    run bash -c "mandoc -Tutf8 '$page' | col -b | tr -s ' \n' ' '"
    assert_output --partial "each line (-l, the default),"
    refute_output --partial "-the -default"
    for v in PROCKIT_REDIS_PASSWORD PROCKIT_REDIS_TIMEOUT PROCKIT_CONSUMER; do
        grep -qx ".It Ev $v" "$page"
    done
    sed -n '/^\.Sh FILES/,/^\.Sh /p' "$page" | grep -q '/dev/mqueue/'
    run pipe-cat --help
    assert_output --partial "redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME"
    assert_output --partial "  -a          append to a DST file"
}

@test "sizes take K, M, G, T or KiB, MiB, GiB, TiB (not KB); seconds are decimals in every tool (no hex 0x10, no 1e3)" {
    head -c 2048 /dev/zero > "$D/z"
    for b in 1K 1k 1KiB 1kiB; do
        run pipe-cat --stats=json -B "$b" -c 1 "$D/z" /dev/null
        assert_success
    done
    pipe-cat --stats=json -B 1KiB -c 1 "$D/z" /dev/null 2> "$D/stats"
    assert_equal "$(jq .bytes "$D/stats")" 1024
    for b in 1KB 1Ki 1KiBx 1kb; do
        run --separate-stderr pipe-cat -B "$b" "$D/z" /dev/null
        assert_failure 2
        assert_equal "$stderr" "pipe-cat: invalid chunk size '$b': expected a number of bytes such as 4096, 64K, 10M or 1G, from 1 to 1073741824"
    done
    # The one parser of seconds, in every tool that takes them.
    for bad in 0x10 1e3 inf . 1,5 -1; do
        for cmd in "pipe-cat -t $bad /dev/null" "shq get -t $bad q" "zombie-watch -i $bad -n 1" \
                   "pool-run --timeout $bad true ::: 1" "orphan-demo zombie --hold $bad"; do
            run --separate-stderr $cmd
            [ "$status" -eq 2 ] || [ "$status" -eq 3 -a "${cmd%% *}" = zombie-watch ] || [ "$status" -eq 255 -a "${cmd%% *}" = pool-run ] ||
                { echo "$cmd: $status $stderr"; false; }
            [[ "$stderr" == *"invalid "*" '$bad': expected seconds, such as 5 or 0.25"* ]] ||
                [[ "$stderr" == *"'$bad'"* ]] || { echo "$cmd: $stderr"; false; }
        done
    done
    for good in 5 0.25 .5 5.; do pipe-cat -t "$good" /dev/null; done
}

@test "prockit(7) Conventions: every option letter two tools' usages share is in its table, and every tool's exit statuses" {
    page=$BATS_TEST_DIRNAME/../man/prockit.7
    sed -n '/^\.Ss Conventions/,/^\.S[sh] /p' "$page" > "$D/conv"
    [ -s "$D/conv" ]
    for tool in shq pipe-cat pool-run zombie-watch orphan-demo; do
        "$tool" --help | sed -n '/^usage:/,/^$/p' | grep -oE '(^|[][ |])-[A-Za-z0-9]' | grep -oE '[A-Za-z0-9]$' | sort -u |
            sed "s/\$/ $tool/"
        grep -q "^\.It $tool\( Ta \|$\)" "$D/conv" || { echo "no exit statuses for $tool"; false; }
    done > "$D/letters"
    for letter in $(cut -d' ' -f1 "$D/letters" | sort | uniq -d); do
        grep -q "^\.It Fl $letter\( \|$\)" "$D/conv" || { echo "-$letter is shared and not in the table"; false; }
    done
}

@test "-p into a queue: a file's size is the goal with -B, whose chunks carry every byte; lines, without their newlines, have none" {
    q=mq:/$(qname q)
    shq create "$q"
    head -c 3000 /dev/zero > "$D/z"
    pipe-cat -p -f -B 1000 "$D/z" "$q" 2> "$D/progress"
    run cat "$D/progress"
    assert_output --partial "100%"
    seq 3 > "$D/lines"
    pipe-cat -p -f "$D/lines" "$q" 2> "$D/progress"
    run cat "$D/progress"
    refute_output --partial "%"
}

@test "pipe-cat: -M with a setuid, setgid or sticky bit is refused, one line, status 2, no FIFO made; shq create -M too" {
    local m
    for m in 4777 2600 1600 7777; do
        run --separate-stderr pipe-cat -t 0.01 -M "$m" "fifo:$D/f" /dev/null
        assert_failure 2
        assert_equal "$stderr" "pipe-cat: invalid mode '$m': only permission bits are taken, such as 0600 or 644 (no setuid, setgid or sticky bit)"
        assert_not_exist "$D/f"
        run --separate-stderr shq create -M "$m" "mq:/$(qname q)"
        assert_failure 2
        assert_equal "$stderr" "shq: create: invalid mode '$m': only permission bits are taken, such as 0600 or 644 (no setuid, setgid or sticky bit)"
    done
    pipe-cat -M 0640 /dev/null "fifo:$D/f" &
    wait_until test -p "$D/f"
    assert_equal "$(stat -c %a "$D/f")" 640
    cat "$D/f"
}

@test "pipe-cat: a record over a 64 KiB queue's message size is refused without reading the rest of it" {
    local q=shm:/$(qname ring)
    shq create -s 65536 "$q"
    truncate -s 100M "$D/zeros"  # one record of 100 MiB: no newline in it
    exec 5< "$D/zeros"
    run --separate-stderr pipe-cat fd:5 "$q"
    local pos
    pos=$(awk '$1 == "pos:" { print $2 }' "/proc/$BASHPID/fdinfo/5")
    exec 5<&-
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: record of more than 65537 bytes from fd:5 exceeds the message size of $q, 65536"
    # Read no further than a buffer or two past the limit, not 64 MiB.
    [ "$pos" -le 1048576 ] || fail "read $pos bytes of the record"
    assert_equal "$(shq stat "$q" | awk '$1 == "depth" { print $2 }')" 0
}

@test "pipe-cat: a writer waiting on the FIFO it made, killed by USR1, USR2, ALRM, VTALRM or PROF, removes it and dies of that signal" {
    local sig pid st want
    for sig in USR1 USR2 ALRM VTALRM PROF TERM; do
        pipe-cat - "fifo:$D/w" <<< "never read" 2> /dev/null &
        pid=$!
        wait_until test -p "$D/w"
        wait_until is_sleeping "$pid"
        kill -"$sig" "$pid"
        st=0
        wait "$pid" || st=$?
        want=$((128 + $(kill -l "$sig")))
        assert_equal "$sig $st $(test -e "$D/w" && echo left)" "$sig $want "
    done
}
