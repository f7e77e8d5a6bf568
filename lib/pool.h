// A process pool: runs a command once per input, N at a time, in one event
// loop (asio, over the jobs' Boost.Process handles on their pidfds, their
// output pipes, the input, a signalfd and a timer), with GNU parallel's
// output, joblog, halt and exit-status rules.
//
// A job is finished when its process exits: what is in its pipes then is
// read, and a background process it left holding them is not waited for.
// The pool runs no more jobs at a time than the descriptor and process
// limits allow (it cuts -j at the start, and again when the kernel refuses
// a process), so that no job fails for the pool's own want of either.
#pragma once

#include <string>

#include "command_template.h"
#include "job_sources.h"
#include "signals.h"

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

// Runs every job; returns the exit status (see pool-run(1)). Dies of a stop
// signal after ending every job it started. An error of its own while jobs
// run (an Error, bad_alloc) ends them the same way, and is then rethrown.
int run_pool(const CommandTemplate& cmd, JobSource& source, const PoolOptions& opt, const StopSignals& stop);

}  // namespace prockit
