// The inside of a shm_ring (see shm_ring.h for the design): the layout of
// the segment's header, and the lock with its journal. Only shm_ring.cpp and
// shm_ring_lock.cpp include this.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "diag.h"
#include "shm_ring.h"

namespace prockit {

namespace ring {
constexpr size_t kLength = sizeof(uint32_t);  // each message's length prefix

struct State {
    uint64_t head, tail, count, puts, gets;
};

Error damaged(const std::string& what);

// The state another user may have written, copied once and checked
// without overflow: a wrong one is never used, not even to compute a
// position. Every message costs at least its length prefix.
State checked(const volatile State& in, uint64_t bytes);

// Who this thread is, as the lock records its owner: a TID alone could be
// a dead owner's, reused by a newer process; with the start time it is not.
struct Self {
    uint32_t tid = 0;
    uint64_t record = 0;  // tid | start ticks << 32, for Header::owner
    uint64_t pidns = 0;
};
}  // namespace ring

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
    ring::State state;  // head and tail count bytes ever read and written
    struct {
        std::atomic<uint32_t> valid;
        ring::State next;
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
    Got acquire(const Deadline& limit, const StopSignals* stop);

    // Steps 2 and 3 of the commit protocol (see shm_ring.h). A step that
    // worked from a forged count could compute a state no one may use:
    // it is "damaged" before anything is written.
    void commit(const ring::State& next);

private:
    Got take(const ring::Self& me, bool took_over);
    void release();
    bool owner_gone(uint32_t w, bool closer) const;
    void apply(const ring::State& n);

    const ShmRing& r_;
    Header* h_;
    bool held_ = false;
};

}  // namespace prockit
