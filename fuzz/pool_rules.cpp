// pool-run's rules over any run of finished jobs (lib/pool_rules.h), each
// against a plain restatement of pool-run(1):
//  - --halt WHEN,fail=N / success=N / done=N halts at the first job that
//    makes N jobs fail (succeed, finish), or N percent of those done once 3
//    are, and never again; the run's status is then, as GNU parallel's,
//    that job's for a count of 1 (0 for success=), the number failed for a
//    larger count, the percentage failed (rounded up) for N%; else, with
//    N% in force, the percentage failed of those done (parallel's
//    ceil(failed / done * 100) in floating point), else the number of
//    failed jobs, 101 for more than 100;
//  - --timeout N% is N percent of the median runtime of the last 999 jobs
//    that succeeded, once 3 have, and 0 before; --timeout SECONDS is that.
//
// Input: byte 0 the halt (when, success=, %, done=), byte 1 its count, byte 2
// the timeout (bit 7: SECONDS, else a percent), then per job one byte
// (bit 0: failed, the rest its exit status or runtime) and one byte of
// how many times it repeats, so that runs pass the 999-job window.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <vector>

#include "fuzz.h"
#include "pool_rules.h"

using namespace prockit;

namespace {
// The median runtime of the last 999 successes, as pool-run(1) states it:
// the middle one in order, the upper middle of an even count.
double median(const std::deque<double>& last) {
    std::vector<double> v(last.begin(), last.end());
    std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
    return v[v.size() / 2];
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    Halt h;
    h.when = static_cast<Halt::When>(data[0] % 3);
    h.on_success = data[0] & 4;
    h.percent = data[0] & 8;
    h.on_done = data[0] & 16;
    h.count = h.percent ? data[1] % 101 : data[1] % 50 + 1;
    const bool seconds = data[2] & 0x80;
    const double amount = data[2] & 0x7F;
    HaltRule rule(h);
    JobTimeout timeout(seconds ? amount : 0, seconds ? 0 : amount);
    Tally t;
    std::deque<double> last;  // the runtimes of the last 999 successes
    int halted_with = -1;
    double limit = seconds ? amount : 0;
    for (size_t i = 3; i + 1 < size && t.done < 1500; i += 2) {
        for (unsigned r = 0; r <= data[i + 1] % 64; ++r) {
            const bool failed = data[i] & 1;
            const int status = data[i] >> 1 | 1;  // 1..127: a failed job's
            t.add(failed);
            Halt::When got = rule.check(failed, failed ? status : 0, t);
            // Counted in whole numbers: N% of done jobs is 100 * n >= N * done.
            unsigned long long n = h.on_done ? t.done : h.on_success ? t.succeeded : t.failed;
            bool reached = h.percent ? t.done >= 3 && 100 * n >= static_cast<unsigned long long>(h.count) * t.done
                                     : n >= static_cast<unsigned long long>(h.count);
            bool counts = h.on_done || failed != h.on_success;
            bool halts = h.when != Halt::When::never && halted_with < 0 && counts && reached;
            if (got != (halts ? h.when : Halt::When::never)) std::abort();
            if (halts) {
                halted_with = h.on_success ? 0
                              : h.percent  ? static_cast<int>((t.failed * 100 + t.done - 1) / t.done)
                              : h.count == 1 ? (failed ? status : 0)
                                             : static_cast<int>(std::min<unsigned long long>(t.failed, 101));
            }
            int want = halted_with >= 0 ? halted_with
                       : h.percent && h.when != Halt::When::never
                           ? static_cast<int>(std::ceil(static_cast<double>(t.failed) / static_cast<double>(t.done) * 100))
                       : t.failed > 100 ? 101
                                        : static_cast<int>(t.failed);
            if (rule.status(t) != want) std::abort();

            if (!failed) {
                double runtime = (data[i] >> 1) / 8.0;
                timeout.succeeded(runtime);
                last.push_back(runtime);
                if (last.size() > 999) last.pop_front();
                if (!seconds && amount > 0 && last.size() >= 3) limit = median(last) * amount / 100;
            }
            if (timeout.limit() != limit || timeout.wants_runtimes() != (!seconds && amount > 0)) std::abort();
        }
    }
    return 0;
}
