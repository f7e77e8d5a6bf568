#include "deadline.h"

#include <cstdio>

#include <climits>
#include <cmath>

namespace prockit {

WallTime WallTime::now() {
    WallTime w;
    clock_gettime(CLOCK_REALTIME, &w.at);
    return w;
}

double WallTime::seconds() const { return static_cast<double>(at.tv_sec) + static_cast<double>(at.tv_nsec) / 1e9; }

std::string WallTime::epoch_text() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld.%03ld", static_cast<long long>(at.tv_sec), at.tv_nsec / 1000000);
    return buf;
}

std::string WallTime::clock_text() const {
    tm local{};
    localtime_r(&at.tv_sec, &local);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03ld", local.tm_hour, local.tm_min, local.tm_sec,
                  at.tv_nsec / 1000000);
    return buf;
}

namespace {
constexpr int64_t kNs = 1'000'000'000;

int64_t to_ns(const timespec& t) { return int64_t{t.tv_sec} * kNs + t.tv_nsec; }

timespec from_ns(int64_t ns) {
    timespec t;
    t.tv_sec = static_cast<time_t>(ns / kNs);
    t.tv_nsec = static_cast<long>(ns % kNs);
    return t;
}

int64_t now_ns(clockid_t clock) {
    timespec t;
    clock_gettime(clock, &t);
    return to_ns(t);
}
}  // namespace

int64_t monotonic_ns() { return now_ns(CLOCK_MONOTONIC); }

Deadline Deadline::after(double seconds) {
    // Cap at ~100 years: far enough to be "never" in practice, small enough
    // that the arithmetic below cannot overflow.
    double capped = std::fmin(seconds, 3.2e9);
    auto delta = static_cast<int64_t>(std::ceil(capped * 1e9));
    return Deadline(Kind::at, from_ns(now_ns(CLOCK_MONOTONIC) + delta));
}

int64_t Deadline::remaining_ns() const {
    switch (kind_) {
        case Kind::never: return INT64_MAX;
        case Kind::now: return 0;
        case Kind::at: break;
    }
    int64_t left = to_ns(at_) - now_ns(CLOCK_MONOTONIC);
    return left > 0 ? left : 0;
}

bool Deadline::expired() const { return remaining_ns() == 0; }

timespec Deadline::realtime() const {
    return from_ns(now_ns(CLOCK_REALTIME) + remaining_ns());
}

int Deadline::poll_ms() const {
    if (kind_ == Kind::never) return -1;
    int64_t ms = (remaining_ns() + 999'999) / 1'000'000;
    return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

}  // namespace prockit
