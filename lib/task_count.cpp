#include "task_count.h"

#include "diag.h"
#include "futex.h"

namespace prockit {

void mark_done(TaskCounters& c, uint64_t n) {
    uint64_t done = c.dones.load();
    for (;;) {
        uint64_t unfinished = c.puts.load() - done;
        if (n > unfinished)
            throw Error(Exit::failure, "cannot mark " + std::to_string(n) + " done: only " +
                                           std::to_string(unfinished) + " unfinished");
        if (c.dones.compare_exchange_weak(done, done + n)) break;
    }
    c.done_seq.fetch_add(1);
    if (c.join_waiters.load()) futex_wake_all(c.done_seq);
}

Joined wait_joined(TaskCounters& c, const Deadline& deadline, const StopSignals* stop, bool may_write) {
    for (;;) {
        // Read the sequence before the counts: a done between the two
        // changes the sequence, and the futex then returns at once.
        uint32_t seq = c.done_seq.load();
        if (c.dones.load() >= c.puts.load()) return Joined::yes;
        if (may_write) c.join_waiters.fetch_add(1);
        // Unregistered, nobody wakes us: look again every 100 ms.
        constexpr int64_t kPollNs = 100'000'000;
        Deadline until = may_write || deadline.remaining_ns() < kPollNs ? deadline : Deadline::after(0.1);
        FutexWait w = futex_wait(c.done_seq, seq, until, stop);
        if (may_write) c.join_waiters.fetch_sub(1);
        if (w == FutexWait::timed_out && deadline.expired())
            return c.dones.load() >= c.puts.load() ? Joined::yes : Joined::timed_out;
        if (w == FutexWait::stopped) return Joined::stopped;
    }
}

}  // namespace prockit
