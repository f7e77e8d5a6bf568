#!/usr/bin/env bash
# make demo: a producer and three workers sharing one queue, with an urgent
# job jumping the line. Real processes, a real POSIX message queue.
set -eu
PATH="${PROCKIT_BIN:?}:$PATH"
q=prockit-demo-$$
trap 'shq rm -f "$q"' EXIT

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

say "done: the queue is removed on exit (shq rm $q)"
