// A bounded multi-producer, multi-consumer queue of variable-length binary
// messages in POSIX shared memory that survives SIGKILL at any instant.
//
// Why a robust mutex and a journal, not Boost's interprocess_mutex or a
// lock-free ring: Boost 1.81's mutex answers an owner's death by throwing
// not_recoverable forever after, and its condition variables are not robust.
// A lock-free ring of variable-length messages needs a reservation protocol
// whose holes a dead producer leaves behind. A process-shared robust pthread
// mutex instead tells the next locker that the owner died (EOWNERDEAD), and a
// redo journal makes every change one step that can be finished by anyone:
//
//   1. under the lock, copy the message into free space (put) or out of the
//      ring (get): nobody can see those bytes yet;
//   2. write the complete new state (head, tail, count, puts, gets) into the
//      journal, then set journal.valid;
//   3. apply the journal to the state, then clear journal.valid.
//
// Killed before 2 completes: the state is unchanged and the copied bytes
// are in free space. Killed after: the next locker replays the journal
// (replay is idempotent) and marks the mutex consistent. So no message is
// ever seen torn, none that a put committed is lost or doubled, and a get
// killed mid-way loses at most the message it took. Waiting is on futex
// words in the segment; nobody sleeps holding the lock.
//
// Messages come out in the order they went in; there are no priorities.
#pragma once

#include <string>
#include <string_view>

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

    // A ring of `bytes` of message space taking messages of up to `msgsize`
    // bytes (each costs 4 bytes more in the ring).
    static ShmRing create(const std::string& name, size_t bytes, size_t msgsize, unsigned mode, bool exist_ok);
    static ShmRing open(const std::string& name);
    static void remove(const std::string& name) { SharedSegment::remove(name); }
    // True if the shared-memory object "/NAME" is a prockit ring.
    static bool is_ring(const std::string& name);

    struct Status {
        size_t bytes, used, msgsize, depth;
        uint64_t recoveries;  // times a user found the lock's owner dead and finished its work
        unsigned mode, uid;
    };
    Status status() const;
    size_t max_message() const;
    TaskCounters& counters() const;

    // Appends one message; false if there was no room until the deadline.
    bool send(std::string_view msg, const Deadline& deadline, const StopSignals* stop);
    // Appends msgs (none longer than max_message()) in order, as many as
    // fit under one hold of the lock at a time, each wait for room bounded
    // by `wait`; returns how many were sent.
    size_t send_many(const std::string_view* msgs, size_t n, const WaitPolicy& wait, const StopSignals* stop);

    // Takes the oldest message into buf (max_message() bytes) without waiting.
    bool try_receive(char* buf, size_t& len);

    // Takes, without waiting and under one hold of the lock, up to max
    // messages that fit whole into buf (cap bytes), each written as a record
    // in format f (see Queue::try_receive_many); returns how many and the
    // bytes used.
    size_t take_many(char* buf, size_t cap, uint64_t max, const RecordFormat& f, size_t& used, bool* ended);

    enum class Got { message, timed_out, stopped };
    Got receive(char* buf, size_t& len, const Deadline& deadline, const StopSignals* stop);

    struct Header;

private:
    class Lock;
    enum class Step { done, blocked };
    explicit ShmRing(SharedSegment s) : segment_(std::move(s)) {}
    Header* header() const;
    void check_layout() const;
    void copy_in(uint64_t pos, const void* src, size_t n);
    void copy_out(uint64_t pos, void* dst, size_t n) const;
    bool take(Lock& lock, char* buf, size_t& len);
    template <class Op>
    Got until_done(Op op, bool for_room, const Deadline& deadline, const StopSignals* stop);

    SharedSegment segment_;
};

}  // namespace prockit
