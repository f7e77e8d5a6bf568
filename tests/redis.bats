#!/usr/bin/env bats
# redis:// queues: shq, pipe-cat and pool-run against a real redis-server
# that each test starts on 127.0.0.1, on a free port, in its own directory,
# and stops afterwards. At-least-once delivery, recover, a worker killed
# with SIGKILL, a server restarted mid-stream, logins and timeouts.

load helper

setup() {
    D=$BATS_TEST_TMPDIR
    command -v redis-server > /dev/null || skip "redis-server is not installed (apt-get install redis-server)"
    start_redis
    Q=redis://127.0.0.1:$REDIS_PORT/0/$(qname q)
}

teardown() {
    for pid in ${workers[@]:-}; do kill "$pid" 2> /dev/null || true; done
    kill -CONT "$REDIS_PID" 2> /dev/null || true  # a test that failed while it was stopped
    stop_redis
    remove_test_queues
}

# Starts redis-server (with the given extra arguments) on a free port, with
# its append-only file fsynced on every write: $REDIS_PORT, $REDIS_PID.
start_redis() {
    local try
    mkdir -p "$D/redis"
    for try in 1 2 3 4 5 6 7 8 9 10; do
        REDIS_PORT=$((20000 + (RANDOM * 3 + try) % 40000))
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$D/redis" --save '' \
            --appendonly yes --appendfsync always --logfile "$D/redis/log" "$@" 3>&- &
        REDIS_PID=$!
        if wait_for_redis; then return 0; fi
        wait "$REDIS_PID" 2> /dev/null || true  # it could not listen there: another port
    done
    echo "could not start redis-server" >&2
    return 1
}

# Waits until the server answers (a server that wants a password answers
# NOAUTH); false after a while, as when it could not listen on the port.
wait_for_redis() { wait_until redis_answers; }
redis_answers() {
    case "$(redis-cli -p "$REDIS_PORT" ping 2> /dev/null)" in
        PONG | NOAUTH*) return 0 ;;
    esac
    return 1
}

# Stops the server: SIGTERM, which makes it finish its append-only file.
stop_redis() {
    [ -n "${REDIS_PID:-}" ] || return 0
    kill "$REDIS_PID" 2> /dev/null || true
    wait "$REDIS_PID" 2> /dev/null || true
    REDIS_PID=
}

# A field of shq stat --json.
stat_of() { shq stat --json "$Q" | jq -r ".$1"; }

@test "redis: create, put, get, done, join, stat, ls and rm, with the exit statuses of the other queues" {
    shq create "$Q"
    run --separate-stderr shq create "$Q"
    assert_failure 4
    assert_equal "$stderr" "shq: create $Q: queue already exists"
    shq create -x "$Q"
    shq put "$Q" one "two lines
here"
    printf 'three\nfour\n' | shq put "$Q"
    run shq stat "$Q"
    assert_output "queue       $Q
depth       4
msgsize     1048576
put         4
got         0
done        0
unfinished  4
pending     0
consumers   0"
    run shq get -c 2 "$Q"
    assert_output "one
two lines
here"
    assert_equal "$(stat_of pending) $(stat_of got) $(stat_of consumers)" "2 2 1"
    shq done -c 2 "$Q"
    run shq join -t 0 "$Q"
    assert_failure 1
    run shq get -a "$Q"
    assert_output "three
four"
    shq done -c 2 "$Q"
    shq join -t 0 "$Q"
    run shq ls "redis://127.0.0.1:$REDIS_PORT"
    assert_output "$Q"
    run shq ls --json "redis://127.0.0.1:$REDIS_PORT/0"
    assert_equal "$(jq -r '"\(.queue) \(.put) \(.done) \(.unfinished)"' <<< "$output")" "$Q 4 4 0"
    shq rm "$Q"
    run redis-cli -p "$REDIS_PORT" --scan --pattern "prockit:*"
    assert_output ""
    run --separate-stderr shq stat "$Q"
    assert_failure 3
    assert_equal "$stderr" "shq: stat $Q: queue does not exist"
    run --separate-stderr shq get -n "$Q"
    assert_failure 3
    shq rm -f "$Q"
}

