// A bounded multi-producer, multi-consumer queue of variable-length binary
// messages in POSIX shared memory that survives SIGKILL at any instant.
//
// Why a lock of our own and a journal, not Boost's interprocess_mutex, a
// glibc robust mutex or a lock-free ring: Boost 1.81's mutex answers an
// owner's death by throwing not_recoverable forever after, and its
// condition variables are not robust. A lock-free ring of variable-length
// messages needs a reservation protocol whose holes a dead producer leaves
// behind. A process-shared robust pthread mutex cannot live in memory that
// another user may write (-M 0666): glibc keeps the owner's robust-list
// links inside the mutex (__list.__prev, __next) and writes through them on
// unlock, so a writer of the ring who rewrites them while we hold the lock
// gets two 8-byte writes of its choice in our process (and reads our TLS
// address from __prev); a forged kind made glibc abort. The kernel then
// never marks the lock OWNER_DIED either. So the lock is a 32-bit futex
// word we read and write only as a number: 0 is free, else the owner's TID
// (| a waiters bit); taken by compare-and-swap, waited for with FUTEX_WAIT,
// let go by exchange(0) and FUTEX_WAKE. Nothing read from the segment is
// ever used as an address. Robustness is by hand: the owner records its
// start time (/proc, clock ticks) and pid namespace beside the word; an
// owner whose TID no longer exists (kill(2): ESRCH), is a zombie, or whose
// start time differs (the TID was reused) is dead, and a waiter takes its
// word over by compare-and-swap from exactly the word it saw, then replays
// the journal. What that costs: an owner in another pid namespace cannot be
// looked up and counts as alive forever (sharing a ring across containers
// then needs the owner to die in a namespace that shares our pids, or
// `shq rm`); an owner killed between taking the word and recording its
// start time is found dead only while its TID is not reused; and a waiter
// finds a dead owner only when it looks, within a 100 ms slice. A redo
// journal makes every change one step that can be finished by anyone:
//
//   1. under the lock, copy the message into free space (put) or out of the
//      ring (get): nobody can see those bytes yet;
//   2. write the complete new state (head, tail, count, puts, gets) into the
//      journal, then set journal.valid;
//   3. apply the journal to the state, then clear journal.valid.
//
// Killed before 2 completes: the state is unchanged and the copied bytes
// are in free space. Killed after: the next locker replays the journal
// (replay is idempotent; whoever takes the lock and finds the journal
// valid replays it). So no message is
// ever seen torn, none that a put committed is lost or doubled, and a get
// killed mid-way loses at most the message it took. Waiting is on futex
// words in the segment; nobody sleeps holding the lock.
//
// Messages come out in the order they went in; there are no priorities.
//
// Everything in the segment may have been written by another user who may
// write the ring (-M 0666): the geometry (size, message size, where the data
// starts) is read and checked once, at open, against the size of the
// mapping, and never read again; the state (head, tail, count) and the
// journal are copied and checked, without overflow, each time they are used;
// a message's length is checked against that copy before a byte is copied.
// A header that fails a check is "damaged" (Exit::failure), never a fault.
//
// The lock is waited for in slices (FUTEX_WAIT of 100 ms at most), so that a
// holder that is stopped (SIGSTOP, Ctrl-Z) or a forged lock word costs a
// waiter at most its own -t, and at least kLockGrace when it does not wait
// (-n, stat); stop signals get in between slices.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "deadline.h"
#include "queue_format.h"
#include "shm_segment.h"
#include "signals.h"
#include "task_count.h"

namespace prockit {

class ShmRing {
public:
    static constexpr size_t kDefaultBytes = 1 << 20;
    static constexpr size_t kDefaultMsgsize = 64 << 10;
    // How long a step that would not wait (-n, stat) still waits for a
    // lock that is held: a holder that is merely descheduled lets go sooner.
    static constexpr double kLockGrace = 0.2;

