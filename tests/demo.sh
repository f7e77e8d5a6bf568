#!/usr/bin/env bash
# make demo: a producer and three workers sharing one queue, with an urgent
# job jumping the line; a ring with task counting; pipe-cat and pool-run;
# zombies found and orphans reaped. Real processes, real queues.
set -eu
PATH="${PROCKIT_BIN:?}:$PATH"
q=prockit-demo-$$
tmp=$(mktemp -d)
trap 'shq rm -f "$q"; rm -rf "$tmp"' EXIT

if [ -t 1 ]; then bold=$(printf '\033[1m') plain=$(printf '\033[0m'); else bold= plain=; fi
say() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }

say "shq create $q                      # a queue of $(cat /proc/sys/fs/mqueue/msg_default) messages, mode 0600"
shq create "$q"

say "three workers wait on the queue; each stops after 1 s without a job"
for w in 1 2 3; do
    ( while job=$(shq get -t 1 "$q"); do
          echo "  worker $w (pid $BASHPID) took: $job"
          sleep 0.05      # the work
      done ) &
done

say "the producer streams 12 jobs into it:  seq 12 | sed 's/^/job /' | shq put $q"
seq 12 | sed 's/^/job /' | shq put "$q"
wait

say "priorities: routine jobs at 0, one urgent at 9, then the whole queue drained with -P"
shq put "$q" "routine 1" "routine 2"
shq put -p 9 "$q" "URGENT"
shq stat "$q" | sed 's/^/  /'
shq get -a -P "$q" | sed 's/^/  /'

say "a ring in shared memory counts tasks: three workers mark each job done, shq join waits for all"
r=shm:/$q
shq create "$r"
for w in 1 2 3; do
    ( while job=$(shq get -t 1 "$r"); do
          echo "  worker $w finished $job"
          shq done "$r"
      done ) &
done
seq 6 | sed 's/^/task /' | shq put "$r"
shq join "$r"
echo "  shq join returned: $(shq stat --json "$r" | jq -r '"\(.put) put, \(.done) done, \(.unfinished) unfinished"')"
wait
shq rm "$r"

say "pipe-cat joins a producer and a consumer through the ring, ending the stream with -E"
shq create "$r"
pipe-cat "$r" | sed 's/^/  consumer got: /' &
printf 'alpha\nbeta\ngamma\n' | pipe-cat -E - "$r"
wait
shq rm "$r"

say "and moves bytes between pipes with splice: 1 GiB through  producer | pipe-cat | consumer"
pipe-cat -B 1M -c 1024 /dev/zero - | pipe-cat --stats | pipe-cat - /dev/null

say "pool-run: eight jobs, four at a time, output kept in input order (-k), one failing on purpose"
pool-run -j 4 -k --tag 'sleep 0.$((RANDOM % 3)); [ {} != 6 ] && echo "square $(( {} * {} ))"' ::: $(seq 8) ||
    echo "  pool-run exit status $?: the number of failed jobs, as GNU parallel"

say "orphan-demo makes three zombies; zombie-watch finds them and the parent that must reap them"
orphan-demo zombie -c 3 --hold 1 > "$tmp/zombies" &
demo=$!
until grep -q holding "$tmp/zombies"; do sleep 0.05; done
zombie-watch -p "$demo" | sed 's/^/  /'
zombie-watch -p "$demo" -w 2 -c 10 | head -n 1 | sed 's/^/  as a monitoring check: /' || true
wait "$demo"
echo "  after the hold orphan-demo reaped them: $(zombie-watch -p $$)"

say "a pool whose jobs leave orphans, run under zombie-watch --subreaper: every orphan is reaped"
zombie-watch --subreaper -v -- pool-run -j 2 'sleep 0.2 & echo job {} left a sleep behind' ::: 1 2 2>&1 |
    sed 's/^/  /'

if command -v redis-server > /dev/null; then
    say "beyond one machine: two pool-run workers share a queue on a Redis server; one is killed with SIGKILL"
    port=$((20000 + RANDOM % 20000))
    redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp" --save '' --appendonly no > /dev/null &
    server=$!
    until redis-cli -p "$port" ping > /dev/null 2>&1; do sleep 0.05; done
    rq=redis://127.0.0.1:$port/0/demo
    shq create "$rq"
    seq 12 | shq put "$rq"
    workers=()
    for w in 1 2; do
        pool-run -j 2 --from "$rq" --idle 1 "sleep 0.1; echo '  worker $w did job' {}" 2> >(sed "s/^pool-run: /  worker $w: /") &
        workers+=($!)
    done
    sleep 0.15
    kill -KILL "${workers[0]}"
    { wait "${workers[0]}"; } 2> /dev/null || true
    echo "  worker 1 (pid ${workers[0]}) killed with SIGKILL, two jobs in hand"
    shq join "$rq"
    wait "${workers[@]}" 2> /dev/null || true
    echo "  shq join returned: $(shq stat --json "$rq" | jq -r '"\(.put) put, \(.done) done, \(.pending) pending"')"
    shq rm "$rq"
    kill "$server"
    wait "$server" 2> /dev/null || true
fi

say "done: the queue is removed on exit (shq rm $q)"
