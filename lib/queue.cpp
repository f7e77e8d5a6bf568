#include "queue.h"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "diag.h"
#include "json.h"
#include "message_queue.h"
#include "redis_queue.h"
#include "shm_ring.h"
#include "text.h"

namespace prockit {

size_t format_record(char* at, size_t len, unsigned prio, const RecordFormat& f) {
    if (f.with_prio) {
        char prefix[8];
        int n = std::snprintf(prefix, sizeof prefix, "%u\t", prio);
        std::memmove(at + n, at, len);
        std::memcpy(at, prefix, static_cast<size_t>(n));
        len += static_cast<size_t>(n);
    }
    if (!f.delimit) return len;
    at[len] = f.delim;
    return len + 1;
}

namespace {
std::string owner(uid_t uid) {
    const passwd* pw = getpwuid(uid);
    return pw ? std::string(pw->pw_name) : std::to_string(uid);
}

std::string mode_text(unsigned mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", mode);
    return text;
}
}  // namespace

std::string status_text(const QueueStatus& s) {
    std::string t;
    auto line = [&t](const char* key, const std::string& value) {
        t += key;
        t.append(12 - std::strlen(key), ' ');
        t += escape_text(value) + "\n";  // a queue name may hold a newline
    };
    line("queue", s.queue);
    line("depth", std::to_string(s.depth));
    if (s.capacity >= 0) line("capacity", std::to_string(s.capacity));
    if (s.bytes >= 0) {
        line("bytes", std::to_string(s.bytes));
        line("used", std::to_string(s.used));
        line("recovered", std::to_string(s.recoveries));
    }
    line("msgsize", std::to_string(s.msgsize));
    if (!s.lock.empty()) line("lock", s.lock);
    if (s.local) {
        line("mode", mode_text(s.mode));
        line("owner", owner(s.uid));
    }
    line("put", std::to_string(s.puts));
    line("got", std::to_string(s.gets));
    line("done", std::to_string(s.dones));
    line("unfinished", std::to_string(s.puts - s.dones));
    if (s.pending >= 0) line("pending", std::to_string(s.pending));
    if (s.consumers >= 0) line("consumers", std::to_string(s.consumers));
    return t;
}

std::string status_json(const QueueStatus& s) {
    std::string j = "{\"queue\":" + json_string(s.queue);
    auto add = [&j](const char* key, auto value) { j += ",\"" + std::string(key) + "\":" + std::to_string(value); };
    add("depth", s.depth);
    if (s.capacity >= 0) add("capacity", s.capacity);
    if (s.bytes >= 0) {
        add("bytes", s.bytes);
        add("used", s.used);
        add("recovered", s.recoveries);
    }
    add("msgsize", s.msgsize);
    if (!s.lock.empty()) j += ",\"lock\":" + json_string(s.lock);
    if (s.local) {
        j += ",\"mode\":\"" + mode_text(s.mode) + "\"";
        add("uid", s.uid);
    }
    add("put", s.puts);
    add("got", s.gets);
    add("done", s.dones);
    add("unfinished", s.puts - s.dones);
    if (s.pending >= 0) add("pending", s.pending);
    if (s.consumers >= 0) add("consumers", s.consumers);
    return j + "}";
}

void Queue::refuse_removed() const {
    if (removed()) throw Error(Exit::missing, kRemovedWhileWaiting);
}

Joined Queue::join_in_slices(TaskCounters& c, const Deadline& deadline, const StopSignals* stop, bool may_write) {
    for (;;) {
        Joined j = wait_joined(c, removal_slice(deadline), stop, may_write);
        if (j != Joined::timed_out || deadline.expired()) return j;
        refuse_removed();
    }
}

std::vector<Recovered> Queue::recover(double) {
    throw Error(Exit::usage, "only redis:// queues keep what a consumer took until it is done: there is nothing to recover");
}

size_t Queue::send_many(const std::string_view* msgs, size_t n, unsigned prio, const WaitPolicy& wait,
                        const StopSignals* stop) {
    for (size_t i = 0; i < n; ++i)
        if (!send(msgs[i], prio, wait.deadline(), stop)) return i;
    return n;
}

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

namespace {
// A POSIX message queue, with its task counts in a companion segment.
class MqQueue final : public Queue {
public:
    MqQueue(Endpoint e, MessageQueue q)
        : endpoint_(std::move(e)), q_(std::move(q)),
          counts_(CounterSegment::open(q_.name(), q_.owner())) {}

