// How messages look outside a queue: the end-of-stream marker, and the
// record a message becomes when written to a byte stream.
#pragma once

#include <cstddef>
#include <string_view>

#include "deadline.h"

namespace prockit {

// The end-of-stream marker (pipe-cat -E): a message of these 16 bytes. An
// empty message or line is ordinary data, and no -0 record can equal it,
// since it holds NUL bytes.
constexpr std::string_view kEndOfStream("\0prockit:eos\0\0\0\0", 16);
inline bool is_end_of_stream(const char* msg, size_t len) {
    return len == kEndOfStream.size() && std::string_view(msg, len) == kEndOfStream;
}

// The marker is not a task: nobody will mark it done (shq join).
inline bool counts_as_task(const char* msg, size_t len) { return !is_end_of_stream(msg, len); }

// Removing a queue (shq rm) wakes none of its waiters: the kernel's queue
// and the ring's mapping live on, unnamed, for whoever holds them. So every
// wait on a queue is cut into slices of this length, and between two the
// waiter looks whether the name still leads to its queue; if not, it gives
// up with Error(Exit::missing, kRemovedWhileWaiting).
constexpr double kRemovalCheckSeconds = 0.2;
constexpr const char* kRemovedWhileWaiting = "the queue was removed while waiting";

// The next slice of a wait until `d`.
inline Deadline removal_slice(const Deadline& d) {
    constexpr auto slice_ns = static_cast<int64_t>(kRemovalCheckSeconds * 1e9);
    return d.remaining_ns() <= slice_ns ? d : Deadline::after(kRemovalCheckSeconds);
}

// How a message is written out: [PRIO TAB] MESSAGE [DELIM].
struct RecordFormat {
    char delim = '\n';
    bool with_prio = false;
    bool delimit = true;   // false: messages are chunks of a byte stream
    bool until_end = false;  // stop a batch at the end-of-stream marker
};

// Turns a message received at `at` (len bytes) into a record in place, per
// `f`; `at` must have record_overhead(prio, f) bytes of room beyond the
// message (8 at most for a message queue's priorities, which stop at
// 32767; 12 for any unsigned). Returns its size. Every backend writes its records
// through this one function.
size_t format_record(char* at, size_t len, unsigned prio, const RecordFormat& f);

// The bytes format_record adds to a message of priority prio.
size_t record_overhead(unsigned prio, const RecordFormat& f);

}  // namespace prockit
