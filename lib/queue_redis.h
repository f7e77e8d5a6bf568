// prockit queues on a Redis server (redis://HOST[:PORT][/DB]/NAME), for
// work that outgrows one machine. The keys of queue NAME share the hash tag
// {NAME}, so that the Lua scripts touching several of them also run on a
// cluster:
//
//     prockit:{NAME}:meta              hash: msgsize, maxmsg, put, got, done
//     prockit:{NAME}:items             list: producers LPUSH, consumers take from the right
//     prockit:{NAME}:pending:CONSUMER  list: what CONSUMER took and has not marked done
//     prockit:{NAME}:consumers         hash: CONSUMER -> when it was last heard from
//
// Delivery is at least once. Taking a message moves it, in one step on the
// server, onto the consumer's pending list; `done` removes it from there.
// A consumer that dies leaves its messages pending, and recover() puts them
// back at the head of the queue: they are delivered again, to someone else.
// A message is delivered twice when its consumer finished it but died (or
// lost the connection) before its done reached the server, or when recover
// --older-than took back the messages of a consumer that was only slow.
//
// A consumer is named HOST:PID. By default PID is our session's (its
// leader's pid): a script's `shq get` and `shq done`, two processes, even
// from subshells, are one consumer, whose messages recover returns when the
// session's leader is gone. A long-lived consumer (pool-run) names itself
// by opening the queue with OpenOptions::consumer_pid. PROCKIT_CONSUMER
// overrides both.
//
// Only queue_factory.cpp includes this.
#pragma once

#include "queue_backend.h"

namespace prockit {

extern const QueueBackend kRedisQueues;

}  // namespace prockit
