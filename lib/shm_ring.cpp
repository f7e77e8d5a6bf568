#include "shm_ring.h"

#include <pthread.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "diag.h"
#include "futex.h"

namespace prockit {

namespace {
// "PKRING" and the layout version in the top 16 bits.
constexpr uint64_t kMagic = 0x474E49524B50 | (uint64_t{1} << 48);
constexpr size_t kLength = sizeof(uint32_t);  // each message's length prefix

struct State {
    uint64_t head, tail, count, puts, gets;
};
}  // namespace

struct ShmRing::Header {
    std::atomic<uint64_t> magic;
    uint64_t bytes;    // size of the data area
    uint64_t msgsize;  // largest message
    uint64_t data_offset;
    pthread_mutex_t lock;
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
// The tests find the lock's owner at this offset (tests/shq-crash.bats).
static_assert(offsetof(ShmRing::Header, lock) == 32);

// Holds the ring's lock; finishes the change a dead owner left half-done.
class ShmRing::Lock {
public:
    explicit Lock(Header* h) : h_(h) {
        int r = pthread_mutex_lock(&h_->lock);
        if (r == EOWNERDEAD) {
            replay(h_);
            ++h_->recoveries;
            pthread_mutex_consistent(&h_->lock);
        } else if (r != 0) {
            throw Error(Exit::failure, "lock the queue: " + reason(r));
        }
    }
    ~Lock() { pthread_mutex_unlock(&h_->lock); }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    // Steps 2 and 3 of the commit protocol (see shm_ring.h).
    void commit(const State& next) {
        h_->journal.next = next;
        h_->journal.valid.store(1, std::memory_order_release);
        replay(h_);
    }

private:
    static void replay(Header* h) {
        if (!h->journal.valid.load(std::memory_order_acquire)) return;
        const State& n = h->journal.next;
        h->state = n;
        h->tasks.puts.store(n.puts);
        h->tasks.gets.store(n.gets);
        h->journal.valid.store(0, std::memory_order_release);
    }
    Header* h_;
};

ShmRing::Header* ShmRing::header() const { return static_cast<Header*>(segment_.base()); }

void ShmRing::check_layout() const {
    const Header* h = header();
    bool sane = h->data_offset >= sizeof(Header) && h->data_offset + h->bytes <= segment_.size() &&
                h->msgsize + kLength <= h->bytes && h->state.head <= h->state.tail &&
                h->state.tail - h->state.head <= h->bytes;
    if (!sane) throw Error(Exit::failure, "the queue's header is damaged (not written by this prockit?)");
}

// The data area is a ring: a position past its end wraps to the start.
void ShmRing::copy_in(uint64_t pos, const void* src, size_t n) {
    Header* h = header();
    char* data = static_cast<char*>(segment_.base()) + h->data_offset;
    size_t at = pos % h->bytes, first = std::min(n, h->bytes - at);
    std::memcpy(data + at, src, first);
    std::memcpy(data, static_cast<const char*>(src) + first, n - first);
}

void ShmRing::copy_out(uint64_t pos, void* dst, size_t n) const {
    const Header* h = header();
    const char* data = static_cast<const char*>(segment_.base()) + h->data_offset;
    size_t at = pos % h->bytes, first = std::min(n, h->bytes - at);
    std::memcpy(dst, data + at, first);
    std::memcpy(static_cast<char*>(dst) + first, data, n - first);
}

ShmRing ShmRing::create(const std::string& name, size_t bytes, size_t msgsize, unsigned mode, bool exist_ok) {
    if (msgsize + kLength > bytes)
        throw Error(Exit::usage, "a message size of " + std::to_string(msgsize) + " needs a ring of at least " +
                                     std::to_string(msgsize + kLength) + " bytes (-S)");
    size_t offset = (sizeof(Header) + 63) / 64 * 64;
    auto init = [&](void* base) {
        auto* h = static_cast<Header*>(base);
        h->bytes = bytes;
        h->msgsize = msgsize;
        h->data_offset = offset;
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
        pthread_mutex_init(&h->lock, &attr);
        pthread_mutexattr_destroy(&attr);
    };
    ShmRing ring(SharedSegment::create(name, offset + bytes, mode, kMagic, init, exist_ok));
    ring.check_layout();
    return ring;
}

ShmRing ShmRing::open(const std::string& name) {
    ShmRing ring(SharedSegment::open(name, kMagic, "queue"));
    ring.check_layout();
    return ring;
}

bool ShmRing::is_ring(const std::string& name) {
    return (SharedSegment::peek_magic(name) & 0xFFFFFFFFFFFF) == (kMagic & 0xFFFFFFFFFFFF);
}

size_t ShmRing::max_message() const { return header()->msgsize; }
TaskCounters& ShmRing::counters() const { return header()->tasks; }

ShmRing::Status ShmRing::status() const {
    Header* h = header();
    Lock lock(h);
    return Status{h->bytes,         h->state.tail - h->state.head, h->msgsize, h->state.count, h->recoveries,
                  segment_.mode(), segment_.uid()};
}

// Runs op under the lock until it is done. While it is blocked (no room
// for a put, no message for a get) sleeps on the sequence word the other
// side bumps, registered as a waiter so that the other side wakes us; when
// done, wakes the other side's waiters. Nobody sleeps holding the lock.
template <class Op>
ShmRing::Got ShmRing::until_done(Op op, bool for_room, const Deadline& deadline, const StopSignals* stop) {
    Header* h = header();
    std::atomic<uint32_t>& my_seq = for_room ? h->not_full_seq : h->not_empty_seq;
    std::atomic<uint32_t>& their_seq = for_room ? h->not_empty_seq : h->not_full_seq;
    uint32_t& my_waiters = for_room ? h->not_full_waiters : h->not_empty_waiters;
    uint32_t& their_waiters = for_room ? h->not_empty_waiters : h->not_full_waiters;
    bool registered = false;
    for (;;) {
        uint32_t seen = 0;
        bool wake = false;
        {
            Lock lock(h);
            if (registered) --my_waiters;
            registered = false;
            if (op(lock) == Step::done) {
                their_seq.fetch_add(1, std::memory_order_release);
                wake = their_waiters > 0;
            } else {
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
        if (futex_wait(my_seq, seen, deadline, stop) == FutexWait::stopped) {
            Lock lock(h);
            --my_waiters;
            return Got::stopped;
        }
    }
}

bool ShmRing::send(std::string_view msg, const Deadline& deadline, const StopSignals* stop) {
    Header* h = header();
    if (msg.size() > h->msgsize)
        throw Error(Exit::failure, "message of " + std::to_string(msg.size()) + " bytes exceeds the queue's " +
                                       std::to_string(h->msgsize));
    const uint64_t need = kLength + msg.size();
    auto put = [&](Lock& lock) {
        State s = h->state;
        if (h->bytes - (s.tail - s.head) < need) return Step::blocked;
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
        State s = h->state;
        size_t first = sent;
        while (sent < n && h->bytes - (s.tail - s.head) >= kLength + msgs[sent].size()) {
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
    while (sent < n)
        if (until_done(put_all_that_fit, true, wait.deadline(), stop) != Got::message) break;
    return sent;
}

size_t ShmRing::take_many(char* buf, size_t cap, uint64_t max, const RecordFormat& f, size_t& used,
                          bool* ended) {
    Header* h = header();
    size_t taken = 0;
    used = 0;
    auto take_all_that_fit = [&](Lock& lock) {
        State s = h->state;
        const size_t extra = (f.with_prio ? 2 : 0) + (f.delimit ? 1 : 0);
        bool at_end = false;
        while (taken < max && s.count > 0) {
            uint32_t n = 0;
            copy_out(s.head, &n, kLength);
            if (n > h->msgsize || kLength + n > s.tail - s.head)
                throw Error(Exit::failure, "the queue is damaged: a message claims " + std::to_string(n) + " bytes");
            if (f.until_end && n == kEndOfStream.size()) {
                // Look before writing: the marker is taken but never written.
                char probe[kEndOfStream.size()];
                copy_out(s.head + kLength, probe, n);
                if (is_end_of_stream(probe, n)) {
                    s.head += kLength + n;
                    --s.count;
                    at_end = true;
                    break;
                }
            }
            if (cap - used < n + extra) break;
            if (f.with_prio) {
                std::memcpy(buf + used, "0\t", 2);
                used += 2;
            }
            copy_out(s.head + kLength, buf + used, n);
            used += n;
            if (f.delimit) buf[used++] = f.delim;
            s.head += kLength + n;
            --s.count;
            ++s.gets;
            ++taken;
        }
        if (taken == 0 && !at_end) return Step::blocked;
        if (at_end && ended) *ended = true;
        lock.commit(s);
        return Step::done;
    };
    until_done(take_all_that_fit, false, Deadline::now(), nullptr);
    return taken;
}

bool ShmRing::take(Lock& lock, char* buf, size_t& len) {
    Header* h = header();
    State s = h->state;
    if (s.count == 0) return false;
    uint32_t n = 0;
    copy_out(s.head, &n, kLength);
    if (n > h->msgsize || kLength + n > s.tail - s.head)
        throw Error(Exit::failure, "the queue is damaged: a message claims " + std::to_string(n) + " bytes");
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
