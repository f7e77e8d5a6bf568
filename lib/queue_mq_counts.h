// The task counts of a POSIX message queue: a small companion segment in
// /dev/shm, made and removed with the queue (the kernel's queue has no room
// for them). The counters themselves are task_count.h's.
#pragma once

#include <sys/types.h>

#include <string>

#include "posix_mq.h"
#include "shm_segment.h"
#include "task_count.h"

namespace prockit {

// True if the queue's mode lets user `uid` write it: its owner, anyone when
// others may write, a member of its group when the group may.
bool may_write_queue(const PosixMq::Owner& q, uid_t uid);

// The companion segment of the message queue "/NAME": /dev/shm/prockit-mq.NAME.
//
// Who may touch it, since anyone may plant a file in /dev/shm: a companion
// is used only if it is a regular file that belongs to the queue's owner or
// to a user the queue is shared with for writing (who could put and mark
// done on the queue anyway). One of anyone else is refused: its maker could
// forge counts, a million puts, and the owner's join would never return.
// Its mode follows the queue's: each class of user (owner, group, other)
// that may write the queue may read and write the counts (a mapping needs
// read); one that may only read the queue may only read them
// (companion_mode). Whoever may not write them maps them read-only: their
// gets are not counted and they cannot mark tasks done (see shq(1)).
class CounterSegment {
public:
    // Opens the companion of queue q. A missing one is made by whoever may
    // write the queue (root: on its owner's behalf). Throws
    // Error(Exit::failure) naming the file and its owner when refused.
    static CounterSegment open(const std::string& mq_name, const PosixMq::Owner& q);
    // Removes it if it exists.
    static void remove(const std::string& mq_name);
    // The mode a companion of a queue of queue_mode gets.
    static unsigned companion_mode(unsigned queue_mode);
    // "/dev/shm/prockit-mq.NAME" (or its hashed form), for messages.
    static std::string path(const std::string& mq_name);

    TaskCounters& counters() { return static_cast<Layout*>(segment_.base())->counters; }
    // False when mapped read-only: nothing may be written to counters().
    bool writable() const { return segment_.writable(); }

private:
    struct Layout {
        std::atomic<uint64_t> magic;
        TaskCounters counters;
    };
    explicit CounterSegment(SharedSegment s) : segment_(std::move(s)) {}
    SharedSegment segment_;
};

}  // namespace prockit
