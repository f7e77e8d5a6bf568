// The rules that decide from finished jobs how the run goes on: the count
// of jobs done and failed, the exit status it makes, --halt, and --timeout
// N% (a percentage of the median runtime of the jobs that succeeded).
#pragma once

#include <cstddef>
#include <vector>

#include "pool_options.h"

namespace prockit {

struct Tally {
    unsigned long long done = 0, failed = 0, succeeded = 0;
    void add(bool job_failed) {
        ++done;
        (job_failed ? failed : succeeded) += 1;
    }
};

class HaltRule {
public:
    explicit HaltRule(const Halt& h) : h_(h) {}
    // After a job finished (and was counted): whether the run halts now
    // (soon: no new jobs; now: the running ones ended too). `status` is
    // the job's exit status, the run's if it halts on that job's failure.
    // `total`: the number of jobs of the run, -1 when not known (a
    // percentage is then of the jobs done so far, once three are).
    Halt::When check(bool failed, int status, const Tally& t, long long total = -1);
    // What GNU parallel says of a finished job under --halt, before it
    // decides ("failed", "succeeded", "finished"), or null: nothing to say,
    // or the run has halted now and its jobs are being ended.
    const char* says(bool failed) const;
    // The run's exit status (see pool-run(1)).
    int status(const Tally& t) const;

private:
    Halt h_;
    int status_ = -1;  // once halted
};

// The timeout in force: --timeout SECONDS, or N% of the median runtime of
// the jobs that succeeded, once three have (as GNU parallel, which has no
// timeout before its median means anything); 0 for none.
class JobTimeout {
public:
    JobTimeout(double seconds, double percent) : seconds_(seconds), percent_(percent) {}
    double limit() const;
    // When a job started at `started` (monotonic) and `started_epoch`
    // (the wall clock) is over `limit` (limit()), on the monotonic clock;
    // 0 for no limit. As GNU parallel's is_timedout, `time > start + limit`
    // with Perl's whole-second time(): once the wall clock's second after
    // start + limit has begun, so a job gets between the limit and a
    // second more, and a 2 s job under --timeout 2 finishes.
    static double due(double limit, double started, double started_epoch);
    bool wants_runtimes() const { return percent_ > 0; }
    void succeeded(double runtime);

private:
    double seconds_, percent_;
    // The runtimes of recent successful jobs, a bounded window so that
    // memory does not grow with the number of jobs.
    std::vector<double> runtimes_;
    size_t next_ = 0;
    double median_ = 0;
};

// --halt never|0|1|2 or now|soon,fail|success=N or N%.
Halt parse_halt(const char* text);
// --timeout SECONDS, or N% of the median runtime of successful jobs.
void parse_timeout(const char* text, PoolOptions& opt);

}  // namespace prockit
