// How messages look outside a queue: the end-of-stream marker, and the
// record a message becomes when written to a byte stream.
#pragma once

#include <cstddef>
#include <string_view>

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

// How a message is written out: [PRIO TAB] MESSAGE [DELIM].
struct RecordFormat {
    char delim = '\n';
    bool with_prio = false;
    bool delimit = true;   // false: messages are chunks of a byte stream
    bool until_end = false;  // stop a batch at the end-of-stream marker
};

// Turns a message received at `at` (len bytes) into a record in place, per
// `f`; `at` must have 8 bytes of room beyond the message. Returns its size.
size_t format_record(char* at, size_t len, unsigned prio, const RecordFormat& f);

}  // namespace prockit
