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

// Waits until every task put has been marked done.
Joined wait_joined(TaskCounters& c, const Deadline& deadline, const StopSignals* stop);

// The companion segment of the message queue "/NAME".
class CounterSegment {
public:
    // Opens the companion, creating it (with `mode`, widened so that whoever
    // may read the queue may count on it) if it does not exist yet.
    static CounterSegment open(const std::string& mq_name, unsigned mode);
    // Removes it if it exists.
    static void remove(const std::string& mq_name);

    TaskCounters& counters() { return static_cast<Layout*>(segment_.base())->counters; }

private:
    struct Layout {
        std::atomic<uint64_t> magic;
        TaskCounters counters;
    };
    explicit CounterSegment(SharedSegment s) : segment_(std::move(s)) {}
    SharedSegment segment_;
};

}  // namespace prockit
