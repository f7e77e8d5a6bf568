#include "queue.h"

#include "diag.h"

namespace prockit {

void Queue::refuse_removed() const {
    if (removed()) throw Error(Exit::missing, kRemovedWhileWaiting);
}

Joined Queue::join_in_slices(TaskCounters& c, const Deadline& deadline, const StopSignals* stop, bool may_write) {
    for (;;) {
        Joined j = wait_joined(c, removal_slice(deadline), stop, may_write);
        if (j != Joined::timed_out || deadline.expired()) return j;
        refuse_removed();
    }
}

std::vector<Recovered> Queue::recover(double) {
    throw Error(Exit::usage, "only redis:// queues keep what a consumer took until it is done: there is nothing to recover");
}

size_t Queue::send_many(const std::string_view* msgs, size_t n, unsigned prio, const WaitPolicy& wait,
                        const StopSignals* stop) {
    for (size_t i = 0; i < n; ++i)
        if (!send(msgs[i], prio, wait.deadline(), stop)) return i;
    return n;
}

}  // namespace prockit
