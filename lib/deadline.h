// Deadlines and waiting policies for -t SECONDS / -n.
//
// Deadlines are kept on CLOCK_MONOTONIC so that a clock change does not
// stretch or cut a wait; calls that insist on an absolute CLOCK_REALTIME
// time (mq_timedsend, mq_timedreceive) get one converted at the last moment.
#pragma once

#include <time.h>

#include <cstdint>
#include <string>

namespace prockit {

// The wall clock, for timestamps people and other machines read.
struct WallTime {
    timespec at;
    static WallTime now();
    double seconds() const;          // since the epoch
    std::string epoch_text() const;  // "1795322649.520": seconds since the epoch, to the ms
    std::string clock_text() const;  // "12:00:01.234", local time
};

// Now on CLOCK_MONOTONIC, for measuring how long things take.
int64_t monotonic_ns();
inline double monotonic_seconds() { return static_cast<double>(monotonic_ns()) / 1e9; }

class Deadline {
public:
    static Deadline never() { return Deadline(Kind::never, {}); }
    static Deadline now() { return Deadline(Kind::now, {}); }
    static Deadline after(double seconds);

    bool is_never() const { return kind_ == Kind::never; }
    bool expired() const;
    // The deadline as an absolute CLOCK_REALTIME time. Not for never().
    timespec realtime() const;
    // Milliseconds left, rounded up, for poll(); -1 for never().
    int poll_ms() const;
    // Nanoseconds left (0 when expired); INT64_MAX for never().
    int64_t remaining_ns() const;

private:
    enum class Kind { never, now, at };
    Deadline(Kind k, timespec t) : kind_(k), at_(t) {}
    Kind kind_;
    timespec at_;  // CLOCK_MONOTONIC
};

// Calls done() every millisecond until it is true (true) or the deadline
// passes (false): a bounded poll, for what the kernel does on its own and
// says nowhere but in /proc (an adoption, a reaping by init).
template <class F>
bool poll_until(F done, const Deadline& limit) {
    while (!done()) {
        if (limit.expired()) return false;
        timespec ms{0, 1000000};
        nanosleep(&ms, nullptr);
    }
    return true;
}

// How long one wait may take: forever (the default), not at all (-n), or
// at most some seconds (-t). Every blocking step takes a fresh deadline.
class WaitPolicy {
public:
    static WaitPolicy forever() { return WaitPolicy(-1); }
    static WaitPolicy no_wait() { return WaitPolicy(0); }
    static WaitPolicy seconds(double s) { return WaitPolicy(s); }

    Deadline deadline() const {
        if (seconds_ < 0) return Deadline::never();
        if (seconds_ == 0) return Deadline::now();
        return Deadline::after(seconds_);
    }
    double seconds() const { return seconds_; }

private:
    explicit WaitPolicy(double s) : seconds_(s) {}
    double seconds_;
};

}  // namespace prockit
