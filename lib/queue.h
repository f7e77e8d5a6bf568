// A message queue as shq, pipe-cat and pool-run see it, whatever keeps it.
// This is the interface only: each backend implements it in files of its
// own (queue_KIND.h), and queue_factory.h, the one place that knows them
// all, makes, opens, removes and lists queues. A caller asks a
// queue what it can do (has_priorities(), keeps_taken()), never which kind
// it is.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "deadline.h"
#include "endpoint.h"
#include "queue_format.h"
#include "records.h"
#include "signals.h"
#include "task_count.h"

namespace prockit {

struct QueueStatus {
    std::string queue;  // as shq names it everywhere: "/jobs", "shm:/jobs" (Endpoint::display)
    long capacity;      // messages (mq); -1 where capacity is in bytes (shm)
    long bytes, used;   // the ring's size and use (shm); -1 for mq
    long recoveries;    // crashes the ring recovered from (shm); -1 for mq
    long msgsize;       // largest message, in bytes
    long depth;         // messages waiting now
    unsigned mode;
    uid_t uid;
    uint64_t puts, gets, dones;  // task counts (shq done / join)
    long pending = -1;    // redis: taken by consumers and not yet done
    long consumers = -1;  // redis: consumers known to the queue
    bool local = true;    // a file of this machine, with a mode and an owner (not redis)
    std::string lock = {};  // ring: "free", or "locked by 1234 (stopped)" (then read unlocked); else ""
};

// What `shq recover` returned to a queue: one consumer's unfinished messages.
struct Recovered {
    std::string consumer;
    uint64_t messages;
    std::string why;  // "its process is gone", "silent for 42 s"
};

struct CreateOptions {
    long maxmsg = 0;   // mq: capacity in messages; 0: the default
    long msgsize = 0;  // largest message; 0: the default
    long bytes = 0;    // shm: ring size in bytes; 0: the default
    unsigned mode = 0600;
    // The group a new queue (and its task counts) is given, for -M 0660 to
    // share it with; -1: the creator's.
    gid_t gid = static_cast<gid_t>(-1);
    bool exist_ok = false;
    // With exist_ok: an existing queue is used only if it belongs to the
    // caller (create -x), not one another user made first.
    bool mine_only = false;
};

enum class Access { read, write, read_write };

// How a queue is opened.
struct OpenOptions {
    Access access = Access::read_write;
    // The process whose messages these are, for a queue that keeps what a
    // consumer took until it is done (keeps_taken()): a long-lived consumer
    // (pool-run) names itself; 0 lets the backend choose (see queue_redis.h).
    pid_t consumer_pid = 0;
};

enum class QueueGot { message, timed_out, stopped };

// What one take_into() took (see there).
struct Taken {
    uint64_t messages = 0;
    size_t bytes = 0;  // written to out, delimiters included
    bool ended = false;
    QueueGot got = QueueGot::message;  // timed_out or stopped: nothing came
};

class Queue {
public:
    using Got = QueueGot;

    virtual ~Queue() = default;
    virtual const Endpoint& endpoint() const = 0;
    virtual size_t max_message() const = 0;
    virtual QueueStatus status() const = 0;

    // What the queue can do, for callers that would otherwise ask which
    // kind it is. Messages carry a priority that orders them (else every
    // priority but 0 is refused).
    virtual bool has_priorities() const { return false; }
    // A message taken stays with the queue, pending, until its consumer
    // marks it done or delivered (done_with, delivered); recover() returns
    // those of a consumer that is gone. Else a message taken is gone from
    // the queue, and one that cannot be written out is lost.
    virtual bool keeps_taken() const { return false; }

    // Sends one message; false if the queue stayed full until the deadline
    // or, while it waited, a stop signal arrived (see stop->received()).
    // A message over max_message() throws Error naming both sizes.
    virtual bool send(std::string_view msg, unsigned prio, const Deadline& deadline,
                      const StopSignals* stop = nullptr) = 0;