@test "redis: empty and full queues, -t and -n; capacity from create -m; message size from -s" {
    shq create -m 2 -s 10 "$Q"
    run shq get -n "$Q"
    assert_failure 1
    run shq get -t 0.1 "$Q"
    assert_failure 1
    shq put "$Q" a b
    run --separate-stderr shq put -n "$Q" c
    assert_failure 1
    assert_equal "$stderr" "shq: put $Q: queue is full; 0 messages were sent, the rest were not"
    run --separate-stderr shq put -t 0.1 "$Q" c
    assert_failure 1
    # A waiting put goes on when a get makes room.
    shq put "$Q" c &
    local putter=$!
    wait_for '[ "$(stat_of depth)" = 2 ]'
    shq get "$Q" > /dev/null
    wait "$putter"
    assert_equal "$(shq get -a "$Q")" "b
c"
    run --separate-stderr shq put "$Q" 12345678901
    assert_failure 4
    assert_equal "$stderr" "shq: put $Q: message of 11 bytes exceeds the queue's 10; 0 messages before it were sent"
}

@test "redis: what the backend cannot do is refused with a reason; bad endpoints are usage errors" {
    while IFS=$'\t' read -r args want; do
        run --separate-stderr shq $args
        assert_failure 2
        [ "$stderr" = "shq: $want" ] || { echo "$args: $stderr"; false; }
    done <<EOF
create -M 644 $Q	create $Q: redis queues have no file mode: the server's ACLs say who may use them
create -S 4096 $Q	create $Q: redis queues are sized in messages: use -m and -s, not -S
get redis://127.0.0.1:$REDIS_PORT	get: invalid redis endpoint 'redis://127.0.0.1:$REDIS_PORT': the queue NAME is missing (expected redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME, such as redis://127.0.0.1:6379/0/jobs)
get redis://:6379/q	get: invalid redis endpoint 'redis://:6379/q': the host is empty (expected redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME, such as redis://127.0.0.1:6379/0/jobs)
get redis://h:99999/q	get: invalid redis endpoint 'redis://h:99999/q': port '99999' is not a number from 1 to 65535 (expected redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME, such as redis://127.0.0.1:6379/0/jobs)
get redis://h/x/q	get: invalid redis endpoint 'redis://h/x/q': database 'x' is not a number from 0 to 2147483647 (expected redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME, such as redis://127.0.0.1:6379/0/jobs)
get redis://h/0/a/b	get: invalid queue name '/a/b': it has a second '/' (a valid name is '/' and 1 to 255 characters other than '/', such as /jobs)
get redis://h/q@x	get: invalid redis endpoint 'redis://...@x': the queue NAME is missing after the last '@' (a NAME cannot hold '@') (expected redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME, such as redis://127.0.0.1:6379/0/jobs)
EOF
    shq create "$Q"
    run --separate-stderr shq put -p 5 "$Q" urgent
    assert_failure 2
    assert_equal "$stderr" "shq: put $Q: redis queues are first in, first out: priorities need an mq:/ queue"
    run --separate-stderr shq recover "$(qname local)"
    assert_failure 3
}

@test "redis: a database the server lacks is 'no such database' (3); a number past 2^31-1 and a bad PROCKIT_REDIS_TIMEOUT are usage errors" {
    local host=127.0.0.1:$REDIS_PORT v
    assert_fails_with 3 "shq: stat redis://$host/99999999/q: redis://$host/99999999: no such database (a server has as many as its 'databases' setting says, 16 by default)" \
        shq stat "redis://$host/99999999/q"
    assert_fails_with 2 "shq: stat: invalid redis endpoint 'redis://$host/2147483648/q': database '2147483648' is not a number from 0 to 2147483647 (expected redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME, such as redis://127.0.0.1:6379/0/jobs)" \
        shq stat "redis://$host/2147483648/q"
    for v in inf nan -1 0 5s 1e3 0x10; do
        PROCKIT_REDIS_TIMEOUT=$v run --separate-stderr shq stat "$Q"
        assert_failure 2
        [[ "$stderr" = "shq: stat $Q: invalid PROCKIT_REDIS_TIMEOUT '$v': expected seconds"* ]] || { echo "$v: $stderr"; false; }
    done
    shq create "$Q"
    PROCKIT_REDIS_TIMEOUT=1000000000000000000000000000000 run shq stat "$Q"
    assert_success
}

