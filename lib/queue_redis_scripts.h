// The keys and Lua scripts of a prockit queue on a Redis server (see
// queue_redis.h for the layout and the delivery guarantees). Each script
// runs in one step on the server; all keys of queue NAME share the hash
// tag {NAME}, so that they also run on a cluster.
#pragma once

#include <string>

#include "redis.h"

namespace prockit::redis_queue {

// The keys of queue "/NAME".
struct Keys {
    explicit Keys(const std::string& path) : base("prockit:{" + path.substr(1) + "}:") {}
    std::string base;
    std::string meta() const { return base + "meta"; }
    std::string items() const { return base + "items"; }
    std::string consumers() const { return base + "consumers"; }
    std::string pending(const std::string& consumer) const { return base + "pending:" + consumer; }
};

// Makes queue KEYS[1] (maxmsg, msgsize, when); 0 if it exists already.
extern const RedisScript kCreate;
// Pushes as many of ARGV[2..] as there is room for; counts all but the
// end-of-stream marker (ARGV[1]) as tasks. -1: no such queue.
extern const RedisScript kPut;
// Takes up to ARGV[1] messages, as many as fit in ARGV[5] bytes (each with
// 8 more for its framing; the first always), onto the consumer's pending
// list; the end-of-stream marker (ARGV[2]) ends the batch and is not kept
// pending. The consumer is marked as heard from (ARGV[4]) when it took
// something or ARGV[6] is 1: an empty look writes nothing, so a waiting
// consumer costs the server no append-only-file fsync.
extern const RedisScript kTake;
// After a BLMOVE put message ARGV[1] on the pending list: count it, or
// drop it from there if it is the end-of-stream marker.
extern const RedisScript kTook;
// Marks the ARGV[1] oldest pending messages done; {have} if fewer are pending.
extern const RedisScript kDone;
// Marks one pending message, by its content, done; 0 if it is not pending.
extern const RedisScript kDoneWith;
// Puts a consumer's pending messages back at the head of the queue, in the
// order they were taken, and forgets the consumer.
extern const RedisScript kRecover;

}  // namespace prockit::redis_queue
