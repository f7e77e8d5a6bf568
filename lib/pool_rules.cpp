#include "pool_rules.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "diag.h"
#include "parallel_options.h"
#include "parse.h"

namespace prockit {

namespace {
[[noreturn]] void bad_halt(const std::string& t) {
    throw Error(Exit::usage, "invalid halt '" + t + "': expected now|soon,fail|success|done=N or N%, such as now,fail=1");
}
}  // namespace

Halt parse_halt(const char* text) {
    Halt h;
    std::string t = text;
    // parallel's short forms: 0 1 2 -1 -2, and N% for soon,fail=N%.
    if (t == "never" || t == "0") return h;
    if (t == "1") return Halt{Halt::When::soon, false, false, 1, false};
    if (t == "2") return Halt{Halt::When::now, false, false, 1, false};
    if (t == "-1") return Halt{Halt::When::soon, true, false, 1, false};
    if (t == "-2") return Halt{Halt::When::now, true, false, 1, false};
    if (!t.empty() && t.back() == '%' && t.find(',') == std::string::npos) t = "soon,fail=" + t;
    size_t comma = t.find(','), eq = t.find('=');
    if (comma == std::string::npos || eq == std::string::npos || eq < comma) bad_halt(t);
    std::string when = t.substr(0, comma), what = t.substr(comma + 1, eq - comma - 1), n = t.substr(eq + 1);
    if ((when != "now" && when != "soon") || (what != "fail" && what != "success" && what != "done")) bad_halt(t);
    h.when = when == "now" ? Halt::When::now : Halt::When::soon;
    h.on_success = what == "success";
    h.on_done = what == "done";
    if (!n.empty() && n.back() == '%') {
        h.percent = true;
        n.pop_back();
    }
    h.count = static_cast<double>(parse_count(n.c_str(), "halt count", 1, h.percent ? 100 : UINT64_MAX));
    return h;
}

void parse_timeout(const char* text, PoolOptions& opt) {
    std::string t = text;
    if (!t.empty() && t.back() == '%') {
        t.pop_back();
        opt.timeout_percent = static_cast<double>(parse_count(t.c_str(), "timeout percentage", 1, 1000000));
        opt.timeout = 0;
    } else {
        opt.timeout = parse_duration(text, "timeout");  // 1m30s, as parallel's --timeout
        opt.timeout_percent = 0;
    }
}


Halt::When HaltRule::check(bool failed, int status, const Tally& t, long long total) {
    if (h_.when == Halt::When::never || status_ >= 0) return Halt::When::never;
    if (!h_.on_done && failed == h_.on_success) return Halt::When::never;
    unsigned long long n = h_.on_done ? t.done : h_.on_success ? t.succeeded : t.failed;
    // N% in whole numbers (N is one, at most 100): 7 of 100 is 7%, which
    // 7 / 100.0 * 100 = 7.000000000000001 in floating point was not.
    // As GNU parallel, a percentage is of all the jobs when their number is known.
    unsigned long long of = total > 0 ? static_cast<unsigned long long>(total) : t.done;
    bool reached = h_.percent ? (total > 0 || t.done >= 3) && n * 100 >= static_cast<unsigned long long>(h_.count) * of
                              : static_cast<double>(n) >= h_.count;
    if (!reached) return Halt::When::never;
    // As GNU parallel: fail=1 and done=1 give the job's own status; a
    // larger count the number of jobs failed, a percentage their share.
    if (h_.on_success) status_ = 0;
    else if (h_.percent) status_ = static_cast<int>((t.failed * 100 + of - 1) / of);
    else if (h_.count == 1) status_ = status;
    else status_ = static_cast<int>(std::min<unsigned long long>(t.failed, 101));
    return h_.when;
}

const char* HaltRule::says(bool failed) const {
    if (h_.when == Halt::When::never || (status_ >= 0 && h_.when == Halt::When::now)) return nullptr;
    if (h_.on_done) return "finished";
    if (failed && !h_.on_success) return "failed";
    if (!failed && h_.on_success) return "succeeded";
    return nullptr;
}

int HaltRule::status(const Tally& t) const {
    if (status_ >= 0) return status_;
    // As GNU parallel's halt(): a --halt N% in force gives the percentage
    // failed even when it never triggered, in its floating point (so that
    // the status is the very number parallel exits with).
    if (h_.percent && h_.when != Halt::When::never)
        return static_cast<int>(std::ceil(static_cast<double>(t.failed) / static_cast<double>(t.done ? t.done : 1) * 100));
    return t.failed > 100 ? 101 : static_cast<int>(t.failed);
}

double JobTimeout::limit() const {
    if (seconds_ > 0) return seconds_;
    if (percent_ > 0 && runtimes_.size() >= 3) return median_ * percent_ / 100;
    return 0;
}

double JobTimeout::due(double limit, double started, double started_epoch) {
    if (limit <= 0) return 0;
    double start = std::floor(started_epoch * 1000) / 1000;  // parallel's now(): to the millisecond
    return started + (std::floor(start + limit) + 1 - started_epoch);
}

void JobTimeout::succeeded(double runtime) {
    constexpr size_t kWindow = 999;
    if (runtimes_.size() < kWindow) runtimes_.push_back(runtime);
    else runtimes_[next_++ % kWindow] = runtime;
    std::vector<double> sorted = runtimes_;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
    median_ = sorted[sorted.size() / 2];
}

}  // namespace prockit