@test "redis: recover takes its option after the queue too; a bare name like tcp:x is refused with the valid forms" {
    shq create "$Q"
    run --separate-stderr shq recover "$Q" --older-than
    assert_failure 2
    assert_equal "$stderr" "shq: recover: option --older-than needs a value
usage: shq recover [--older-than SECONDS] QUEUE"
    run shq recover "$Q" --older-than 60
    assert_success
    local name
    name=$(qname tcp)
    run --separate-stderr shq create "tcp:$name"
    assert_failure 2
    assert_equal "$stderr" "shq: create: 'tcp:$name' is not a queue: 'tcp:' is no kind of queue (a queue is mq:/NAME, shm:/NAME, redis://HOST[:PORT][/DB]/NAME, or a bare NAME or /NAME for mq:/NAME; the message queue named tcp:$name is /tcp:$name)"
    run shq ls
    refute_output --partial "tcp:$name"
    shq create "/tcp:$name"
    shq rm "/tcp:$name"
}

@test "redis: pipe-cat out of memory for a 200 MB chunk (ulimit -v) is one line and status 4, nothing sent" {
    skip_if_sanitized pipe-cat
    shq create -s 500000000 "$Q"
    run --separate-stderr bash -c "ulimit -v 250000; head -c 200M /dev/zero | pipe-cat -B 200M - '$Q'"
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: out of memory"
    assert_equal "$(stat_of put)" 0
}

@test "redis: what another client pushed past the message size, or a damaged size, is refused with one line, never copied" {
    local key
    key="prockit:{$(qname q)}"
    shq create -s 10 "$Q"
    shq put "$Q" ok
    for cmd in "shq get -a" "pipe-cat -c 2 -t 5"; do
        redis-cli -p "$REDIS_PORT" lpush "$key:items" "$(head -c 100000 /dev/zero | tr '\0' x)" > /dev/null
        run --separate-stderr $cmd "$Q"
        assert_failure 4
        [[ "$stderr" = *": a message of 100000 bytes exceeds the queue's 10 (not put by prockit?); it stays pending" ]] || { echo "$cmd: $stderr"; false; }
    done
    assert_equal "$(stat_of pending)" 3
    redis-cli -p "$REDIS_PORT" hset "$key:meta" msgsize -1 > /dev/null
    run --separate-stderr shq get -a "$Q"
    assert_failure 4
    assert_equal "$stderr" "shq: get $Q: the queue's metadata is damaged (message size '-1'; not written by this prockit?)"
}

@test "redis: a server that is not there, and one that does not answer, each give one line and status 4" {
    stop_redis
    run --separate-stderr shq put "$Q" x
    assert_failure 4
    assert_equal "$stderr" "shq: put $Q: cannot connect to redis://127.0.0.1:$REDIS_PORT/0: connection refused"
    start_redis
    Q=redis://127.0.0.1:$REDIS_PORT/0/$(qname q)
    shq create "$Q"
    kill -STOP "$REDIS_PID"
    PROCKIT_REDIS_TIMEOUT=0.3 run --separate-stderr shq stat "$Q"
    kill -CONT "$REDIS_PID"
    assert_failure 4
    assert_equal "$stderr" "shq: stat $Q: lost the connection to redis://127.0.0.1:$REDIS_PORT/0 (HGET): no reply within 0.3 s"
}

# True once process $1 holds a socket and sleeps: it waits for the server.
waits_on_socket() {
    is_sleeping "$1" && ls -l "/proc/$1/fd" 2> /dev/null | grep -q 'socket:'
}

