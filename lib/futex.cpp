#include "futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace prockit {

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t) && std::atomic<uint32_t>::is_always_lock_free,
              "a futex word must be a plain 32-bit word");

namespace {
long futex(const std::atomic<uint32_t>& word, int op, uint32_t val, const timespec* timeout) {
    // Not FUTEX_PRIVATE_FLAG: the word is shared between processes.
    return ::syscall(SYS_futex, &word, op, val, timeout, nullptr, 0);
}

constexpr int64_t kSliceNs = 100'000'000;
}  // namespace

FutexWait futex_wait(const std::atomic<uint32_t>& word, uint32_t expected, const Deadline& deadline,
                     const StopSignals* stop) {
    if (stop && stop->check()) return FutexWait::stopped;
    int64_t left = deadline.remaining_ns();
    if (left == 0) return FutexWait::timed_out;
    int64_t slice = stop ? std::min(left, kSliceNs) : left;
    timespec ts{static_cast<time_t>(slice / 1'000'000'000), static_cast<long>(slice % 1'000'000'000)};
    long r = futex(word, FUTEX_WAIT, expected, slice == INT64_MAX ? nullptr : &ts);
    if (r == -1 && errno == ETIMEDOUT && deadline.expired()) return FutexWait::timed_out;
    if (stop && stop->check()) return FutexWait::stopped;
    return FutexWait::woken;
}

void futex_wake_all(const std::atomic<uint32_t>& word) { futex(word, FUTEX_WAKE, INT32_MAX, nullptr); }

}  // namespace prockit
