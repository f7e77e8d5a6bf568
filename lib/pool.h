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

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "command_template.h"
#include "queue.h"
#include "records.h"
#include "signals.h"

namespace prockit {

// Where jobs come from. next() gives the next job's inputs, or says why not.
class JobSource {
public:
    enum class Next { job, later, end };
    virtual ~JobSource() = default;
    virtual Next next(std::vector<std::string>& args) = 0;
    // A descriptor to poll for more (or -1), and how long to wait at most
    // before asking again (ms, -1: no limit), when next() said later.
    virtual int poll_fd() const { return -1; }
    virtual int poll_ms() const { return -1; }
    // The total number of jobs, when known in advance (for --bar).
    virtual long long total() const { return -1; }
    // Called when the job made from these inputs has finished (after its
    // retries), or was skipped.
    virtual void finished(const std::vector<std::string>& /*args*/) {}
    // The joblog's Seq for the job next() gave last: 0 for its number in
    // this run, or the one it had in the joblog it comes from.
    virtual unsigned long long joblog_seq() const { return 0; }
};

// Records of a descriptor (lines, or NUL records), read as they come.
std::unique_ptr<JobSource> records_source(int fd, char delim);
// The cross product of argument lists (::: groups, -a files read whole).
std::unique_ptr<JobSource> product_source(std::vector<std::vector<std::string>> groups);
// Messages of a queue, each marked done when its job has finished; ends at
// the end-of-stream marker, or after idle_s seconds without a message.
std::unique_ptr<JobSource> queue_source(std::unique_ptr<Queue> q, double idle_s);
// --retry-failed: the commands that a joblog has as failed (by the last
// line of each Seq), each a job under its Seq, in the order of their Seqs.
// A log that cannot be read or is malformed is an Error naming it.
std::unique_ptr<JobSource> joblog_failed_source(const std::string& joblog);

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