# Runs a command in the background against the stopped server, sends it
# SIGTERM once it waits there, and checks it ends of that signal soon.
check_term_ends_wait() {
    "$@" < /dev/null > /dev/null 2>&1 &
    local pid=$! st=0
    workers+=("$pid")
    wait_until waits_on_socket "$pid"
    kill -TERM "$pid"
    wait_until eval '! kill -0 '"$pid"' 2> /dev/null'
    wait "$pid" || st=$?
    assert_equal "$* -> $st" "$* -> 143"
}

@test "redis: SIGTERM ends every wait on a server that does not answer (143)" {
    shq create "$Q"
    kill -STOP "$REDIS_PID"
    check_term_ends_wait pipe-cat /etc/hostname "$Q"
    check_term_ends_wait pipe-cat -c 1 "$Q" -
    check_term_ends_wait shq get "$Q"
    check_term_ends_wait shq stat "$Q"
    check_term_ends_wait shq put "$Q" x
    kill -CONT "$REDIS_PID"
}

@test "redis: PROCKIT_REDIS_TIMEOUT below 1 ms, or not decimal seconds, is a usage error naming it" {
    shq create "$Q"
    local t
    for t in 0.0000001 0.0009 0x10 1e-7; do
        PROCKIT_REDIS_TIMEOUT=$t run --separate-stderr shq stat "$Q"
        assert_failure 2
        assert_equal "$stderr" "shq: stat $Q: invalid PROCKIT_REDIS_TIMEOUT '$t': expected seconds from 0.001 on, such as 5 or 0.25"
        PROCKIT_REDIS_TIMEOUT=$t run --separate-stderr pipe-cat /dev/null "$Q"
        assert_failure 2
    done
    PROCKIT_REDIS_TIMEOUT=0.001 run shq stat "$Q"
    assert_success
}

@test "redis: a server that stops answering during the login is a timeout, not a wrong password" {
    stop_redis
    start_redis --requirepass s3cret
    Q=redis://127.0.0.1:$REDIS_PORT/0/$(qname q)
    kill -STOP "$REDIS_PID"
    PROCKIT_REDIS_PASSWORD=s3cret PROCKIT_REDIS_TIMEOUT=0.3 run --separate-stderr shq stat "$Q"
    kill -CONT "$REDIS_PID"
    assert_failure 4
    assert_equal "$stderr" "shq: stat $Q: lost the connection to redis://127.0.0.1:$REDIS_PORT/0 (AUTH): no reply within 0.3 s"
}

@test "redis: a password from the endpoint or PROCKIT_REDIS_PASSWORD; a wrong or missing one is one line, never shown" {
    stop_redis
    start_redis --requirepass s3cret
    local host=127.0.0.1:$REDIS_PORT name
    name=$(qname q)
    assert_fails_with 4 "shq: create redis://$host/0/$name: redis://$host/0 wants a password: put it in the endpoint or in PROCKIT_REDIS_PASSWORD" \
        shq create "redis://$host/$name"
    assert_fails_with 4 "shq: create redis://$host/0/$name: redis://$host/0 refused the login: wrong password or user" \
        shq create "redis://:wrong@$host/$name"
    shq create "redis://:s3cret@$host/$name"
    PROCKIT_REDIS_PASSWORD=s3cret shq put "redis://$host/$name" hello
    run shq stat "redis://:s3cret@$host/$name"
    refute_output --partial s3cret
    assert_line "depth       1"
    PROCKIT_REDIS_PASSWORD=s3cret shq rm "redis://$host/$name"
}

@test "redis: a 1,000,000-line stream and random binary records arrive whole and in order" {
    shq create "$Q"
    check_million_line_stream "$Q"
    shq done -c 1000000 "$Q"
    shq rm "$Q"
    shq create "$Q"
    check_binary_round_trip "$Q"
}

