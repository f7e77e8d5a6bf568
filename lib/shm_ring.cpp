#include "shm_ring.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "diag.h"
#include "futex.h"
#include "proc.h"

namespace prockit {

namespace {
// "PKRING" and the layout version in the top 16 bits.
constexpr uint64_t kMagic = 0x474E49524B50 | (uint64_t{2} << 48);
constexpr size_t kLength = sizeof(uint32_t);  // each message's length prefix
constexpr size_t kDataAlign = 64;

struct State {
    uint64_t head, tail, count, puts, gets;
};

Error damaged(const std::string& what) {
    return Error(Exit::failure, "the queue's header is damaged (" + what + "; not written by this prockit?)");
}
}  // namespace

struct ShmRing::Header {
    std::atomic<uint64_t> magic;
    uint64_t bytes;    // size of the data area
    uint64_t msgsize;  // largest message
    uint64_t data_offset;
    std::atomic<uint32_t> lock;  // 0 free, else the owner's TID, | kWaiters when someone sleeps on it
    uint32_t unused_36;
    // Who holds the lock, written by the owner right after taking it:
    // its TID | its start time (clock ticks, low 32 bits) << 32; 0 when free.
    std::atomic<uint64_t> owner;
    std::atomic<uint64_t> owner_pidns;  // the owner's pid namespace (inode of /proc/self/ns/pid)
    uint64_t unused_56[2];
    State state;  // head and tail count bytes ever read and written
    struct {
        std::atomic<uint32_t> valid;
        State next;
    } journal;
    uint32_t not_empty_waiters, not_full_waiters;  // under the lock
    std::atomic<uint32_t> not_empty_seq, not_full_seq;
    uint64_t recoveries;  // times a locker found the owner dead
    TaskCounters tasks;   // puts and gets mirror state; dones is lock-free
};
// The tests find the lock's owner at this offset, and forge the state at
// 72 (tests/shq-crash.bats, tests/cross-user.bats).
static_assert(offsetof(ShmRing::Header, lock) == 32);
static_assert(offsetof(ShmRing::Header, owner) == 40);
static_assert(offsetof(ShmRing::Header, state) == 72);

namespace {
// The state another user may have written, copied once and checked
// without overflow: a wrong one is never used, not even to compute a
// position. Every message costs at least its length prefix.
State checked(const volatile State& in, uint64_t bytes) {
    State s{in.head, in.tail, in.count, in.puts, in.gets};
    if (s.tail < s.head || s.tail - s.head > bytes) throw damaged("head and tail");
    uint64_t used = s.tail - s.head;
    if (s.count > used / kLength || (s.count == 0) != (used == 0)) throw damaged("message count");
    return s;
}

size_t data_offset() { return (sizeof(ShmRing::Header) + kDataAlign - 1) / kDataAlign * kDataAlign; }

// A wait that would not wait still gives a held lock kLockGrace.
Deadline lock_limit(const Deadline& d) {
    constexpr auto grace_ns = static_cast<int64_t>(ShmRing::kLockGrace * 1e9);
    return d.remaining_ns() >= grace_ns ? d : Deadline::after(ShmRing::kLockGrace);
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

namespace {
constexpr uint32_t kTidMask = 0x3FFFFFFF;  // as FUTEX_TID_MASK: pid_max is at most 2^22
constexpr uint32_t kWaiters = 0x80000000;

// Who this thread is, as the lock records its owner: a TID alone could be
// a dead owner's, reused by a newer process; with the start time it is not.
struct Self {
    uint32_t tid = 0;
    uint64_t record = 0;  // tid | start ticks << 32, for Header::owner
    uint64_t pidns = 0;
};

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
}  // namespace

// Holds the ring's lock; finishes the change a dead owner left half-done.
// The lock is a futex word of our own, not a pthread mutex: see shm_ring.h.
class ShmRing::Lock {
public:
    enum class Got { held, timed_out, stopped };
    explicit Lock(const ShmRing& r) : r_(r), h_(r.header()) {}
    ~Lock() {
        if (held_) release();
    }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    // Waits for the lock until `limit`, in slices of at most 100 ms between
    // which a stop signal gets in and the owner is looked at: one that has
    // died is replaced (its word taken over by compare-and-swap from exactly
    // what we saw, so two who find it dead cannot both win). On timed_out
    // the ring's blocked_by() says who held it.
    Got acquire(const Deadline& limit, const StopSignals* stop) {
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

    // Steps 2 and 3 of the commit protocol (see shm_ring.h). A step that
    // worked from a forged count could compute a state no one may use:
    // it is "damaged" before anything is written.
    void commit(const State& next) {
        checked(next, r_.bytes_);
        h_->journal.next = next;
        h_->journal.valid.store(1, std::memory_order_release);
        apply(next);
    }

private:
    // Records who holds the lock, then finishes a change a dead owner got
    // as far as the journal with (a journal that does not check out is
    // never applied: it stays, and everyone who locks is told "damaged").
    Got take(const Self& me, bool took_over) {
        held_ = true;
        h_->owner_pidns.store(me.pidns, std::memory_order_relaxed);
        h_->owner.store(me.record, std::memory_order_release);
        if (took_over) ++h_->recoveries;
        if (h_->journal.valid.load(std::memory_order_acquire)) apply(checked(h_->journal.next, r_.bytes_));
        return Got::held;
    }

    void release() {
        h_->owner.store(0, std::memory_order_relaxed);
        if (h_->lock.exchange(0, std::memory_order_release) & kWaiters) futex_wake_all(h_->lock);
    }

    // Whether the owner word w names has died. A look costs one kill(2);
    // a closer one (after a slice in which the word did not change) also
    // reads its /proc start time, for a TID reused since. An owner of
    // another pid namespace cannot be looked up by its TID: alive.
    bool owner_gone(uint32_t w, bool closer) const {
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

    void apply(const State& n) {
        h_->state = n;
        h_->tasks.puts.store(n.puts);
        h_->tasks.gets.store(n.gets);
        h_->journal.valid.store(0, std::memory_order_release);
    }

    const ShmRing& r_;
    Header* h_;
    bool held_ = false;
};

// The geometry is read once, checked against the mapping's real size
// without overflow, and kept: another user rewriting it later changes
// nothing we compute.
ShmRing::ShmRing(SharedSegment s, void* base, size_t size)
    : segment_(std::move(s)), header_(static_cast<Header*>(base)) {
    if (size < sizeof(Header)) throw damaged("smaller than its header");
    const volatile Header* h = header_;
    uint64_t bytes = h->bytes, msgsize = h->msgsize, offset = h->data_offset;
    if (offset < sizeof(Header) || offset % alignof(uint64_t) != 0 || offset > size) throw damaged("data offset");
    if (bytes == 0 || bytes > size - offset) throw damaged("ring size");
    if (bytes < kLength || msgsize > bytes - kLength || msgsize > UINT32_MAX) throw damaged("message size");
    data_ = static_cast<char*>(base) + offset;
    bytes_ = bytes;
    msgsize_ = msgsize;
}

size_t ShmRing::image_size(size_t bytes) { return data_offset() + bytes; }

void ShmRing::format(void* base, size_t bytes, size_t msgsize) {
    auto* h = static_cast<Header*>(base);
    h->bytes = bytes;
    h->msgsize = msgsize;
    h->data_offset = data_offset();
}

ShmRing ShmRing::over(void* base, size_t size) { return ShmRing(SharedSegment(), base, size); }

// The data area is a ring: a position past its end wraps to the start.
// n never passes bytes_ (a message and its prefix fit the ring).
void ShmRing::copy_in(uint64_t pos, const void* src, size_t n) {
    size_t at = pos % bytes_, first = std::min<size_t>(n, bytes_ - at);
    std::memcpy(data_ + at, src, first);
    std::memcpy(data_, static_cast<const char*>(src) + first, n - first);
}

void ShmRing::copy_out(uint64_t pos, void* dst, size_t n) const {
    size_t at = pos % bytes_, first = std::min<size_t>(n, bytes_ - at);
    std::memcpy(dst, data_ + at, first);
    std::memcpy(static_cast<char*>(dst) + first, data_, n - first);
}

// The length of the message at head, checked against the state: called
// again after each message a take copied out, when a forged count may
// claim more messages than the bytes left hold (tail - head < kLength).
uint32_t ShmRing::length_at(uint64_t head, uint64_t tail) const {
    if (tail < head || tail - head < kLength) throw damaged("message count");
    uint32_t n = 0;
    copy_out(head, &n, kLength);
    if (n > msgsize_ || n > tail - head - kLength)
        throw Error(Exit::failure, "the queue is damaged: a message claims " + std::to_string(n) + " bytes");
    return n;
}

ShmRing ShmRing::create(const std::string& name, size_t bytes, size_t msgsize, unsigned mode, bool exist_ok) {
    if (msgsize + kLength > bytes)
        throw Error(Exit::usage, "a message size of " + std::to_string(msgsize) + " needs a ring of at least " +
                                     std::to_string(msgsize + kLength) + " bytes (-S)");
    if (msgsize > UINT32_MAX) throw Error(Exit::usage, "a ring takes messages of at most 4294967295 bytes (-s)");
    SharedSegment s = SharedSegment::create(
        name, image_size(bytes), mode, kMagic, [&](void* base) { format(base, bytes, msgsize); }, exist_ok);
    void* base = s.base();
    size_t size = s.size();
    return ShmRing(std::move(s), base, size);
}

ShmRing ShmRing::open(const std::string& name) {
    SharedSegment s = SharedSegment::open(name, kMagic, "queue");
    void* base = s.base();
    size_t size = s.size();
    return ShmRing(std::move(s), base, size);
}

bool ShmRing::is_ring(const std::string& name) {
    return (SharedSegment::peek_magic(name) & 0xFFFFFFFFFFFF) == (kMagic & 0xFFFFFFFFFFFF);
}

TaskCounters& ShmRing::counters() const { return header()->tasks; }

// "1234 (stopped)": the owner the lock word names, a thread id with the
// waiters bit on top (see tests/shq-crash.bats); "" if it is free now.
std::string ShmRing::lock_holder() const {
    auto tid = static_cast<pid_t>(header()->lock.load(std::memory_order_relaxed) & kTidMask);
    if (tid == 0) return "";
    return std::to_string(tid) + " (" + process_text(tid) + ")";
}

ShmRing::Status ShmRing::status() const {
    Header* h = header();
    Lock lock(*this);
    std::string held;
    if (lock.acquire(lock_limit(Deadline::now()), nullptr) != Lock::Got::held) {
        // Report what is there, unlocked: a holder between steps 2 and 3
        // has its new state in the journal.
        std::string who = lock_holder();
        held = who.empty() ? "locked until a moment ago" : "locked by " + who;
    }
    State s = held.empty() || !h->journal.valid.load() ? checked(h->state, bytes_) : checked(h->journal.next, bytes_);
    return Status{bytes_,          s.tail - s.head, msgsize_, s.count, h->recoveries,
                  segment_.mode(), segment_.uid(),  held};
}

// Runs op under the lock until it is done. While it is blocked (no room
// for a put, no message for a get) sleeps on the sequence word the other
// side bumps, registered as a waiter so that the other side wakes us; when
// done, wakes the other side's waiters. Nobody sleeps holding the lock, and
// nobody waits for it past the deadline (or kLockGrace, if that is later).
template <class Op>
ShmRing::Got ShmRing::until_done(Op op, bool for_room, const Deadline& deadline, const StopSignals* stop) {
    Header* h = header();
    std::atomic<uint32_t>& my_seq = for_room ? h->not_full_seq : h->not_empty_seq;
    std::atomic<uint32_t>& their_seq = for_room ? h->not_empty_seq : h->not_full_seq;
    uint32_t& my_waiters = for_room ? h->not_full_waiters : h->not_empty_waiters;
    uint32_t& their_waiters = for_room ? h->not_empty_waiters : h->not_full_waiters;
    bool registered = false;
    blocked_by_.clear();
    for (;;) {
        uint32_t seen = 0;
        bool wake = false;
        {
            Lock lock(*this);
            switch (lock.acquire(lock_limit(deadline), stop)) {
                case Lock::Got::held: break;
                case Lock::Got::timed_out: return Got::timed_out;
                // A waiter that leaves without the lock leaves its count:
                // the other side then wakes the futex once too often.
                case Lock::Got::stopped: return Got::stopped;
            }
            if (registered) --my_waiters;
            registered = false;
            if (op(lock) == Step::done) {
                their_seq.fetch_add(1, std::memory_order_release);
                wake = their_waiters > 0;
            } else {
                // Nobody can put to or take from a ring that lost its name.
                if (removed()) throw Error(Exit::missing, kRemovedWhileWaiting);
                if (deadline.expired()) return Got::timed_out;
                seen = my_seq.load(std::memory_order_acquire);
                ++my_waiters;
                registered = true;
            }
        }
        if (!registered) {
            if (wake) futex_wake_all(their_seq);
            return Got::message;
        }
        if (futex_wait(my_seq, seen, removal_slice(deadline), stop) == FutexWait::stopped) {
            Lock lock(*this);
            if (lock.acquire(lock_limit(Deadline::now()), nullptr) == Lock::Got::held) --my_waiters;
            return Got::stopped;
        }
    }
}

bool ShmRing::send(std::string_view msg, const Deadline& deadline, const StopSignals* stop) {
    Header* h = header();
    if (msg.size() > msgsize_)
        throw Error(Exit::failure, "message of " + std::to_string(msg.size()) + " bytes exceeds the queue's " +
                                       std::to_string(msgsize_));
    const uint64_t need = kLength + msg.size();
    auto put = [&](Lock& lock) {
        State s = checked(h->state, bytes_);
        if (bytes_ - (s.tail - s.head) < need) return Step::blocked;
        auto len = static_cast<uint32_t>(msg.size());
        copy_in(s.tail, &len, kLength);
        copy_in(s.tail + kLength, msg.data(), msg.size());
        lock.commit(State{s.head, s.tail + need, s.count + 1, s.puts + counts_as_task(msg.data(), msg.size()), s.gets});
        return Step::done;
    };
    return until_done(put, true, deadline, stop) == Got::message;
}

size_t ShmRing::send_many(const std::string_view* msgs, size_t n, const WaitPolicy& wait, const StopSignals* stop) {
    Header* h = header();
    size_t sent = 0;
    auto put_all_that_fit = [&](Lock& lock) {
        State s = checked(h->state, bytes_);
        size_t first = sent;
        while (sent < n && msgs[sent].size() <= msgsize_ && bytes_ - (s.tail - s.head) >= kLength + msgs[sent].size()) {
            auto len = static_cast<uint32_t>(msgs[sent].size());
            copy_in(s.tail, &len, kLength);
            copy_in(s.tail + kLength, msgs[sent].data(), len);
            s.tail += kLength + len;
            ++s.count;
            s.puts += counts_as_task(msgs[sent].data(), len);
            ++sent;
        }
        if (sent == first) return Step::blocked;
        lock.commit(s);  // the whole batch becomes visible at once
        return Step::done;
    };
    while (sent < n && msgs[sent].size() <= msgsize_)
        if (until_done(put_all_that_fit, true, wait.deadline(), stop) != Got::message) break;
    return sent;
}

ShmRing::Batch ShmRing::take_many(char* buf, size_t cap, uint64_t max, const RecordFormat& f,
                                  const Deadline& deadline, const StopSignals* stop) {
    Header* h = header();
    Batch b;
    const size_t extra = (f.with_prio ? 2 : 0) + (f.delimit ? 1 : 0);
    auto take_all_that_fit = [&](Lock& lock) {
        State s = checked(h->state, bytes_);
        while (b.messages < max && s.count > 0) {
            uint32_t n = length_at(s.head, s.tail);
            if (f.until_end && n == kEndOfStream.size()) {
                // Look before writing: the marker is taken but never written.
                char probe[kEndOfStream.size()];
                copy_out(s.head + kLength, probe, n);
                if (is_end_of_stream(probe, n)) {
                    s.head += kLength + n;
                    --s.count;
                    b.ended = true;
                    break;
                }
            }
            if (cap - b.used < n + extra) {
                if (b.messages == 0) b.need = n + extra;
                break;
            }
            if (f.with_prio) {
                std::memcpy(buf + b.used, "0\t", 2);
                b.used += 2;
            }
            copy_out(s.head + kLength, buf + b.used, n);
            b.used += n;
            if (f.delimit) buf[b.used++] = f.delim;
            s.head += kLength + n;
            --s.count;
            ++s.gets;
            ++b.messages;
        }
        // Nothing taken because the oldest does not fit: done, for the
        // caller to grow its buffer (producers are woken for nothing once).
        if (b.messages == 0 && !b.ended) return b.need ? Step::done : Step::blocked;
        lock.commit(s);
        return Step::done;
    };
    b.got = until_done(take_all_that_fit, false, deadline, stop);
    return b;
}

bool ShmRing::take(Lock& lock, char* buf, size_t& len) {
    Header* h = header();
    State s = checked(h->state, bytes_);
    if (s.count == 0) return false;
    uint32_t n = length_at(s.head, s.tail);
    copy_out(s.head + kLength, buf, n);
    len = n;
    lock.commit(State{s.head + kLength + n, s.tail, s.count - 1, s.puts, s.gets + counts_as_task(buf, n)});
    return true;
}

bool ShmRing::try_receive(char* buf, size_t& len) {
    return until_done([&](Lock& lock) { return take(lock, buf, len) ? Step::done : Step::blocked; }, false,
                      Deadline::now(), nullptr) == Got::message;
}

ShmRing::Got ShmRing::receive(char* buf, size_t& len, const Deadline& deadline, const StopSignals* stop) {
    return until_done([&](Lock& lock) { return take(lock, buf, len) ? Step::done : Step::blocked; }, false,
                      deadline, stop);
}

}  // namespace prockit
