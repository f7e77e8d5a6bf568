#!/usr/bin/env bats
# Another local user is an adversary: nobody (via setpriv, see as_nobody)
# plants, forges or reads what the owner's tools use, and the owner's tools
# must refuse, stay correct or say so -- never crash, stall or leak.
# Covers issue 11, items 1-7. Run as root (the tests skip otherwise).

load helper

setup() {
    [ "$(id -u)" = 0 ] || skip "needs root to act as another user (setpriv)"
}

teardown() {
    remove_test_queues
    # Companions planted without a queue, and rings another user cut to
    # 0 bytes (no longer rings to shq ls and shq rm), by this test's prefix.
    rm -f /dev/shm/prockit-mq."pk${BATS_ROOT_PID}-${BATS_SUITE_TEST_NUMBER}-"* \
          /dev/shm/"pk${BATS_ROOT_PID}-${BATS_SUITE_TEST_NUMBER}-"*
    # A process a test of 7 left holding a zombie.
    [ -z "${demo:-}" ] || { kill "$demo" 2>/dev/null; wait "$demo" 2>/dev/null; } || true
}

# --- 1-4: rings and task-count companions in /dev/shm -------------------

# Writes the 64-bit little-endian VALUE at OFFSET of /dev/shm/NAME, as
# nobody: another user with write access to a 0666 ring.
forge() {
    local name=$1 offset=$2 value=$3 bytes="" i
    for i in 0 1 2 3 4 5 6 7; do bytes+=$(printf '\\%03o' $(((value >> (8 * i)) & 255))); done
    # shellcheck disable=SC2059
    printf "$bytes" | as_nobody dd of="/dev/shm/$name" bs=1 seek="$offset" conv=notrunc,nocreat status=none
}

# The header's fields (lib/shm_ring.cpp): bytes 8, msgsize 16, data offset
# 24, lock word 32, its owner's TID and start time 40, state head 72, tail 80, count 88; journal valid 112, its
# next state's head 120 and tail 128.
data_offset() { od -An -t u8 -j 24 -N 8 "/dev/shm/$1" | tr -d ' '; }

@test "1: a forged ring header (bytes 2^63, data offset 2^63+512) is damaged, exit 4: put and pipe-cat no longer die of SIGSEGV" {
    name=$(qname ring)
    r=shm:/$name
    shq create -M 0666 "$r"
    forge "$name" 8 $((1 << 63))
    forge "$name" 24 $(((1 << 63) + 512))
    run --separate-stderr shq put "$r" x
    assert_failure 4
    assert_equal "$stderr" "shq: put $r: the queue's header is damaged (data offset; not written by this prockit?)"
    run --separate-stderr pipe-cat - "$r" <<< x
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: $r: the queue's header is damaged (data offset; not written by this prockit?)"
    # A damaged ring is still removed like any other.
    shq rm "$r"
}

@test "1: every forged field is checked before use: sizes, head, tail, count, a message's length, the journal" {
    local cases=(
        "8 0|ring size"
        "8 $(((1 << 63) - 1))|ring size"
        "16 -1|message size"
        "16 1048573|message size"
        "24 8|data offset"
        "72 100|head and tail"
        "80 -1|head and tail"
        "88 $((1 << 62))|message count"
        "88 0|message count"
    )
    for c in "${cases[@]}"; do
        name=$(qname "ring$((i += 1))")
        r=shm:/$name
        shq create -M 0666 "$r"
        shq put "$r" ab cd
        forge "$name" ${c%%|*}
        for verb in "put -n $r x" "get -n $r" "stat $r"; do
            run --separate-stderr shq $verb
            assert_failure 4
            assert_equal "$stderr" "shq: ${verb%% *} $r: the queue's header is damaged (${c#*|}; not written by this prockit?)"
        done
        shq rm "$r"
    done
}