@test "redis: done -c N cuts the N oldest pending in one command, not one per message (a million held the server past the reply timeout)" {
    shq create "$Q"
    seq 5 | shq put "$Q"
    shq get -c 5 "$Q" > /dev/null
    redis-cli -p "$REDIS_PORT" config resetstat > /dev/null
    shq done -c 3 "$Q"
    assert_equal "$(redis-cli -p "$REDIS_PORT" info commandstats | grep -oE '^cmdstat_(rpop|ltrim):calls=[0-9]+')" "cmdstat_ltrim:calls=1"
    # The two newest are still pending, newest first.
    pending=$(redis-cli -p "$REDIS_PORT" --scan --pattern '*:pending:*')
    assert_equal "$(redis-cli -p "$REDIS_PORT" lrange "$pending" 0 -1)" "5
4"
    assert_equal "$(stat_of done) $(stat_of pending)" "3 2"
    shq done -c 2 "$Q"
    assert_equal "$(redis-cli -p "$REDIS_PORT" exists "$pending") $(stat_of done) $(stat_of pending)" "0 5 0"
}

@test "redis: a get waits for a put, and dies of SIGTERM while it waits, taking nothing" {
    shq create "$Q"
    shq get "$Q" > "$D/got" &
    local getter=$!
    wait_for '[ "$(redis-cli -p "$REDIS_PORT" client list | grep -c '\''cmd=blmove'\'')" = 1 ]'
    shq put "$Q" hello
    wait "$getter"
    assert_equal "$(cat "$D/got")" hello
    shq get "$Q" > "$D/got" &
    getter=$!
    wait_for '[ "$(redis-cli -p "$REDIS_PORT" client list | grep -c '\''cmd=blmove'\'')" = 1 ]'
    kill -TERM "$getter"
    local st=0
    wait "$getter" || st=$?
    assert_equal "$st" 143
    shq put "$Q" after
    assert_equal "$(shq get -n "$Q")" after
}

@test "redis: get moves a message to its consumer's pending list; recover returns those of dead consumers" {
    shq create "$Q"
    shq put "$Q" first second third
    # A consumer (a session of its own) takes one and dies without done.
    setsid --wait bash -c 'shq get "$1" > /dev/null; echo "$(hostname):$$"' _ "$Q" > "$D/consumer"
    consumer=$(cat "$D/consumer")
    assert_equal "$(stat_of depth) $(stat_of pending)" "2 1"
    run shq recover "$Q"
    assert_success
    assert_output "recovered 1 message of consumer $consumer: its process is gone"
    # It is back at the head of the queue, delivered again.
    assert_equal "$(shq get -a "$Q")" "first
second
third"
    shq done -c 3 "$Q"
    shq join -t 0 "$Q"
    assert_equal "$(stat_of got)" 4
    # A consumer elsewhere is judged by how long it has been silent.
    shq put "$Q" fourth
    PROCKIT_CONSUMER=otherhost:1 shq get "$Q" > /dev/null
    run shq recover "$Q"
    assert_output ""
    wait_for '[ -n "$(shq recover --older-than 0.05 "$Q")" ]'
    assert_equal "$(shq get "$Q")" fourth
    shq done "$Q"
    run --separate-stderr shq done "$Q"
    assert_failure 4
    assert_equal "$stderr" "shq: done $Q: cannot mark 1 done: consumer $(hostname):$(ps -o sid= -p $$ | tr -d ' ') has only 0 unfinished"
}

@test "redis: pipe-cat to and from a queue, ending with the marker; what it wrote out is not kept pending" {
    shq create "$Q"
    seq 10000 | pipe-cat -E - "$Q"
    run pipe-cat "$Q" -
    assert_success
    assert_equal "$output" "$(seq 10000)"
    assert_equal "$(stat_of put) $(stat_of got) $(stat_of pending) $(stat_of depth)" "10000 10000 0 0"
    # Queue to queue: what reached the other queue is not kept pending either.
    seq 100 | shq put "$Q"
    shq create "shm:/$(qname ring)"
    pipe-cat -c 100 "$Q" "shm:/$(qname ring)"
    assert_equal "$(stat_of pending)" 0
    assert_equal "$(shq get -a "shm:/$(qname ring)")" "$(seq 100)"
    shq rm "shm:/$(qname ring)"
    # A reader without -E semantics (shq get) leaves the marker for the next one.
    pipe-cat -E /dev/null "$Q"
    run shq get -n "$Q"
    assert_failure 1
}

