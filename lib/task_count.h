// Task counting, Python's JoinableQueue from the shell: every put adds one
// unfinished task, every `shq done` finishes one, `shq join` waits until
// none is left.
//
// The counters live in shared memory: in the header of a shared-memory ring,
// and for a POSIX message queue in a small companion segment created and
// removed with it (the kernel's queue has no room for them).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include <sys/types.h>

#include "deadline.h"
#include "shm_segment.h"
#include "signals.h"

namespace prockit {

// Producers write puts, consumers gets, workers dones: each on a cache line
// of its own, so that they do not bounce one line between their cores.
struct TaskCounters {
    alignas(64) std::atomic<uint64_t> puts;
    alignas(64) std::atomic<uint64_t> gets;
    alignas(64) std::atomic<uint64_t> dones;
    std::atomic<uint32_t> done_seq;      // futex word: changes on every done
    std::atomic<uint32_t> join_waiters;  // joiners asleep, so done wakes only when needed
};
static_assert(std::atomic<uint64_t>::is_always_lock_free, "counters are shared between processes");

// Marks n tasks done. More than are unfinished is refused whole, with
// Error(Exit::failure), like Python's ValueError; nothing is counted then.
void mark_done(TaskCounters& c, uint64_t n);

enum class Joined { yes, timed_out, stopped };

// Waits until every task put has been marked done. A waiter that may not
// write the counters (may_write false) polls them every 100 ms instead of
// registering to be woken.
Joined wait_joined(TaskCounters& c, const Deadline& deadline, const StopSignals* stop, bool may_write = true);

// Who owns a queue and what its mode lets others do.
struct QueueOwner {
    uid_t uid;
    gid_t gid;
    unsigned mode;
};

// True if the queue's mode lets user `uid` write it: its owner, anyone when
// others may write, a member of its group when the group may.
bool may_write_queue(const QueueOwner& q, uid_t uid);

// The companion segment of the message queue "/NAME": /dev/shm/prockit-mq.NAME.
//
// Who may touch it, since anyone may plant a file in /dev/shm: a companion
// is used only if it is a regular file that belongs to the queue's owner or
// to a user the queue is shared with for writing (who could put and mark
// done on the queue anyway). One of anyone else is refused: its maker could
// forge counts, a million puts, and the owner's join would never return.
// Its mode follows the queue's: each class of user (owner, group, other)
// that may write the queue may read and write the counts (a mapping needs
// read); one that may only read the queue may only read them
// (companion_mode). Whoever may not write them maps them read-only: their
// gets are not counted and they cannot mark tasks done (see shq(1)).
class CounterSegment {
public:
    // Opens the companion of queue q. A missing one is made by whoever may
    // write the queue (root: on its owner's behalf). Throws
    // Error(Exit::failure) naming the file and its owner when refused.
    static CounterSegment open(const std::string& mq_name, const QueueOwner& q);
    // Removes it if it exists.
    static void remove(const std::string& mq_name);
    // The mode a companion of a queue of queue_mode gets.
    static unsigned companion_mode(unsigned queue_mode);
    // "/dev/shm/prockit-mq.NAME" (or its hashed form), for messages.
    static std::string path(const std::string& mq_name);

    TaskCounters& counters() { return static_cast<Layout*>(segment_.base())->counters; }
    // False when mapped read-only: nothing may be written to counters().
    bool writable() const { return segment_.writable(); }

private:
    struct Layout {
        std::atomic<uint64_t> magic;
        TaskCounters counters;
    };
    explicit CounterSegment(SharedSegment s) : segment_(std::move(s)) {}
    SharedSegment segment_;
};

}  // namespace prockit