@test "1: a message length forged in the data, and a forged journal replayed after a crash, are damaged, exit 4" {
    name=$(qname len)
    r=shm:/$name
    shq create -M 0666 "$r"
    shq put "$r" ab
    forge "$name" "$(data_offset "$name")" $((0xffffffff))
    run --separate-stderr shq get -n "$r"
    assert_failure 4
    assert_equal "$stderr" "shq: get $r: the queue is damaged: a message claims 4294967295 bytes"
    # The lock's owner "died" (a TID past pid_max in the lock word) with a
    # journal whose next state runs past the ring: it is never applied.
    name=$(qname journal)
    r=shm:/$name
    shq create -M 0666 "$r"
    shq put "$r" ab
    forge "$name" 128 $((1 << 40))
    forge "$name" 112 1
    forge "$name" 32 $((0x3fffffff))
    run --separate-stderr shq get -n "$r"
    assert_failure 4
    assert_equal "$stderr" "shq: get $r: the queue's header is damaged (head and tail; not written by this prockit?)"
    run --separate-stderr shq put -n "$r" x
    assert_failure 4
    [[ "$stderr" == "shq: put $r: the queue's header is damaged ("* ]]
}

@test "1: a message count forged above what is left is damaged for get -c and -a, exit 4: nothing re-delivered, nothing committed" {
    name=$(qname ring)
    r=shm:/$name
    shq create -M 0666 -S 64 -s 16 "$r"
    for i in 1 2 3 4 5 6 7; do shq put "$r" "job-$i"; done
    shq get -a "$r" > /dev/null
    shq put "$r" job-08
    forge "$name" 88 2
    before=$(od -An -t u8 -j 72 -N 24 "/dev/shm/$name")
    for take in "-c 2" "-a"; do
        run --separate-stderr shq get $take "$r"
        assert_failure 4
        assert_output ""
        assert_equal "$stderr" "shq: get $r: the queue's header is damaged (message count; not written by this prockit?)"
        # Head, tail and count as they were: the take committed nothing.
        assert_equal "$(od -An -t u8 -j 72 -N 24 "/dev/shm/$name")" "$before"
    done
}

# As nobody, rewrites the 8-byte words at OFFSETS... of /dev/shm/NAME with
# garbage, again and again while process PID lives (bounded): another user
# forging the header while the owner's tools hold the lock.
forge_while_alive() {
    local name=$1 pid=$2
    shift 2
    as_nobody /usr/bin/python3 - "/dev/shm/$name" "$pid" "$@" <<'PY'
import mmap, os, struct, sys
path, pid, offsets = sys.argv[1], int(sys.argv[2]), [int(o) for o in sys.argv[3:]]
with open(path, "r+b") as f:
    m = mmap.mmap(f.fileno(), 0)
    values = [0x4141414141414141, 0x7FFF00001000, 1, 0xFFFFFFFFFFFFFFFF, 0x100000020, 0]
    for i in range(2000000):
        if i % 1000 == 0 and not os.path.exists(f"/proc/{pid}"):
            break
        for o in offsets:
            m[o:o + 8] = struct.pack("<Q", values[(i + o) % len(values)])
PY
}

@test "1-2: the bytes beside the lock word (40-71: glibc's robust list links and mutex kind once) forged while a put and a get take it millions of times: they end 0, 1 or 4, never by a signal" {
    seq 5000000 > "$BATS_TEST_TMPDIR/in"
    for offsets in "56 64" "40 48"; do
        name=$(qname "ring${offsets// /-}")
        r=shm:/$name
        # A small ring between a fast producer and consumer: the lock
        # changes hands millions of times while the forger writes.
        shq create -M 0666 -S 4096 -s 64 "$r"
        shq put "$r" < "$BATS_TEST_TMPDIR/in" &
        producer=$!
        shq get -t 5 -c 5000000 "$r" > /dev/null &
        consumer=$!
        # shellcheck disable=SC2086
        forge_while_alive "$name" $producer $offsets
        for pid in $producer $consumer; do
            rc=0
            wait $pid || rc=$?
            echo "offsets $offsets, pid $pid: exit $rc"
            [[ $rc =~ ^(0|1|4)$ ]]
        done
    done
}

# A task-count companion that nobody left for the message queue Q: nobody
# made Q, then removed it behind shq's back, as a leftover would be.
plant_companion() {
    as_nobody shq create -M 0666 "$1"
    as_nobody rm "/dev/mqueue/$1"
    assert_file_exists "/dev/shm/prockit-mq.$1"
}

