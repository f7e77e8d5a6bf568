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

#include "command_template.h"
#include "job_sources.h"
#include "pool_options.h"
#include "signals.h"

namespace prockit {

// Runs every job; returns the exit status (see pool-run(1)). Dies of a stop
// signal after ending every job it started. An error of its own while jobs
// run (an Error, bad_alloc) ends them the same way, and is then rethrown.
int run_pool(const CommandTemplate& cmd, JobSource& source, const PoolOptions& opt, const StopSignals& stop);

}  // namespace prockit
