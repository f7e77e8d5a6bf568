// Task counting, Python's JoinableQueue from the shell: every put adds one
// unfinished task, every `shq done` finishes one, `shq join` waits until
// none is left.
//
// The counters live in shared memory: in the header of a shared-memory ring,
// and for a POSIX message queue in a small companion segment created and
// removed with it (queue_mq_counts.h: the kernel's queue has no room for them).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include <sys/types.h>

#include "deadline.h"
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

}  // namespace prockit