    const Endpoint& endpoint() const override { return endpoint_; }
    size_t max_message() const override { return static_cast<size_t>(q_.msgsize()); }
    TaskCounters& tasks() override { return counts_.counters(); }

    QueueStatus status() const override {
        MessageQueue::Status s = q_.status();
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
    MessageQueue q_;
    CounterSegment counts_;
};

// A prockit ring in shared memory: FIFO, no priorities.
class ShmQueue final : public Queue {
public:
    ShmQueue(Endpoint e, ShmRing r) : endpoint_(std::move(e)), ring_(std::move(r)) {}

    const Endpoint& endpoint() const override { return endpoint_; }
    size_t max_message() const override { return ring_.max_message(); }
    TaskCounters& tasks() override { return ring_.counters(); }
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

// create -x: a queue another user made first is not ours to adopt. It may
// be shared with us, but it may as well be a trap (a 0666 ring that user
// reads every job from).
void refuse_foreign(const CreateOptions& opt, bool created, uid_t owner) {
    if (created || !opt.mine_only || owner == ::geteuid()) return;
    const passwd* pw = getpwuid(owner);
    throw Error(Exit::failure, "exists and belongs to " + (pw ? std::string(pw->pw_name) : "uid " + std::to_string(owner)) +
                                   ", not to you: refused (-x and -C use only a queue of your own)");
}

int oflag(Access a) {
    switch (a) {
        case Access::read: return O_RDONLY;
        case Access::write: return O_WRONLY;
        case Access::read_write: return O_RDWR;
    }
    return O_RDWR;
}
}  // namespace

std::unique_ptr<Queue> create_queue(const Endpoint& e, const CreateOptions& opt) {
    if (e.kind == EndpointKind::redis) return create_redis_queue(e, opt);
    if (e.kind == EndpointKind::shm) {
        if (opt.maxmsg) throw Error(Exit::usage, "shared-memory queues are sized in bytes: use -S, not -m");
        size_t bytes = opt.bytes ? static_cast<size_t>(opt.bytes) : ShmRing::kDefaultBytes;
        size_t msgsize = opt.msgsize ? static_cast<size_t>(opt.msgsize)
                                     : std::min(ShmRing::kDefaultMsgsize, bytes - 4);
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
    if (opt.bytes) throw Error(Exit::usage, "message queues are sized in messages: use -m and -s, not -S");
    MessageQueue q = MessageQueue::create(e.path, {opt.maxmsg, opt.msgsize}, opt.mode, opt.exist_ok);
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

std::unique_ptr<Queue> open_queue(const Endpoint& e, Access access) {
    if (e.kind == EndpointKind::redis) return open_redis_queue(e);
    if (e.kind == EndpointKind::shm) return std::make_unique<ShmQueue>(e, ShmRing::open(e.path));
    return std::make_unique<MqQueue>(e, MessageQueue::open(e.path, oflag(access)));
}

void remove_queue(const Endpoint& e) {
    if (e.kind == EndpointKind::redis) return remove_redis_queue(e);
    if (e.kind == EndpointKind::shm) {
        // Never remove another program's shared memory by mistake; but a
        // ring whose header is damaged goes like any other.
        if (!ShmRing::is_ring(e.path)) ShmRing::open(e.path);  // throws why it is not one
        ShmRing::remove(e.path);
        return;
    }
    try {
        MessageQueue::unlink(e.path);
    } catch (const Error& err) {
        // A queue someone removed behind our back leaves its counts: take them too.
        if (err.status() == Exit::missing) CounterSegment::remove(e.path);
        throw;
    }
    CounterSegment::remove(e.path);
}

std::vector<Endpoint> list_queues(const RedisServer& server) { return list_redis_queues(server); }

std::vector<Endpoint> list_queues() {
    std::vector<Endpoint> out;
    for (std::string& name : MessageQueue::list()) out.push_back(Endpoint{EndpointKind::mq, std::move(name)});
    for (std::string& name : SharedSegment::list())
        if (ShmRing::is_ring(name)) out.push_back(Endpoint{EndpointKind::shm, std::move(name)});
    return out;
}

}  // namespace prockit