@test "2: a task-count companion another user planted is refused, and create leaves no queue behind" {
    q=$(qname mq)
    plant_companion "$q"
    run --separate-stderr shq create "$q"
    assert_failure 4
    assert_equal "$stderr" "shq: create /$q: the task counts /dev/shm/prockit-mq.$q belong to nobody, who may not write the queue of root: refused (their owner or root may remove them)"
    assert_file_not_exists "/dev/mqueue/$q"
}

@test "2: a companion planted beside a queue another program made is refused: nobody cannot forge its task counts" {
    q=$(qname mq)
    shq create "$q"
    rm "/dev/shm/prockit-mq.$q"  # as if another program had made the queue
    t=$(qname throwaway)
    plant_companion "$t"
    as_nobody cp "/dev/shm/prockit-mq.$t" "/dev/shm/prockit-mq.$q"
    for verb in put join stat; do
        run --separate-stderr shq $verb "$q"
        assert_failure 4
        assert_equal "$stderr" "shq: $verb /$q: the task counts /dev/shm/prockit-mq.$q belong to nobody, who may not write the queue of root: refused (their owner or root may remove them)"
    done
}

@test "2: counts made by a user the queue is shared with for writing are used; one who may only read cannot make them" {
    q=$(qname mq)
    shq create -M 0666 "$q"
    rm "/dev/shm/prockit-mq.$q"  # as if another program had made the queue
    as_nobody shq put "$q" from-nobody
    assert_equal "$(stat -c '%U %a' "/dev/shm/prockit-mq.$q")" "nobody 666"
    shq put "$q" from-root
    assert_equal "$(shq stat --json "$q" | jq -r '[.put, .depth] | @tsv')" "$(printf '2\t2')"
    q2=$(qname mq2)
    shq create -M 0644 "$q2"
    shq put "$q2" x
    rm "/dev/shm/prockit-mq.$q2"
    run --separate-stderr as_nobody shq get "$q2"
    assert_failure 4
    assert_equal "$stderr" "shq: get /$q2: has no task counts yet (/dev/shm/prockit-mq.$q2), and only a user who may write the queue may make them"
}

@test "2: a queue nobody made and shares works for root with nobody's counts" {
    q=$(qname mq)
    as_nobody shq create -M 0666 "$q"
    shq put "$q" a b
    shq get "$q"
    shq done "$q"
    assert_equal "$(shq stat --json "$q" | jq -r '[.put, .got, .done, .uid] | @tsv')" "$(printf '2\t1\t1\t65534')"
    as_nobody shq rm "$q"
}

@test "2: a create that cannot make its companion (a full /dev/shm) names /dev/shm and removes the queue it made" {
    q=$(qname mq)
    run --separate-stderr unshare -m sh -c \
        "mount -t tmpfs -o size=4k,nr_inodes=1 tmpfs /dev/shm && shq create $q"
    assert_failure 4
    [[ "$stderr" == "shq: create /$q: not enough room in /dev/shm for "*" bytes" ]]
    assert_file_not_exists "/dev/mqueue/$q"
}

@test "3: a -M 0644 queue gets a 0644 companion: other users read the counts but cannot mark done or forge them" {
    q=$(qname mq)
    shq create -M 0644 "$q"
    shq put "$q" job
    assert_equal "$(stat -c %a "/dev/shm/prockit-mq.$q")" 644
    run --separate-stderr as_nobody shq done "$q"
    assert_failure 4
    assert_equal "$stderr" "shq: done /$q: cannot mark tasks done: only users who may write the queue may (/dev/shm/prockit-mq.$q is read-only to you)"
    run as_nobody sh -c "printf x > /dev/shm/prockit-mq.$q"
    assert_failure
    # A reader still reads the queue and the counts; its get is not counted.
    run as_nobody shq get "$q"
    assert_output job
    run as_nobody shq join -t 0.1 "$q"
    assert_failure 1
    run shq join -t 0 "$q"
    assert_failure 1
    assert_equal "$(shq stat --json "$q" | jq -r '[.put, .got, .done] | @tsv')" "$(printf '1\t0\t0')"
}