@test "redis: pool-run workers share a queue; one killed with SIGKILL loses nothing; shq join returns" {
    shq create "$Q"
    seq 60 | shq put "$Q"
    workers=()
    for w in 1 2 3; do
        pool-run -j 2 --from "$Q" --idle 3 'echo {} >> '"$D"'/ran; sleep 0.05' 2> "$D/worker$w.err" &
        workers+=($!)
    done
    wait_for '[ "$(wc -l < "$D/ran" 2> /dev/null || echo 0)" -ge 10 ]'
    kill -KILL "${workers[0]}"
    # The others take back what it had in hand, once the queue is empty.
    shq join -t 60 "$Q"
    for pid in "${workers[@]}"; do wait "$pid" || true; done
    workers=()
    assert_equal "$(sort -n "$D/ran" | uniq)" "$(seq 60)"
    assert_equal "$(stat_of done) $(stat_of pending) $(stat_of depth)" "60 0 0"
    cat "$D"/worker*.err | grep -q "recovered [0-9]* unfinished messages of consumer $(hostname):"
}

@test "redis: an idle pool-run does not take back the message of its own running job (it ran twice)" {
    shq create "$Q"
    shq put "$Q" job1
    # The job waits, bounded, for a second run of itself: one comes within
    # milliseconds if the pool's first idle poll returns its message.
    run --separate-stderr pool-run -j 2 --from "$Q" --idle 0.5 \
        'echo {} >> '"$D"'/ran; for i in $(seq 300); do [ "$(wc -l < '"$D"'/ran)" -ge 2 ] && break; sleep 0.01; done'
    assert_success
    assert_equal "$(cat "$D/ran")" job1
    assert_equal "$stderr" ""
    assert_equal "$(stat_of done) $(stat_of pending) $(stat_of depth)" "1 0 0"
}

@test "redis: a restart mid-stream: clients fail with one line, nothing acknowledged is lost, recover resumes" {
    shq create "$Q"
    seq 100 | shq put "$Q"
    # Two jobs in hand, held until $D/go exists.
    pool-run -j 2 --from "$Q" 'until [ -e '"$D"'/go ]; do sleep 0.01; done; echo {} >> '"$D"'/ran' \
        2> "$D/worker.err" &
    local worker=$!
    wait_for '[ "$(stat_of pending)" = 2 ]'
    # A producer in the middle of its stream.
    mkfifo "$D/feed"
    shq put "$Q" < "$D/feed" 2> "$D/put.err" &
    local producer=$!
    exec 5> "$D/feed"
    seq 101 150 >&5
    wait_for '[ "$(stat_of put)" = 150 ]'

    stop_redis
    start_redis_again
    touch "$D/go"
    local st=0
    wait "$worker" || st=$?
    assert_equal "$st" 255
    run cat "$D/worker.err"
    assert_output --regexp "^pool-run: --from $Q: lost the connection to redis://127.0.0.1:$REDIS_PORT/0 \([A-Z]+\): the server closed the connection$"
    seq 151 160 >&5
    exec 5>&-
    st=0
    wait "$producer" || st=$?
    assert_equal "$st" 4
    run cat "$D/put.err"
    assert_output --regexp "^shq: put $Q: lost the connection to redis://127.0.0.1:$REDIS_PORT/0 \([A-Z]+\): "

    # Everything acknowledged before the restart is still there.
    assert_equal "$(stat_of put)" 150
    run shq recover "$Q"
    assert_output --regexp "^recovered 2 messages of consumer $(hostname):$worker: its process is gone$"
    pool-run -j 4 --from "$Q" --idle 1 'echo {} >> '"$D"'/ran'
    shq join -t 0 "$Q"
    assert_equal "$(sort -n "$D/ran" | uniq)" "$(seq 150)"
}

# Starts the server again on the same port and directory, from its
# append-only file.
start_redis_again() {
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$D/redis" --save '' \
        --appendonly yes --appendfsync always --logfile "$D/redis/log" 3>&- &
    REDIS_PID=$!
    wait_for_redis
}

