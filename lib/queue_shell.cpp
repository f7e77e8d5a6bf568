#include "queue_shell.h"

#include <cstdio>
#include <string>

#include "diag.h"
#include "json.h"
#include "queue_factory.h"
#include "queue_status.h"
#include "text.h"

namespace prockit {

namespace {
std::string sent_text(uint64_t sent) {
    return std::to_string(sent) + (sent == 1 ? " message was sent" : " messages were sent");
}

[[noreturn]] void queue_full(const Queue& q, uint64_t sent) {
    // A ring's lock held past the deadline (a stopped holder) is said as such.
    std::string why = q.blocked_by().empty() ? "queue is full" : q.blocked_by();
    throw Error(Exit::timed_out, why + "; " + sent_text(sent) + ", the rest were not");
}

void put_records(Queue& q, int fd, char delim, unsigned prio, const WaitPolicy& wait, uint64_t& sent) {
    RecordReader in(fd, delim, q.max_message());
    std::vector<std::string_view> batch;
    for (std::string_view rec;;) {
        switch (in.next(rec)) {
            case RecordReader::Status::record: break;
            case RecordReader::Status::end:
            case RecordReader::Status::idle:     // only with Waiting, which put does not ask for
            case RecordReader::Status::stopped: return;
            case RecordReader::Status::too_long:
                throw Error(Exit::failure, std::string("message of ") + (in.long_is_lower_bound() ? "more than " : "") +
                                               std::to_string(in.long_length()) + " bytes exceeds the queue's " +
                                               std::to_string(q.max_message()) + "; " + std::to_string(sent) +
                                               " messages before it were sent");
        }
        batch.assign(1, rec);
        while (batch.size() < 4096 && in.next_buffered(rec)) batch.push_back(rec);
        size_t n = q.send_many(batch.data(), batch.size(), prio, wait);
        sent += n;
        if (n < batch.size()) queue_full(q, sent);
    }
}
}  // namespace

void put_messages(Queue& q, const std::vector<std::string_view>& messages, int fd, char delim, unsigned prio,
                  const WaitPolicy& wait) {
    uint64_t sent = 0;
    try {
        if (messages.empty()) return put_records(q, fd, delim, prio, wait, sent);
        for (std::string_view msg : messages) {
            if (!q.send(msg, prio, wait.deadline())) queue_full(q, sent);
            ++sent;
        }
    } catch (const Error& err) {
        // Removed while we waited for room: say how far we got.
        if (err.status() != Exit::missing || sent == 0) throw;
        throw Error(err.status(), std::string(err.what()) + "; " + sent_text(sent) + ", the rest were not");
    }
}

uint64_t get_messages(Queue& q, Output& out, const RecordFormat& f, const GetPlan& plan, const StopSignals* stop) {
    uint64_t got = 0, written = 0;
    out.on_flush([&] { written = got; });  // flushes come between takes
    try {
        while (plan.all || got < plan.count) {
            Deadline d = got == 0 ? plan.first.deadline() : plan.rest.deadline();
            Taken t = take_into(q, out, f, plan.all ? UINT64_MAX : plan.count - got, d, stop);
            got += t.messages;
            // pipe-cat -E's end-of-stream marker ends get too: taken, not printed.
            if (t.ended || t.got != Queue::Got::message) break;
        }
        out.flush();
    } catch (const Error& err) {
        // What was taken before an error of the queue is still written out.
        try {
            out.flush();
        } catch (const Error&) {
            // The error was (or is now) standard output's own.
        }
        if (got == written) throw;
        const uint64_t lost = got - written;
        throw Error(err.status(), std::string(err.what()) + "; " + std::to_string(lost) +
                                      (lost == 1 ? " message was" : " messages were") +
                                      " taken from the queue and not written: lost");
    }
    return got;
}

void print_queues(std::string_view where, bool json) {
    for (const Endpoint& e : list_queues(where)) {
        if (!json) {
            std::printf("%s\n", escape_text(e.display()).c_str());  // a name may hold a newline
            continue;
        }
        try {
            std::printf("%s\n", status_json(open_queue(e, {Access::read})->status()).c_str());
        } catch (const Error& err) {
            // Listed but not readable by us (mode 0600 of another user), or
            // removed since the listing: say so in the record, keep going.
            std::printf("{\"queue\":%s,\"error\":%s}\n", json_string(e.display()).c_str(),
                        json_string(err.what()).c_str());
        }
    }
}

}  // namespace prockit