@test "3: the owner's tools narrow a companion left wider than its queue (0666 for a 0644 queue)" {
    q=$(qname mq)
    shq create -M 0644 "$q"
    chmod 0666 "/dev/shm/prockit-mq.$q"
    shq stat "$q" > /dev/null
    assert_equal "$(stat -c %a "/dev/shm/prockit-mq.$q")" 644
    # 0622 (others may only write): they may count puts, and so read the counts.
    q2=$(qname mq2)
    shq create -M 0622 "$q2"
    assert_equal "$(stat -c %a "/dev/shm/prockit-mq.$q2")" 666
}

@test "1-2: a companion planted shorter than its layout (8 bytes: the magic) is refused at open, exit 4, naming it: no SIGBUS" {
    q=$(qname mq)
    shq create -M 0666 "$q"
    rm "/dev/shm/prockit-mq.$q"
    printf 'PKTASK\001\000' | as_nobody dd of="/dev/shm/prockit-mq.$q" status=none
    for verb in "put $q x" "join $q" "stat $q"; do
        run --separate-stderr shq $verb
        assert_failure 4
        assert_equal "$stderr" "shq: ${verb%% *} /$q: the task counts /dev/shm/prockit-mq.$q: too small (8 bytes; they take 256)"
    done
}

@test "1-2: a companion or ring another user truncates while it is mapped: one line and exit 4, not SIGBUS" {
    q=$(qname mq)
    shq create -M 0666 "$q"
    shq put "$q" x
    check_cut_short_while_waiting join "$q" "/dev/shm/prockit-mq.$q" "/$q"
    name=$(qname ring)
    r=shm:/$name
    shq create -M 0666 "$r"
    check_cut_short_while_waiting get "$r" "/dev/shm/$name" "$r"
}

