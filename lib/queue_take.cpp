// The consumer's step every backend shares unless it has a faster one:
// take what is there, many at once, as records; else flush and wait.
#include "queue.h"

namespace prockit {

size_t Queue::try_receive_many(char* buf, size_t cap, uint64_t max, const RecordFormat& f, size_t& used,
                               bool* ended) {
    const size_t room = max_message() + 8;  // a message, its prefix and delimiter
    size_t n = 0;
    used = 0;
    unsigned prio = 0;
    size_t len = 0;
    while (n < max && cap - used >= room && try_receive(buf + used, len, prio)) {
        if (f.until_end && is_end_of_stream(buf + used, len)) {
            if (ended) *ended = true;
            break;
        }
        used += format_record(buf + used, len, prio, f);
        ++n;
    }
    return n;
}

Taken Queue::take(Output& out, const RecordFormat& f, uint64_t max, const Deadline& deadline,
                  const StopSignals* stop) {
    Queue& q = *this;
    const size_t room = q.max_message() + 8;  // a message, its prefix and delimiter
    Taken t;
    char* at = out.reserve(room);
    t.messages = q.try_receive_many(at, out.room(), max, f, t.bytes, &t.ended);
    if (t.messages || t.ended) {
        out.commit(t.bytes);
        return t;
    }
    if (deadline.expired()) {
        t.got = Queue::Got::timed_out;
        return t;
    }
    out.flush();
    at = out.reserve(room);
    size_t len = 0;
    unsigned prio = 0;
    t.got = q.receive(at, len, prio, deadline, stop);
    if (t.got != Queue::Got::message) return t;
    if (f.until_end && is_end_of_stream(at, len)) {
        t.ended = true;
        return t;
    }
    t.bytes = format_record(at, len, prio, f);
    out.commit(t.bytes);
    t.messages = 1;
    return t;
}

}  // namespace prockit
