#include "shm_ring.h"

#include <algorithm>
#include <cstring>

#include "diag.h"
#include "futex.h"
#include "shm_ring_parts.h"

namespace prockit {

using ring::checked;
using ring::damaged;
using ring::kLength;
using ring::State;

namespace {
// "PKRING" and the layout version in the top 16 bits.
constexpr uint64_t kMagic = 0x474E49524B50 | (uint64_t{2} << 48);
constexpr SegmentKind kRing{kMagic, "queue", "the queue's shared memory was cut short by another process"};
constexpr size_t kDataAlign = 64;

size_t data_offset() { return (sizeof(ShmRing::Header) + kDataAlign - 1) / kDataAlign * kDataAlign; }

// A wait that would not wait still gives a held lock kLockGrace.
Deadline lock_limit(const Deadline& d) {
    constexpr auto grace_ns = static_cast<int64_t>(ShmRing::kLockGrace * 1e9);
    return d.remaining_ns() >= grace_ns ? d : Deadline::after(ShmRing::kLockGrace);
}
}  // namespace


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
        name, image_size(bytes), mode, kRing, [&](void* base) { format(base, bytes, msgsize); }, exist_ok);
    void* base = s.base();
    size_t size = s.size();
    return ShmRing(std::move(s), base, size);
}

ShmRing ShmRing::open(const std::string& name) {
    SharedSegment s = SharedSegment::open(name, kRing);
    void* base = s.base();
    size_t size = s.size();
    return ShmRing(std::move(s), base, size);
}

void ShmRing::remove(const std::string& name) { SharedSegment::remove(name, kRing); }

bool ShmRing::is_ring(const std::string& name) {
    return (SharedSegment::peek_magic(name) & 0xFFFFFFFFFFFF) == (kMagic & 0xFFFFFFFFFFFF);
}

std::vector<std::string> ShmRing::list() {
    std::vector<std::string> rings;
    for (std::string& name : SharedSegment::list())
        if (is_ring(name)) rings.push_back(std::move(name));
    return rings;
}

TaskCounters& ShmRing::counters() const { return header()->tasks; }

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
    const size_t extra = record_overhead(0, f);  // a ring has no priorities: all are 0
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
            copy_out(s.head + kLength, buf + b.used, n);
            b.used += format_record(buf + b.used, n, 0, f);
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
