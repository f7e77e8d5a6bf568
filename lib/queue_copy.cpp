#include "queue_copy.h"

#include <memory>
#include <string>
#include <vector>

#include "diag.h"
#include "records.h"

namespace prockit {

namespace {
// Runs f() with the queue's name as the context of its errors.
template <class F>
auto on(const Queue& q, F&& f) -> decltype(f()) {
    return with_context(q.endpoint().str(), std::forward<F>(f));
}

void send_marker(Queue& q, const StopSignals* stop) {
    on(q, [&] { return q.send(kEndOfStream, 0, Deadline::never(), stop); });
}

// Sends msgs, waiting as long as it takes. A lock another process holds
// past a second is said once (outside the queue's context: the line names
// it), so that a stopped holder does not keep us waiting silently.
size_t send_waiting(Queue& q, const std::string_view* msgs, size_t n, const StopSignals* stop, bool& said) {
    size_t sent = 0;
    while (sent < n && !(stop && stop->received())) {
        sent += on(q, [&] { return q.send_many(msgs + sent, n - sent, 0, WaitPolicy::seconds(1), stop); });
        const std::string why = q.blocked_by();
        const std::string_view prefix = "the queue's lock";
        if (sent < n && !said && why.starts_with(prefix)) {
            warn("waiting for %s: its lock%s", q.endpoint().str().c_str(), why.c_str() + prefix.size());
            said = true;
        }
    }
    return sent;
}

[[noreturn]] void too_long(const RecordReader& reader, const Stream& in, const Queue& q, bool chunk) {
    throw Error(Exit::failure, std::string(chunk ? "chunk" : "record") + " of " +
                                   (reader.long_is_lower_bound() ? "more than " : "") +
                                   std::to_string(reader.long_length()) + " bytes from " + in.name() +
                                   " exceeds the message size of " + q.endpoint().str() + ", " +
                                   std::to_string(q.max_message()));
}

// Sends one batch of records, at the pace the meter allows; how many went.
size_t send_batch(Queue& q, const std::vector<std::string_view>& batch, const QueueCopyOptions& opt, bool& said) {
    const CopyOptions& c = opt.copy;
    size_t i = 0;
    while (i < batch.size()) {
        size_t want = batch[i].size() + 1;
        if (c.meter && !c.meter->allow(want, c.stop)) break;
        // Without a rate limit, the whole batch at once.
        size_t n = opt.one_at_a_time ? 1 : batch.size() - i;
        size_t sent = send_waiting(q, &batch[i], n, c.stop, said);
        for (size_t k = i; k < i + sent; ++k)
            if (c.meter) c.meter->add(batch[k].size(), 1);
        i += sent;
        if (sent < n) break;
    }
    return i;
}
}  // namespace

CopyEnd stream_to_queue(const Stream& in, Queue& q, const QueueCopyOptions& opt, uint64_t& records) {
    const CopyOptions& c = opt.copy;
    const uint64_t max = c.max_records;
    bool said = false;  // that another process holds the queue's lock
    RecordReader::Waiting waiting{c.stop, c.idle};
    RecordReader reader(in.fd(), c.delim, q.max_message(), c.chunk, in.may_block() ? &waiting : nullptr);
    std::vector<std::string_view> batch;
    CopyEnd end = CopyEnd::end;
    bool more = true;
    for (std::string_view rec; more && end == CopyEnd::end && !(max && records == max);) {
        switch (reader.next(rec)) {
            case RecordReader::Status::record: break;
            case RecordReader::Status::end: more = false; continue;
            case RecordReader::Status::idle: end = CopyEnd::idle; continue;
            case RecordReader::Status::stopped: end = CopyEnd::stopped; continue;
            case RecordReader::Status::too_long: too_long(reader, in, q, c.chunk != 0);
        }
        batch.assign(1, rec);
        while ((!max || batch.size() < max - records) && batch.size() < 4096 && reader.next_buffered(rec))
            batch.push_back(rec);
        records += send_batch(q, batch, opt, said);
        if (c.stop && c.stop->received()) end = CopyEnd::stopped;
    }
    if (max && records == max) end = CopyEnd::count;
    if (opt.end_marker && end != CopyEnd::stopped) send_marker(q, c.stop);
    return end;
}

namespace {
// Takes messages from q into buf until the marker, -c, -t or a signal;
// `unsettled` counts those taken and not yet written out.
CopyEnd take_all(Queue& q, Output& buf, const RecordFormat& format, const QueueCopyOptions& opt, uint64_t& records,
                 uint64_t& unsettled) {
    const CopyOptions& c = opt.copy;
    CopyEnd end = CopyEnd::end;
    for (bool ended = false; !ended && !(c.max_records && records == c.max_records);) {
        // What is there, many at once (one at a time under a rate limit).
        uint64_t want = opt.one_at_a_time ? 1 : c.max_records ? c.max_records - records : UINT64_MAX;
        Taken t = on(q, [&] { return take_into(q, buf, format, want, c.idle.deadline(), c.stop); });
        if (t.got == Queue::Got::timed_out) end = CopyEnd::idle;
        if (t.got == Queue::Got::stopped) end = CopyEnd::stopped;
        if (t.got != Queue::Got::message) break;
        ended = t.ended;
        // Already in the buffer: a stop during the rate limit's sleep still writes it.
        size_t permit = t.bytes;  // the rate limit may grant less; the lag is made up next time
        bool go_on = !c.meter || c.meter->allow(permit, c.stop);
        if (c.meter) c.meter->add(t.bytes - (format.delimit ? t.messages : 0), t.messages);
        records += t.messages;
        unsettled += t.messages;
        if (!go_on) {
            end = CopyEnd::stopped;
            break;
        }
    }
    if (c.max_records && records == c.max_records) end = CopyEnd::count;
    buf.flush();
    return end;
}
}  // namespace

CopyEnd queue_to_stream(Queue& q, const Stream& out, const QueueCopyOptions& opt, uint64_t& records) {
    Output buf(out.fd(), out.name(), 64 * 1024, out.may_block() ? opt.copy.stop : nullptr);
    // Messages count as delivered once they are written out, not before: a
    // queue that keeps_taken() keeps them for recover until then.
    uint64_t unsettled = 0;
    buf.on_flush([&] {
        q.delivered(unsettled);
        unsettled = 0;
    });
    // Chunks (-B) go out as they came in; lines and records get their delimiter.
    const RecordFormat format{opt.copy.delim, false, opt.copy.chunk == 0, true};
    try {
        return take_all(q, buf, format, opt, records, unsettled);
    } catch (const Error& e) {
        // What was taken before an error of the queue is still written out.
        try {
            buf.flush();
        } catch (const Error&) {
            // The error was (or is now) the output's own.
        }
        if (unsettled == 0) throw;
        // A queue cannot lend a message: what was taken and not written out
        // is lost, unless the queue keeps it pending until delivered.
        // The new Error says what the first said it was doing (this runs
        // outside the queue's context, and pipe-cat has none around it).
        Context again(e.context());
        throw Error(e.status(), std::string(e.what()) + "; " + std::to_string(unsettled) +
                                    (unsettled == 1 ? " message" : " messages") + " taken and not written: " +
                                    (q.keeps_taken() ? "pending, for shq recover" : "lost"));
    }
}

CopyEnd queue_to_queue(Queue& in, Queue& out, const QueueCopyOptions& opt, uint64_t& records) {
    const CopyOptions& c = opt.copy;
    // Not a vector: its zeroes would touch the whole message size (a ring's
    // may be hundreds of MB) before the first message is known.
    auto buf = std::make_unique_for_overwrite<char[]>(in.max_message());
    CopyEnd end = CopyEnd::end;
    while (!(c.max_records && records == c.max_records)) {
        size_t len = 0;
        unsigned prio = 0;
        Queue::Got got = on(in, [&] { return in.receive(buf.get(), len, prio, c.idle.deadline(), c.stop); });
        if (got == Queue::Got::timed_out) end = CopyEnd::idle;
        if (got == Queue::Got::stopped) end = CopyEnd::stopped;
        if (got != Queue::Got::message || is_end_of_stream(buf.get(), len)) break;
        size_t want = len;
        if (c.meter && !c.meter->allow(want, c.stop)) {
            end = CopyEnd::stopped;
            break;
        }
        // Priorities carry over where the destination has them.
        unsigned keep = out.has_priorities() ? prio : 0;
        if (!on(out, [&] { return out.send({buf.get(), len}, keep, Deadline::never(), c.stop); })) {
            end = CopyEnd::stopped;
            break;
        }
        in.delivered(1);  // in the other queue now: a source that keeps_taken() lets it go
        if (c.meter) c.meter->add(len, 1);
        ++records;
    }
    if (c.max_records && records == c.max_records) end = CopyEnd::count;
    if (opt.end_marker && end != CopyEnd::stopped) send_marker(out, c.stop);
    return end;
}

}  // namespace prockit