# Runs the command in the background (bounded by timeout 10), waits until
# $1 is true of it, removes $Q with shq rm from another client and checks
# the command ended with 3 and the one line $2 on stderr.
check_removed_while_waiting() {
    local ready=$1 line=$2 rc=0
    shift 2
    timeout 10 "$@" < "${INPUT:-/dev/null}" 2> "$D/err" > /dev/null &
    waiter=$!
    workers+=("$waiter")
    wait_for "$ready"
    shq rm "$Q"
    wait "$waiter" || rc=$?
    assert_equal "$rc" 3
    assert_equal "$(cat "$D/err")" "$line"
}
blmove_waiting() { [ "$(redis-cli -p "$REDIS_PORT" client list | grep -c 'cmd=blmove')" = 1 ]; }
# The child of the timeout started last (the command) sleeps in its wait.
command_sleeping() {
    local kid
    kid=$(cat "/proc/$waiter/task/$waiter/children" 2> /dev/null | tr -d ' ')
    [ -n "$kid" ] && is_sleeping "$kid"
}

@test "redis: get, pipe-cat, put and join waiting on a queue removed by another client end with 3 and one line" {
    shq create "$Q"
    check_removed_while_waiting blmove_waiting "shq: get $Q: the queue was removed while waiting" shq get "$Q"
    shq create "$Q"
    check_removed_while_waiting blmove_waiting "shq: get $Q: the queue was removed while waiting" shq get -t 60 "$Q"
    shq create "$Q"
    check_removed_while_waiting blmove_waiting "pipe-cat: $Q: the queue was removed while waiting" pipe-cat "$Q" -
    shq create -m 1 "$Q"
    shq put "$Q" first
    check_removed_while_waiting command_sleeping "shq: put $Q: the queue was removed while waiting" shq put "$Q" second
    shq create -m 1 "$Q"
    shq put "$Q" first
    echo second > "$D/in"
    INPUT=$D/in check_removed_while_waiting command_sleeping \
        "pipe-cat: $Q: the queue was removed while waiting" pipe-cat - "$Q"
    shq create "$Q"
    shq put "$Q" task
    check_removed_while_waiting command_sleeping "shq: join $Q: the queue was removed while waiting" shq join "$Q"
}

@test "redis: recover --older-than 0 takes back what every consumer holds, a live one too" {
    shq create "$Q"
    shq put "$Q" first second
    PROCKIT_CONSUMER=otherhost:1 shq get "$Q" > /dev/null
    run shq recover "$Q"
    assert_success
    assert_output ""
    run shq recover --older-than 0 "$Q"
    assert_success
    assert_output --regexp "^recovered 1 message of consumer otherhost:1: silent for [0-9]+ s$"
    assert_equal "$(stat_of pending) $(stat_of depth)" "0 2"
    assert_equal "$(shq get -a "$Q")" "first
second"
}

@test "redis: pipe-cat to a full device is 4 and one line; the messages it took stay pending for recover" {
    shq create "$Q"
    shq put "$Q" one two
    run --separate-stderr env PROCKIT_CONSUMER=otherhost:7 pipe-cat "$Q" /dev/full
    assert_failure 4
    assert_equal "$stderr" "pipe-cat: $Q: write /dev/full: no space left on device; 2 messages taken and not written: pending, for shq recover"
    assert_equal "$(stat_of pending) $(stat_of depth)" "2 0"
    run shq recover --older-than 0 "$Q"
    assert_output --regexp "^recovered 2 messages of consumer otherhost:7"
    assert_equal "$(shq get -a "$Q")" "one
two"
}

@test "redis: pipe-cat writes out what it took before an error of the queue (a message past the size), and lets it go" {
    local key
    key="prockit:{$(qname q)}"
    shq create -s 10 "$Q"
    shq put "$Q" ok
    redis-cli -p "$REDIS_PORT" lpush "$key:items" "$(head -c 100 /dev/zero | tr '\0' x)" > /dev/null
    run --separate-stderr pipe-cat -t 5 "$Q" -
    assert_failure 4
    assert_output ok
    assert_equal "$stderr" "pipe-cat: $Q: a message of 100 bytes exceeds the queue's 10 (not put by prockit?); it stays pending"
    assert_equal "$(stat_of pending)" 1
}
