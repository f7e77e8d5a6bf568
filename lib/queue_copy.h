// pipe-cat's three ways through a queue (copy.h has the fourth, stream to
// stream): records of a byte stream sent as messages, messages written out
// as records, and messages passed from queue to queue with their
// boundaries (and, where the destination has them, priorities) kept.
//
// A wait for room, or for a ring's lock, is not idle input: -t does not
// bound it, as it does not bound a write to a full pipe. An Error of a
// queue comes with the queue's name as its context ("mq:/jobs: ...").
#pragma once

#include <cstdint>

#include "copy.h"
#include "queue.h"
#include "stream.h"

namespace prockit {

struct QueueCopyOptions {
    CopyOptions copy;          // stop, idle (-t), meter, max_records (-c), delim, chunk (-B)
    bool one_at_a_time = false;  // a message at a time, for a rate limit
    bool end_marker = false;     // -E: send the end-of-stream marker when the input ends
};

// Each returns how the transfer ended; `records` counts what went through.
// Stream to queue: each record (line, NUL record, or chunk) one message.
CopyEnd stream_to_queue(const Stream& in, Queue& q, const QueueCopyOptions& opt, uint64_t& records);
// Queue to stream: each message a record (chunks, -B, written as they are),
// until the end-of-stream marker. What was taken and could not be written
// out is said in the Error: lost, or pending where the queue keeps_taken().
CopyEnd queue_to_stream(Queue& q, const Stream& out, const QueueCopyOptions& opt, uint64_t& records);
// Queue to queue, message for message, until the end-of-stream marker.
CopyEnd queue_to_queue(Queue& in, Queue& out, const QueueCopyOptions& opt, uint64_t& records);

}  // namespace prockit