    // A ring of `bytes` of message space taking messages of up to `msgsize`
    // bytes (each costs 4 bytes more in the ring).
    static ShmRing create(const std::string& name, size_t bytes, size_t msgsize, unsigned mode, bool exist_ok);
    static ShmRing open(const std::string& name);
    static void remove(const std::string& name);
    // True if the shared-memory object "/NAME" is a prockit ring.
    static bool is_ring(const std::string& name);
    // The names ("/NAME") of the rings on this machine.
    static std::vector<std::string> list();

    // The bytes a ring of `bytes` of message space takes, header included.
    static size_t image_size(size_t bytes);
    // Lays out an empty ring in `base` (image_size(bytes) bytes, 64-aligned).
    static void format(void* base, size_t bytes, size_t msgsize);
    // A ring over memory laid out by format() or by anyone else: checked as
    // a segment from /dev/shm is. For tests and fuzz targets: no /dev/shm.
    static ShmRing over(void* base, size_t size);

    struct Status {
        size_t bytes, used, msgsize, depth;
        uint64_t recoveries;  // times a user found the lock's owner dead and finished its work
        unsigned mode, uid;
        std::string lock;  // "" if we got the lock; else "locked by 1234 (stopped)" and the rest unlocked
    };
    Status status() const;
    size_t max_message() const { return msgsize_; }
    TaskCounters& counters() const;
    const SharedSegment& segment() const { return segment_; }
    // True once the ring was removed (shq rm) while we hold it.
    bool removed() const { return segment_.removed(); }

    // Appends one message; false if there was no room (or no lock) until
    // the deadline, or a stop signal came.
    bool send(std::string_view msg, const Deadline& deadline, const StopSignals* stop);
    // Appends msgs (none longer than max_message()) in order, as many as
    // fit under one hold of the lock at a time, each wait for room bounded
    // by `wait`; returns how many were sent.
    size_t send_many(const std::string_view* msgs, size_t n, const WaitPolicy& wait, const StopSignals* stop);

    // Takes the oldest message into buf (max_message() bytes) without waiting.
    bool try_receive(char* buf, size_t& len);

    enum class Got { message, timed_out, stopped };

    // Takes, under one hold of the lock at a time, up to max messages that
    // fit whole into buf (cap bytes), each written as a record in format f
    // (see Queue::try_receive_many), waiting for the first until the
    // deadline. When the oldest message does not fit, nothing is taken and
    // `need` says how much room its record takes: the caller grows its
    // buffer to what the data needs, not to what max_message() allows.
    struct Batch {
        size_t messages = 0, used = 0, need = 0;
        bool ended = false;  // took the end-of-stream marker (f.until_end)
        Got got = Got::message;  // message: took some, or ended, or need > 0
    };
    Batch take_many(char* buf, size_t cap, uint64_t max, const RecordFormat& f, const Deadline& deadline,
                    const StopSignals* stop);

    Got receive(char* buf, size_t& len, const Deadline& deadline, const StopSignals* stop);

    // Why the last step gave up, when it was because another process held
    // the lock: "the queue's lock is held by process 1234 (stopped)"; else "".
    const std::string& blocked_by() const { return blocked_by_; }

    struct Header;

private:
    class Lock;
    enum class Step { done, blocked };
    ShmRing(SharedSegment s, void* base, size_t size);
    Header* header() const { return header_; }
    void copy_in(uint64_t pos, const void* src, size_t n);
    void copy_out(uint64_t pos, void* dst, size_t n) const;
    uint32_t length_at(uint64_t head, uint64_t tail) const;
    bool take(Lock& lock, char* buf, size_t& len);
    std::string lock_holder() const;
    template <class Op>
    Got until_done(Op op, bool for_room, const Deadline& deadline, const StopSignals* stop);

    SharedSegment segment_;  // empty for over()
    Header* header_;
    char* data_;                // the message space: bytes_ from the header, checked at open
    uint64_t bytes_, msgsize_;  // checked copies; never read from the segment again
    mutable std::string blocked_by_;  // set by a lock wait that gave up, even in status()
};

}  // namespace prockit
