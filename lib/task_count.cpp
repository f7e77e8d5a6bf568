#include "task_count.h"

#include <cstdio>

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

Joined wait_joined(TaskCounters& c, const Deadline& deadline, const StopSignals* stop) {
    for (;;) {
        // Read the sequence before the counts: a done between the two
        // changes the sequence, and the futex then returns at once.
        uint32_t seq = c.done_seq.load();
        if (c.dones.load() >= c.puts.load()) return Joined::yes;
        c.join_waiters.fetch_add(1);
        FutexWait w = futex_wait(c.done_seq, seq, deadline, stop);
        c.join_waiters.fetch_sub(1);
        if (w == FutexWait::timed_out) return c.dones.load() >= c.puts.load() ? Joined::yes : Joined::timed_out;
        if (w == FutexWait::stopped) return Joined::stopped;
    }
}

namespace {
// "PKTASK" and the layout version in the top 16 bits.
constexpr uint64_t kMagic = 0x4B5341544B50 | (uint64_t{1} << 48);

// "/prockit-mq.NAME", or a hash of NAME when that would pass NAME_MAX.
std::string companion_name(const std::string& mq_name) {
    std::string name = "/prockit-mq." + mq_name.substr(1);
    if (name.size() <= 255) return name;
    uint64_t h = 14695981039346656037ULL;  // FNV-1a
    for (unsigned char ch : mq_name) h = (h ^ ch) * 1099511628211ULL;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return "/prockit-mq.#" + std::string(hex);
}
}  // namespace

CounterSegment CounterSegment::open(const std::string& mq_name, unsigned mode) {
    std::string name = companion_name(mq_name);
    try {
        return CounterSegment(SharedSegment::open(name, kMagic, "task counter segment"));
    } catch (const Error& e) {
        if (e.status() != Exit::missing) throw;
    }
    // Reading a queue means counting gets on it: give write to whoever may read.
    unsigned shm_mode = mode | ((mode & 0444) >> 1);
    // The zero-filled counters are already right: nothing to initialise.
    return CounterSegment(SharedSegment::create(name, sizeof(Layout), shm_mode, kMagic, [](void*) {}, true,
                                                "task counter segment"));
}

void CounterSegment::remove(const std::string& mq_name) {
    try {
        SharedSegment::remove(companion_name(mq_name));
    } catch (const Error&) {
        // A queue made by another program has no companion.
    }
}

}  // namespace prockit
