// Waiting on a 32-bit word in shared memory (futex(2)), across processes.
#pragma once

#include <atomic>
#include <cstdint>

#include "deadline.h"
#include "signals.h"

namespace prockit {

enum class FutexWait { woken, timed_out, stopped };

// Sleeps while *word == expected, until woken, the deadline passes, or a
// stop signal arrives. Spurious returns are allowed: callers re-check their
// condition. Stop signals are blocked while a tool works (see signals.h),
// so the sleep is cut into slices of at most 100 ms that look for one.
FutexWait futex_wait(const std::atomic<uint32_t>& word, uint32_t expected, const Deadline& deadline,
                     const StopSignals* stop);

// Wakes every process sleeping on word.
void futex_wake_all(const std::atomic<uint32_t>& word);

}  // namespace prockit