@test "2: a FIFO, directory or symbolic link planted as a companion is refused, exit 4, naming the file and what it is" {
    q=$(qname mq)
    shq create -M 0666 "$q"
    c=/dev/shm/prockit-mq.$q
    for kind in "a FIFO:mkfifo $c" "a directory:mkdir $c" "a symbolic link:ln -s /etc/passwd $c"; do
        rm -rf "$c"
        as_nobody ${kind#*:}
        run --separate-stderr shq put "$q" x
        assert_failure 4
        assert_equal "$stderr" "shq: put /$q: the task counts $c: not a regular file (${kind%%:*})"
    done
    rm -rf "$c"
}

@test "4: create -x refuses a queue another user made first, ring or message queue, and says whose it is" {
    r=shm:/$(qname ring)
    q=$(qname mq)
    as_nobody shq create -M 0666 "$r"
    as_nobody shq create -M 0666 "$q"
    run --separate-stderr shq create -x "$r"
    assert_failure 4
    assert_equal "$stderr" "shq: create $r: exists and belongs to nobody, not to you: refused (-x and -C use only a queue of your own)"
    run --separate-stderr shq create -x "$q"
    assert_failure 4
    assert_equal "$stderr" "shq: create /$q: exists and belongs to nobody, not to you: refused (-x and -C use only a queue of your own)"
    # put -C ("create it if missing") refuses it as -x does.
    run --separate-stderr shq put -C "$r" x
    assert_failure 4
    assert_equal "$stderr" "shq: put $r: exists and belongs to nobody, not to you: refused (-x and -C use only a queue of your own)"
    # Its owner's -x, and a put that only opens it, still work.
    as_nobody shq create -x "$r"
    shq put "$r" shared
    as_nobody shq rm "$r" "$q"
}


# --- 5: fifo: endpoints -------------------------------------------------

# A directory anyone may make names in, as /tmp is (sticky, world-writable),
# that nobody can reach: $S.
shared_dir() {
    chmod o+x "$BATS_RUN_TMPDIR"
    S=$BATS_TEST_TMPDIR/shared
    mkdir -m 1777 "$S"
}

@test "5: fifo: a symbolic link another user planted at the path is refused, never followed" {
    shared_dir
    local d=$BATS_TEST_TMPDIR reader
    echo precious > "$d/secret"
    mkfifo -m 600 "$d/real"
    as_nobody ln -s "$d/secret" "$S/to-file"
    as_nobody ln -s "$d/real" "$S/to-fifo"
    for f in to-file to-fifo; do
        run --separate-stderr pipe-cat "fifo:$S/$f" /dev/null
        assert_failure 4
        assert_equal "$stderr" "pipe-cat: open fifo:$S/$f: refused: it is a symbolic link, not a FIFO"
    done
    # Followed, a writer would hand root's lines to whoever reads there.
    cat "$d/real" > "$d/got" &
    reader=$!
    run --separate-stderr pipe-cat - "fifo:$S/to-fifo" <<< "meant for root"
    kill "$reader"
    wait "$reader" || true
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: open fifo:$S/to-fifo: refused: it is a symbolic link, not a FIFO"
    assert_file_empty "$d/got"
    assert_equal "$(cat "$d/secret")" precious
    [ -L "$S/to-file" ] && [ -L "$S/to-fifo" ]
}

@test "5: a writer waiting for its reader refuses a FIFO swapped for a symbolic link or a file, writing nothing" {
    local d=$BATS_TEST_TMPDIR kind pid rc
    for kind in link file; do
        echo precious > "$d/secret"
        seq 3 | pipe-cat - "fifo:$d/w" 2> "$d/err" &
        pid=$!
        wait_until test -p "$d/w"
        wait_until is_sleeping "$pid"
        if [ $kind = link ]; then ln -s "$d/secret" "$d/new"; else cp "$d/secret" "$d/new"; fi
        mv -T "$d/new" "$d/w"  # one rename: the name is never missing
        rc=0
        wait "$pid" || rc=$?
        assert_equal "$rc" 4
        if [ $kind = link ]; then
            assert_equal "$(cat "$d/err")" "pipe-cat: open fifo:$d/w: refused: the FIFO was replaced by a symbolic link while being opened"
        else
            assert_equal "$(cat "$d/err")" "pipe-cat: open fifo:$d/w: refused: the FIFO was replaced by another file while being opened"
        fi
        assert_equal "$(cat "$d/secret")" precious
        assert_equal "$(cat "$d/w")" precious  # and not removed: it is not the FIFO made
        rm "$d/w"
    done
}

@test "5: a writer waiting for its reader: its FIFO renamed away is a swap (4), removed is missing (3)" {
    local d=$BATS_TEST_TMPDIR how pid rc
    for how in mv rm; do
        seq 3 | pipe-cat - "fifo:$d/w" 2> "$d/err" &
        pid=$!
        wait_until test -p "$d/w"
        wait_until is_sleeping "$pid"
        if [ $how = mv ]; then mv "$d/w" "$d/w.old"; else rm "$d/w"; fi
        rc=0
        wait "$pid" || rc=$?
        if [ $how = mv ]; then
            assert_equal "$rc $(cat "$d/err")" "4 pipe-cat: open fifo:$d/w: refused: the FIFO was moved away while being opened"
            rm "$d/w.old"
        else
            assert_equal "$rc $(cat "$d/err")" "3 pipe-cat: open fifo:$d/w: the FIFO was removed while being opened"
        fi
    done
}

@test "5: a regular file at a fifo: path is refused and left as it was, for reading and writing" {
    local d=$BATS_TEST_TMPDIR
    echo precious > "$d/file"
    run --separate-stderr pipe-cat - "fifo:$d/file" <<< "not for a file"
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: open fifo:$d/file: refused: it is a regular file, not a FIFO (name a file without fifo:)"
    run --separate-stderr pipe-cat "fifo:$d/file" -
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: open fifo:$d/file: refused: it is a regular file, not a FIFO (name a file without fifo:)"
    assert_equal "$(cat "$d/file")" precious
}

@test "5: a FIFO pipe-cat makes is 0600, or exactly -M MODE, whatever the umask; nobody cannot open it" {
    shared_dir
    local pid
    umask 022
    pipe-cat - "fifo:$S/f" <<< "for root only" &
    pid=$!
    wait_until test -p "$S/f"
    assert_equal "$(stat -c '%a %U' "$S/f")" "600 root"
    run as_nobody cat "$S/f"
    assert_failure
    assert_output --partial "Permission denied"
    assert_equal "$(cat "$S/f")" "for root only"
    wait "$pid"
    assert_not_exist "$S/f"
    # Shared on purpose: exactly the mode asked for, the umask notwithstanding.
    umask 077
    pipe-cat -M 0644 - "fifo:$S/g" <<< "for everyone" &
    pid=$!
    wait_until test -p "$S/g"
    assert_equal "$(stat -c %a "$S/g")" 644
    run as_nobody cat "$S/g"
    assert_success
    assert_output "for everyone"
    wait "$pid"
}

@test "5: a FIFO another user made where anyone may make names is refused; ours or the directory owner's is used" {
    shared_dir
    local pid
    as_nobody mkfifo -m 666 "$S/planted"
    # (timeout: were it not refused, the read would wait for a writer)
    run --separate-stderr timeout 10 pipe-cat "fifo:$S/planted" -
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: open fifo:$S/planted: refused: the FIFO belongs to uid 65534, not to you, in $S, where others may make names (remove it, or use a directory of your own)"
    run --separate-stderr timeout 10 pipe-cat - "fifo:$S/planted" <<< "meant for root"
    assert_failure 4
    assert_exist "$S/planted"
    # Ours there, made beforehand: used, and left (pipe-cat did not make it).
    mkfifo -m 600 "$S/ours"
    pipe-cat "fifo:$S/ours" - > "$BATS_TEST_TMPDIR/got" &
    pid=$!
    echo hello > "$S/ours"
    wait "$pid"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/got")" hello
    assert_exist "$S/ours"
    # A FIFO of the directory's owner is as trusted as the directory.
    chown nobody "$S"
    pipe-cat "fifo:$S/planted" - > "$BATS_TEST_TMPDIR/got" &
    pid=$!
    echo from-nobody > "$S/planted"
    wait "$pid"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/got")" from-nobody
}

# --- 6: Redis passwords -------------------------------------------------

@test "6: a redis password is never shown, whatever it holds, wherever the endpoint is wrong" {
    local ep cmd
    # Port 1: nothing listens there, so the well-formed ones fail to connect.
    for ep in 'redis://u:Top/Secret@127.0.0.1:1/q' 'redis://u:Top/Secret@127.0.0.1/x/q' \
        'redis://u:Top/Secret@127.0.0.1:x/q' 'redis://u:Top/Secret@127.0.0.1' 'redis://u:Top/Secret@127.0.0.1/' \
        'redis://u:Top@Secret@127.0.0.1:1/0/q@r' 'redis://u:Top:Secret@[::1/q' 'redis://:Top/Secret@/q' \
        'redis://u:Top/Secret@127.0.0.1:1/99999999999/q' 'redis:/u:Top/Secret@127.0.0.1/q' \
        'redis://u:Top/Secret@127.0.0.1:1/0/a/b'; do
        for cmd in "shq stat %s" "pipe-cat %s /dev/null" "pool-run --from %s true"; do
            # shellcheck disable=SC2046,SC2059
            run --separate-stderr $(printf "$cmd" "$ep")
            assert_failure
            [ "${#lines[@]}" -le 1 ] && [ "${#stderr_lines[@]}" = 1 ] || { echo "$cmd $ep: $stderr"; false; }
            [[ "$output$stderr" != *Top* && "$output$stderr" != *Secret* ]] || { echo "$cmd $ep: $stderr"; false; }
        done
    done
    run --separate-stderr shq stat 'redis://u:Top/Secret@127.0.0.1:1/q'
    assert_failure 4
    assert_equal "$stderr" "shq: stat redis://u@127.0.0.1:1/0/q: cannot connect to redis://u@127.0.0.1:1/0: connection refused"
    PROCKIT_REDIS_PASSWORD=Top/Secret run --separate-stderr shq stat 'redis://127.0.0.1:x/q'
    assert_failure 2
    refute_output --partial Secret
}

# --- 7: names and command lines reach the terminal escaped --------------

@test "7: a queue another user named with a newline is one queue in shq ls, one line in stat; a missing one is one line" {
    local q="/$(qname a)"$'\nx' ls_out stat_out
    as_nobody shq create -M 0644 "$q"
    ls_out=$(shq ls)
    stat_out=$(shq stat "$q")
    shq rm "$q"  # shq ls shows it escaped: remove_test_queues cannot
    assert_equal "$(grep -c "$(qname a)" <<< "$ls_out")" 1
    grep -qxF "/$(qname a)\\nx" <<< "$ls_out"
    assert_equal "$(head -n 2 <<< "$stat_out")" "queue       /$(qname a)\\nx
depth       0"
    run --separate-stderr shq stat "/$(qname b)"$'\nshq: forged'
    assert_failure 3
    assert_equal "$stderr" "shq: stat /$(qname b)\\nshq: forged: queue does not exist"
}

@test "7: shq ls --json is well-formed UTF-8 whatever bytes another user put in a name (F5-FF, overlong, surrogate)" {
    local q="/$(qname b)"$'\xf5\x80\x80\xff\xbf\xbf\xe0\x80\xaf\xed\xa0\x80\e' json
    as_nobody shq create -M 0644 "$q"
    json=$(shq ls --json)
    shq rm "$q"
    iconv -f UTF-8 -t UTF-8 <<< "$json" > /dev/null
    # Each byte that is not UTF-8 is its Latin-1 reading, \u00XX.
    assert_equal "$(jq -r "select(.queue | contains(\"$(qname b)\")) | .queue" <<< "$json")" \
        "$(printf '%s' "$q" | iconv -f LATIN1 -t UTF-8)"
}

@test "7: nobody's zombie named with a newline cannot forge zombie-watch's status line; CR and ESC from its parent stay escaped" {
    shared_dir
    local zname=$'z\nZOMBIES OK: 0' fd zombie
    as_nobody ln -s /bin/cat "$S/$zname"
    as_nobody mkfifo "$S/fifo"
    exec {fd}<> "$S/fifo"  # a writer, so that the child's open does not block
    # nobody's child execs cat as $zname, and ends when the FIFO closes, once
    # its parent is sleep, which never waits for it.
    as_nobody bash -c '"$1" < "$2" & echo $! > "$3"; echo $$ > "$4"; exec -a "$5" sleep 60' _ \
        "$S/$zname" "$S/fifo" "$S/zombie" "$S/parent" $'evil\r\e[2Jparent' {fd}>&- 3>&- &
    wait_until test -s "$S/parent"
    demo=$(cat "$S/parent")
    zombie=$(cat "$S/zombie")
    wait_for '[ "$(cat "/proc/$zombie/comm")" = "$zname" ] && [ "$(cat "/proc/$demo/comm")" = sleep ]'
    exec {fd}>&-
    wait_for '[ "$(proc_state "$zombie")" = Z ]'
    run zombie-watch -p "$demo" -c 0
    assert_failure 2
    assert_line --index 0 "ZOMBIES CRITICAL: 1 zombie process | zombies=1;;0;0"
    assert_line --index 2 "$(printf '%7d %7d  %-16s %s' "$zombie" "$demo" 'z\nZOMBIES OK: 0' 'evil\r\x1b[2Jparent 60')"
    assert_equal "$(grep -c '^ZOMBIES' <<< "$output")" 1
    [[ "$output" != *[$'\r\e']* ]]
}

@test "7: every tool's diagnostic is one line, with the control characters of a name escaped" {
    local cmd want code
    while IFS=$'\t' read -r code cmd want; do
        eval "set -- $cmd"  # $'...' makes the real bytes
        run --separate-stderr "$@"
        [ "$status" -eq "$code" ] || { echo "$cmd gave $status"; false; }
        assert_equal "${stderr_lines[0]}" "$want"
        [[ "$stderr" != *[$'\r\e']* ]]
    done <<'EOF'
3	shq put $'/a\nb'	shq: put /a\nb: queue does not exist
3	pipe-cat $'/nonexistent/a\nb' /dev/null	pipe-cat: open /nonexistent/a\nb: no such file or directory
1	pool-run $'no\rsuch\e' ::: a	pool-run: no\rsuch\x1b: command not found
2	orphan-demo $'x\ry'	orphan-demo: unknown mode 'x\ry': expected orphan, zombie or reap
3	zombie-watch -w $'\n5'	zombie-watch: invalid range '\n5': expected [@]START:END, N, N:, ~:N, such as 5 or 10:20
EOF
}