    // Sends msgs in order, each wait for room bounded by `wait`; returns how
    // many were sent (fewer only when a wait ran out or a stop signal came).
    // A backend may send many under one lock.
    virtual size_t send_many(const std::string_view* msgs, size_t n, unsigned prio, const WaitPolicy& wait,
                             const StopSignals* stop = nullptr);

    // Takes the next message (highest priority first, FIFO within one)
    // without waiting, into buf, which holds max_message() bytes: true with
    // its length and priority, false if the queue is empty.
    virtual bool try_receive(char* buf, size_t& len, unsigned& prio) = 0;

    // Takes, without waiting, up to `max` messages into buf (cap bytes) as
    // records in format `f`, as many as fit whole; returns how many and, in
    // `used`, the bytes written. With f.until_end, an end-of-stream marker
    // ends the batch: it is taken, not written nor counted, and `*ended` set.
    // A backend may take many under one lock.
    virtual size_t try_receive_many(char* buf, size_t cap, uint64_t max, const RecordFormat& f, size_t& used,
                                    bool* ended = nullptr);

    // The same, but waits for a message until the deadline or until a stop
    // signal arrives. Callers with output to flush try_receive() first and
    // flush before they call this, so a reader never waits on our buffer.
    virtual Got receive(char* buf, size_t& len, unsigned& prio, const Deadline& deadline,
                        const StopSignals* stop) = 0;

    // Task counting: every message put is a task until done() finishes it;
    // join() waits until none is unfinished. More done than put is refused
    // whole with Error(Exit::failure).
    virtual void done(uint64_t n) = 0;
    // Finishes the task of one message this process took (pool-run, after
    // its job): a queue that keeps_taken() lets go of that very message.
    virtual void done_with(std::string_view /*msg*/) { done(1); }
    virtual Joined join(const Deadline& deadline, const StopSignals* stop) = 0;
    // Says that the n oldest messages this consumer took and has not marked
    // done were passed on whole (pipe-cat wrote them out): a queue that
    // keeps_taken() lets them go, without counting them done.
    virtual void delivered(uint64_t /*n*/) {}
    // Returns to the queue the unfinished messages of consumers that are gone:
    // whose process has ended (on this machine), or, when older_than >= 0,
    // that have not been heard from for that many seconds. Only queues that
    // keeps_taken() have any; the others throw Error(usage).
    virtual std::vector<Recovered> recover(double older_than);

    // See take_into(). A backend that can tell a message's size before it
    // takes it (a ring) grows out's buffer to what the messages need, not
    // to what max_message() allows.
    virtual Taken take(Output& out, const RecordFormat& f, uint64_t max, const Deadline& deadline,
                       const StopSignals* stop);

    // Why the last send or receive gave up before its deadline's work was
    // done, when it was not because the queue was full or empty: "the
    // queue's lock is held by process 1234 (stopped)"; else "".
    virtual std::string blocked_by() const { return ""; }

    // True once the queue we hold was removed (shq rm): see
    // kRemovedWhileWaiting. Backends without a local name never are.
    virtual bool removed() const { return false; }

protected:
    // Throws Error(Exit::missing, kRemovedWhileWaiting) if removed().
    void refuse_removed() const;
    // wait_joined() in slices, between which a removed queue is noticed.
    Joined join_in_slices(TaskCounters& c, const Deadline& deadline, const StopSignals* stop, bool may_write);
};

// Takes into `out` what q holds now, up to `max` messages, many at once,
// as records in format f; if nothing is there, flushes `out` (so a reader
// is never kept waiting on our buffer) and waits for one until the
// deadline, unless it has passed already. With f.until_end, the
// end-of-stream marker is taken, not written, and `ended` set.
inline Taken take_into(Queue& q, Output& out, const RecordFormat& f, uint64_t max, const Deadline& deadline,
                       const StopSignals* stop) {
    return q.take(out, f, max, deadline, stop);
}

}  // namespace prockit
