#include "queue_shm.h"

#include <algorithm>

#include "diag.h"
#include "queue_backend.h"
#include "shm_ring.h"

namespace prockit {

namespace {
// A prockit ring in shared memory: FIFO, no priorities.
class ShmQueue final : public Queue {
public:
    ShmQueue(Endpoint e, ShmRing r) : endpoint_(std::move(e)), ring_(std::move(r)) {}

    const Endpoint& endpoint() const override { return endpoint_; }
    size_t max_message() const override { return ring_.max_message(); }
    std::string blocked_by() const override { return ring_.blocked_by(); }
    bool removed() const override { return ring_.removed(); }

    QueueStatus status() const override {
        ShmRing::Status s = ring_.status();
        TaskCounters& c = ring_.counters();
        QueueStatus q{endpoint_.str(),
                      -1,
                      static_cast<long>(s.bytes),
                      static_cast<long>(s.used),
                      static_cast<long>(s.recoveries),
                      static_cast<long>(s.msgsize),
                      static_cast<long>(s.depth),
                      s.mode,
                      s.uid,
                      c.puts.load(), c.gets.load(), c.dones.load()};
        q.lock = s.lock.empty() ? "free" : s.lock;
        return q;
    }

    bool send(std::string_view msg, unsigned prio, const Deadline& deadline, const StopSignals* stop) override {
        refuse_priority(prio);
        return ring_.send(msg, deadline, stop);
    }

    size_t send_many(const std::string_view* msgs, size_t n, unsigned prio, const WaitPolicy& wait,
                     const StopSignals* stop) override {
        refuse_priority(prio);
        // The batch stops before an oversize message, which send() reports.
        size_t fit = 0;
        while (fit < n && msgs[fit].size() <= ring_.max_message()) ++fit;
        size_t sent = ring_.send_many(msgs, fit, wait, stop);
        if (sent < fit || fit == n) return sent;
        return send(msgs[fit], prio, wait.deadline(), stop) ? fit + 1 : fit;
    }

    size_t try_receive_many(char* buf, size_t cap, uint64_t max, const RecordFormat& f, size_t& used,
                            bool* ended) override {
        ShmRing::Batch b = ring_.take_many(buf, cap, max, f, Deadline::now(), nullptr);
        used = b.used;
        if (b.ended && ended) *ended = true;
        return b.messages;
    }

    // Grows out's buffer to the size of the message at hand, so that a ring
    // made for huge messages costs memory only when one comes.
    Taken take(Output& out, const RecordFormat& f, uint64_t max, const Deadline& deadline,
               const StopSignals* stop) override {
        size_t need = 0;
        for (bool flushed = false;;) {
            char* at = out.reserve(need);
            // Only an empty ring is waited for, and only with out flushed.
            ShmRing::Batch b = ring_.take_many(at, out.room(), max, f, flushed ? deadline : Deadline::now(), stop);
            if (b.messages || b.ended) {
                out.commit(b.used);
                return Taken{b.messages, b.used, b.ended, Got::message};
            }
            if (b.need) {
                need = b.need;
                continue;
            }
            if (b.got != ShmRing::Got::message && (flushed || deadline.expired()))
                return Taken{0, 0, false, b.got == ShmRing::Got::stopped ? Got::stopped : Got::timed_out};
            out.flush();
            flushed = true;
        }
    }

    bool try_receive(char* buf, size_t& len, unsigned& prio) override {
        prio = 0;
        return ring_.try_receive(buf, len);
    }

    void done(uint64_t n) override { mark_done(ring_.counters(), n); }
    Joined join(const Deadline& deadline, const StopSignals* stop) override {
        return join_in_slices(ring_.counters(), deadline, stop, true);
    }

    Got receive(char* buf, size_t& len, unsigned& prio, const Deadline& deadline,
                const StopSignals* stop) override {
        prio = 0;
        switch (ring_.receive(buf, len, deadline, stop)) {
            case ShmRing::Got::message: return Got::message;
            case ShmRing::Got::timed_out: return Got::timed_out;
            case ShmRing::Got::stopped: return Got::stopped;
        }
        return Got::stopped;
    }

private:
    static void refuse_priority(unsigned prio) {
        if (prio != 0)
            throw Error(Exit::usage, "shared-memory queues are first in, first out: priorities need an mq:/ queue");
    }

    Endpoint endpoint_;
    mutable ShmRing ring_;
};


std::unique_ptr<Queue> create_shm_queue(const Endpoint& e, const CreateOptions& opt) {
    if (opt.maxmsg) throw Error(Exit::usage, "shared-memory queues are sized in bytes: use -S, not -m");
    size_t bytes = opt.bytes ? static_cast<size_t>(opt.bytes) : ShmRing::kDefaultBytes;
    size_t msgsize = opt.msgsize ? static_cast<size_t>(opt.msgsize) : std::min(ShmRing::kDefaultMsgsize, bytes - 4);
    ShmRing ring = ShmRing::create(e.path, bytes, msgsize, opt.mode, opt.exist_ok);
    refuse_foreign(opt, ring.segment().created(), ring.segment().uid());
    if (ring.segment().created() && opt.gid != static_cast<gid_t>(-1)) {
        try {
            ring.segment().set_group(opt.gid);
        } catch (...) {
            ShmRing::remove(e.path);  // never half a create
            throw;
        }
    }
    return std::make_unique<ShmQueue>(e, std::move(ring));
}

std::unique_ptr<Queue> open_shm_queue(const Endpoint& e, const OpenOptions&) {
    return std::make_unique<ShmQueue>(e, ShmRing::open(e.path));
}

void remove_shm_queue(const Endpoint& e) {
    // Never remove another program's shared memory by mistake; but a
    // ring whose header is damaged goes like any other.
    if (!ShmRing::is_ring(e.path)) ShmRing::open(e.path);  // throws why it is not one
    ShmRing::remove(e.path);
}

std::vector<Endpoint> list_shm_queues(std::string_view) {
    std::vector<Endpoint> out;
    for (std::string& name : ShmRing::list()) out.push_back(Endpoint{EndpointKind::shm, std::move(name)});
    return out;
}

}  // namespace

const QueueBackend kShmQueues{EndpointKind::shm, create_shm_queue, open_shm_queue, remove_shm_queue,
                             on_this_machine, this_machine, list_shm_queues};

}  // namespace prockit
