// What pool-run's options ask of the pool (lib/run_args.h parses them), in
// a header of its own: the pool's parts read it without including pool.h,
// so the pool depends on its parts and never the other way round.
#pragma once

#include <string>

namespace prockit {

struct Halt {
    enum class When { never, soon, now } when = When::never;
    bool on_success = false;  // success=N rather than fail=N
    double count = 1;
    bool percent = false;
};

// How records are taken into jobs (lib/job_batch.h): -n/-N, -m/-X/--xargs, -s.
struct Batch {
    unsigned long long max_args = 1;  // records per job at most; 0: as many as the line allows
    bool spread = false;              // -m/-X: the last records spread over the job slots
    bool limit_length = false;        // -m/-X/--xargs/-s/-n N>1: the line stays under max_chars
    unsigned long long max_chars = 0; // -s; 0: GNU parallel's default (job_batch.h)
};

struct PoolOptions {
    unsigned jobs = 1;
    bool keep_order = false, line_buffer = false, ungroup = false, tag = false;
    double timeout = 0;          // seconds; 0: none
    double timeout_percent = 0;  // or this % of the median runtime of the jobs that succeeded
    unsigned retries = 1;  // attempts per job, as GNU parallel's --retries
    Halt halt;
    double term_grace = 1.0;
    std::string joblog;
    bool resume = false, resume_failed = false, retry_failed = false;
    bool dry_run = false, bar = false;
    bool null_stdin = false;  // jobs read /dev/null (pool-run's stdin is the input)
    Batch batch;
};

}  // namespace prockit
