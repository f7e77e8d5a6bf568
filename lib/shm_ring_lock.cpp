// The ring's lock (see shm_ring.h): a futex word taken by compare-and-swap,
// owners found dead by their TID and start time, and the journal a new
// owner replays.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "futex.h"
#include "proc.h"
#include "shm_ring_parts.h"

namespace prockit {

namespace ring {
Error damaged(const std::string& what) {
    return Error(Exit::failure, "the queue's header is damaged (" + what + "; not written by this prockit?)");
}

State checked(const volatile State& in, uint64_t bytes) {
    State s{in.head, in.tail, in.count, in.puts, in.gets};
    if (s.tail < s.head || s.tail - s.head > bytes) throw damaged("head and tail");
    uint64_t used = s.tail - s.head;
    if (s.count > used / kLength || (s.count == 0) != (used == 0)) throw damaged("message count");
    return s;
}
}  // namespace ring

using ring::checked;
using ring::Self;
using ring::State;

namespace {
constexpr uint32_t kTidMask = 0x3FFFFFFF;  // as FUTEX_TID_MASK: pid_max is at most 2^22
constexpr uint32_t kWaiters = 0x80000000;

uint64_t pid_namespace() {
    struct stat st{};
    return ::stat("/proc/self/ns/pid", &st) == 0 ? st.st_ino : 0;
}

// Worked out again after a fork: the child is another owner.
const Self& self() {
    thread_local Self s;
    auto tid = static_cast<uint32_t>(::gettid());
    if (s.tid != tid) {
        ProcStat st;
        read_stat(static_cast<pid_t>(tid), st);
        s.record = tid | (st.start_ticks & 0xFFFFFFFF) << 32;
        s.pidns = pid_namespace();
        s.tid = tid;
    }
    return s;
}

std::string process_text(pid_t pid) {
    switch (process_state(pid)) {
        case 0: return "gone";
        case 'T': return "stopped";
        case 't': return "stopped by a debugger";
        case 'R': return "running";
        case 'Z': return "a zombie";
        default: return "sleeping";
    }
}
}  // namespace

ShmRing::Lock::Got ShmRing::Lock::acquire(const Deadline& limit, const StopSignals* stop) {
    constexpr double kSlice = 0.1;
    const Self& me = self();
    uint32_t slept_on = 0;  // the word we last slept on: unchanged after a slice, look closer
    bool waited = false;    // then others may sleep too: keep the waiters bit
    for (;;) {
        if (stop && stop->check()) return Got::stopped;
        uint32_t w = h_->lock.load(std::memory_order_acquire);
        if (w == 0) {
            if (h_->lock.compare_exchange_strong(w, me.tid | (waited ? kWaiters : 0), std::memory_order_acquire))
                return take(me, false);
            continue;
        }
        if (owner_gone(w, w == slept_on)) {
            if (h_->lock.compare_exchange_strong(w, me.tid | (w & kWaiters), std::memory_order_acquire))
                return take(me, true);
            continue;
        }
        if (limit.expired()) {
            std::string who = r_.lock_holder();
            r_.blocked_by_ = who.empty() ? "the queue's lock was held until the deadline"
                                         : "the queue's lock is held by process " + who;
            return Got::timed_out;
        }
        if (!(w & kWaiters) && !h_->lock.compare_exchange_strong(w, w | kWaiters)) continue;
        slept_on = w | kWaiters;
        waited = true;
        double left = static_cast<double>(limit.remaining_ns()) / 1e9;
        if (futex_wait(h_->lock, slept_on, Deadline::after(std::min(left, kSlice)), stop) == FutexWait::stopped)
            return Got::stopped;
    }
}

void ShmRing::Lock::commit(const State& next) {
    checked(next, r_.bytes_);
    h_->journal.next = next;
    h_->journal.valid.store(1, std::memory_order_release);
    apply(next);
}

// Records who holds the lock, then finishes a change a dead owner got
// as far as the journal with (a journal that does not check out is
// never applied: it stays, and everyone who locks is told "damaged").
ShmRing::Lock::Got ShmRing::Lock::take(const Self& me, bool took_over) {
    held_ = true;
    h_->owner_pidns.store(me.pidns, std::memory_order_relaxed);
    h_->owner.store(me.record, std::memory_order_release);
    if (took_over) ++h_->recoveries;
    if (h_->journal.valid.load(std::memory_order_acquire)) apply(checked(h_->journal.next, r_.bytes_));
    return Got::held;
}

void ShmRing::Lock::release() {
    h_->owner.store(0, std::memory_order_relaxed);
    if (h_->lock.exchange(0, std::memory_order_release) & kWaiters) futex_wake_all(h_->lock);
}

// Whether the owner word w names has died. A look costs one kill(2);
// a closer one (after a slice in which the word did not change) also
// reads its /proc start time, for a TID reused since. An owner of
// another pid namespace cannot be looked up by its TID: alive.
bool ShmRing::Lock::owner_gone(uint32_t w, bool closer) const {
    auto tid = static_cast<pid_t>(w & kTidMask);
    if (tid == 0) return true;  // no owner: a forged word
    uint64_t record = h_->owner.load(std::memory_order_acquire);
    bool recorded = (record & 0xFFFFFFFF) == static_cast<uint64_t>(tid);
    if (recorded && h_->owner_pidns.load(std::memory_order_relaxed) != self().pidns) return false;
    if (::kill(tid, 0) == -1 && errno == ESRCH) return true;  // EPERM: alive, another user's
    if (!closer) return false;
    ProcStat st;
    if (!read_stat(tid, st)) return false;  // hidden from us (hidepid), or just gone: next slice
    if (st.state == 'Z' || st.state == 'X') return true;
    return recorded && (st.start_ticks & 0xFFFFFFFF) != record >> 32;
}

void ShmRing::Lock::apply(const State& n) {
    h_->state = n;
    h_->tasks.puts.store(n.puts);
    h_->tasks.gets.store(n.gets);
    h_->journal.valid.store(0, std::memory_order_release);
}

// "1234 (stopped)": the owner the lock word names, a thread id with the
// waiters bit on top (see tests/shq-crash.bats); "" if it is free now.
std::string ShmRing::lock_holder() const {
    auto tid = static_cast<pid_t>(header()->lock.load(std::memory_order_relaxed) & kTidMask);
    if (tid == 0) return "";
    return std::to_string(tid) + " (" + process_text(tid) + ")";
}

}  // namespace prockit
