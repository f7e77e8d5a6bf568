#include "queue_redis_scripts.h"

namespace prockit::redis_queue {

const RedisScript kCreate{R"(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'maxmsg', ARGV[1], 'msgsize', ARGV[2], 'put', 0, 'got', 0, 'done', 0, 'created', ARGV[3])
return 1)"};

// Pushes as many of ARGV[2..] as there is room for; counts all but the
// end-of-stream marker (ARGV[1]) as tasks. -1: no such queue.
const RedisScript kPut{R"(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = #ARGV - 1
local cap = tonumber(redis.call('HGET', KEYS[1], 'maxmsg') or '0')
if cap > 0 then
  local room = cap - redis.call('LLEN', KEYS[2])
  if room < n then n = math.max(room, 0) end
end
local tasks = 0
for i = 2, n + 1 do
  redis.call('LPUSH', KEYS[2], ARGV[i])
  if ARGV[i] ~= ARGV[1] then tasks = tasks + 1 end
end
if tasks > 0 then redis.call('HINCRBY', KEYS[1], 'put', tasks) end
return n)"};

// Takes up to ARGV[1] messages, as many as fit in ARGV[5] bytes (each with
// 8 more for its framing; the first always), onto the consumer's pending
// list; the end-of-stream marker (ARGV[2]) ends the batch and is not kept
// pending. The consumer is marked as heard from (ARGV[4]) when it took
// something or ARGV[6] is 1: an empty look writes nothing, so a waiting
// consumer costs the server no append-only-file fsync.
const RedisScript kTake{R"(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local out = {}
local tasks = 0
local budget = tonumber(ARGV[5])
for i = 1, tonumber(ARGV[1]) do
  local v = redis.call('RPOP', KEYS[2])
  if not v then break end
  if #out > 0 and #v + 8 > budget then
    redis.call('RPUSH', KEYS[2], v)
    break
  end
  budget = budget - #v - 8
  out[#out + 1] = v
  if v == ARGV[2] then break end
  redis.call('LPUSH', KEYS[3], v)
  tasks = tasks + 1
end
if tasks > 0 then redis.call('HINCRBY', KEYS[1], 'got', tasks) end
if tasks > 0 or ARGV[6] == '1' then redis.call('HSET', KEYS[4], ARGV[3], ARGV[4]) end
return out)"};

// After a BLMOVE put message ARGV[1] on the pending list: count it, or
// drop it from there if it is the end-of-stream marker.
const RedisScript kTook{R"(
if ARGV[1] == ARGV[2] then redis.call('LREM', KEYS[2], 1, ARGV[1])
else redis.call('HINCRBY', KEYS[1], 'got', 1) end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
return 1)"};

// Marks the ARGV[1] oldest pending messages done; {have} if fewer are
// pending. The oldest are the list's right end, cut with one LTRIM: a pop
// each (a command each for the server and its append-only file) held the
// server for seconds at a million, past a client's reply timeout under load.
const RedisScript kDone{R"(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = tonumber(ARGV[1])
local have = redis.call('LLEN', KEYS[2])
if have < n then return {have} end
redis.call('LTRIM', KEYS[2], 0, -n - 1)
redis.call('HINCRBY', KEYS[1], 'done', n)
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
return n)"};

// Marks one pending message, by its content, done; 0 if it is not pending.
const RedisScript kDoneWith{R"(
if redis.call('LREM', KEYS[2], -1, ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], 'done', 1)
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
return 1)"};

// Puts a consumer's pending messages back at the head of the queue, in the
// order they were taken, and forgets the consumer.
const RedisScript kRecover{R"(
local n = 0
while redis.call('LMOVE', KEYS[2], KEYS[1], 'LEFT', 'RIGHT') do n = n + 1 end
redis.call('HDEL', KEYS[3], ARGV[1])
return n)"};

}  // namespace prockit::redis_queue
