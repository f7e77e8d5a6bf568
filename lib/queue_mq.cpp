#include "queue_mq.h"

#include <fcntl.h>
#include <poll.h>

#include "diag.h"
#include "posix_mq.h"
#include "queue_backend.h"
#include "queue_mq_counts.h"

namespace prockit {

namespace {
// A POSIX message queue, with its task counts in a companion segment.
class MqQueue final : public Queue {
public:
    MqQueue(Endpoint e, PosixMq q)
        : endpoint_(std::move(e)), q_(std::move(q)),
          counts_(CounterSegment::open(q_.name(), q_.owner())) {}

    const Endpoint& endpoint() const override { return endpoint_; }
    size_t max_message() const override { return static_cast<size_t>(q_.msgsize()); }
    bool has_priorities() const override { return true; }

    QueueStatus status() const override {
        PosixMq::Status s = q_.status();
        TaskCounters& c = const_cast<CounterSegment&>(counts_).counters();
        return QueueStatus{endpoint_.display(), s.maxmsg, -1, -1, -1, s.msgsize, s.depth, s.mode, s.uid,
                           c.puts.load(), c.gets.load(), c.dones.load()};
    }

    // The task is counted before the kernel has the message: a consumer
    // may take it and mark it done at once, and that done must find it
    // counted. A send that fails takes the count back; a put killed between
    // the two leaves one task counted that never arrives (see shq(1)).
    bool send(std::string_view msg, unsigned prio, const Deadline& deadline, const StopSignals* stop) override {
        const bool task = counts_as_task(msg.data(), msg.size());
        if (task) writable_tasks("count the message put").puts.fetch_add(1);
        bool sent = false;
        try {
            sent = send_counted(msg, prio, deadline, stop);
        } catch (...) {
            if (task) tasks().puts.fetch_sub(1);
            throw;
        }
        if (!sent && task) tasks().puts.fetch_sub(1);
        return sent;
    }

    // Who may only read the queue reads the counts read-only: their gets
    // are not counted (see CounterSegment).
    bool try_receive(char* buf, size_t& len, unsigned& prio) override {
        if (!q_.try_receive(buf, len, prio)) return false;
        if (counts_.writable() && counts_as_task(buf, len)) tasks().gets.fetch_add(1);
        return true;
    }

    Got receive(char* buf, size_t& len, unsigned& prio, const Deadline& deadline,
                const StopSignals* stop) override {
        for (;;) {
            if (try_receive(buf, len, prio)) return Got::message;
            // A queue descriptor is pollable on Linux. Another reader may
            // take the message between poll and receive: then wait again.
            switch (wait_fd(q_.fd(), POLLIN, removal_slice(deadline), stop)) {
                case Wait::ready: continue;
                case Wait::timed_out:
                    if (!deadline.expired()) {
                        refuse_removed();
                        continue;
                    }
                    return try_receive(buf, len, prio) ? Got::message : Got::timed_out;
                case Wait::stopped: return Got::stopped;
            }
        }
    }

    void done(uint64_t n) override { mark_done(writable_tasks("mark tasks done"), n); }
    Joined join(const Deadline& deadline, const StopSignals* stop) override {
        return join_in_slices(tasks(), deadline, stop, counts_.writable());
    }
    bool removed() const override { return q_.removed(); }

private:
    TaskCounters& tasks() { return counts_.counters(); }
    TaskCounters& writable_tasks(const char* action) {
        if (!counts_.writable())
            throw Error(Exit::failure, std::string("cannot ") + action + ": only users who may write the queue may (" +
                                           CounterSegment::path(q_.name()) + " is read-only to you)");
        return tasks();
    }

    // Waits in poll, where stop signals get in, not in mq_send; in slices,
    // to notice a queue removed meanwhile.
    bool send_counted(std::string_view msg, unsigned prio, const Deadline& deadline, const StopSignals* stop) {
        while (!q_.send(msg, prio, Deadline::now())) {
            if (deadline.expired()) return false;
            switch (wait_fd(q_.fd(), POLLOUT, removal_slice(deadline), stop)) {
                case Wait::ready: break;
                case Wait::timed_out: refuse_removed(); break;
                case Wait::stopped: return false;
            }
        }
        return true;
    }

    Endpoint endpoint_;
    PosixMq q_;
    CounterSegment counts_;
};

int oflag(Access a) {
    switch (a) {
        case Access::read: return O_RDONLY;
        case Access::write: return O_WRONLY;
        case Access::read_write: return O_RDWR;
    }
    return O_RDWR;
}

std::unique_ptr<Queue> create_mq_queue(const Endpoint& e, const CreateOptions& opt) {
    if (opt.bytes) throw Error(Exit::usage, "message queues are sized in messages: use -m and -s, not -S");
    PosixMq q = PosixMq::create(e.path, {opt.maxmsg, opt.msgsize}, opt.mode, opt.exist_ok);
    const bool created = q.created();
    refuse_foreign(opt, created, q.uid());
    try {
        // Before the counts are made: they take the queue's group.
        if (created && opt.gid != static_cast<gid_t>(-1)) q.set_group(opt.gid);
        return std::make_unique<MqQueue>(e, std::move(q));
    } catch (...) {
        // Never half a create: a queue whose counts could not be made goes.
        if (created) ::mq_unlink(e.path.c_str());
        throw;
    }
}

std::unique_ptr<Queue> open_mq_queue(const Endpoint& e, const OpenOptions& opt) {
    return std::make_unique<MqQueue>(e, PosixMq::open(e.path, oflag(opt.access)));
}

void remove_mq_queue(const Endpoint& e) {
    try {
        PosixMq::unlink(e.path);
    } catch (const Error& err) {
        // A queue someone removed behind our back leaves its counts: take them too.
        if (err.status() == Exit::missing) CounterSegment::remove(e.path);
        throw;
    }
    CounterSegment::remove(e.path);
}

std::vector<Endpoint> list_mq_queues(std::string_view) {
    std::vector<Endpoint> out;
    for (std::string& name : PosixMq::list()) out.push_back(Endpoint{EndpointKind::mq, std::move(name)});
    return out;
}

}  // namespace

const QueueBackend kMqQueues{EndpointKind::mq, create_mq_queue, open_mq_queue, remove_mq_queue,
                             on_this_machine, this_machine, list_mq_queues};

}  // namespace prockit
