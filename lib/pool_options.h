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
};

}  // namespace prockit
