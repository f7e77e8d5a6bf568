// One job of the pool: its inputs, its process (whose exit the pool's loop
// reaps, lib/pool_loop.h), the read ends of its output pipes in that loop,
// and what it has written so far (lib/job_output.h).
//
// A job is finished when its process exits, as in GNU parallel: what is in
// its pipes then is read, and a background process it left holding them
// is not waited for (pool-run(1) says what becomes of it), so that it
// cannot keep the job, its slot and pool-run waiting, whatever --timeout
// says.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "command_template.h"
#include "fd.h"
#include "job_env.h"
#include "job_output.h"
#include "joblog.h"
#include "pipe_feed.h"
#include "pool_loop.h"
#include "spawn.h"

namespace prockit {

// The read end of one of a job's pipes, while open: first `idle`, which
// nothing watches, then, once the job has run for a while, `fd` in the loop.
// Most jobs are done before that: their output is still in the pipe, read
// once they have exited, and the loop never hears of their pipes (ten
// system calls a job fewer: bench/pool-run).
struct JobPipe {
    Fd idle;
    std::optional<boost::asio::posix::stream_descriptor> fd;
    bool read_posted = false;  // a read of it is queued in the loop
    size_t left = 0;           // once the job has exited: what is still to read
    bool open() const { return idle || fd; }
};

struct Job {
    JobInput input;
    unsigned long long log_seq = 0;  // its Seq in the joblog, when not input.seq
    std::string command;             // as the joblog shows it (only with --joblog)
    unsigned attempt = 1;
    pid_t pid = -1;
    JobPipe out, err;
    JobFeed feed;  // --pipe, --pipepart: its block, into its standard input
    JobOutput output;
    bool exited = false;
    bool skipped = false;  // skip() or --filter: it runs `true`, Exitval -2, as in GNU parallel
    int exit_code = 0, signal = 0;
    double started = 0, started_epoch = 0;
    bool timed_out = false;
    double kill_at = 0;  // when to take the next step of ending it; 0: not yet asked to end
    unsigned term_step = 0;  // the steps of --termseq taken

    // A job ended by --timeout failed, whatever status it then exited
    // with (a job that traps SIGTERM and exits 0 included), as in GNU
    // parallel: else --retries would not run it again, nor
    // --resume-failed, and the run would report success.
    bool failed() const { return exit_code != 0 || signal != 0 || timed_out; }
    // Its status as the run reports it: 128+N when killed by signal N; a
    // timed-out job that exited of itself has GNU parallel's Exitval -1: 255.
    int status() const;
    unsigned long long seq() const { return log_seq ? log_seq : input.seq; }
    // Its process has exited and its pipes are closed, with no read queued.
    bool done() const {
        return exited && !out.open() && !err.open() && !out.read_posted && !err.read_posted && !feed.busy();
    }
    JoblogRecord record() const;
    // The same job again (--retries), with a fresh output.
    std::unique_ptr<Job> again() const;
};

// What a running job's pipes give, as they are read (`last`: the stream ended).
class JobOutputTaker {
public:
    virtual void take(Job& job, bool is_out, std::string_view data, bool last) = 0;

protected:
    ~JobOutputTaker() = default;
};

struct JobLaunch {
    EventLoop& loop;
    const CommandTemplate& cmd;
    JobEnvironment& env;
    bool grouped;     // its output through pipes of ours (not -u)
    bool null_stdin;  // it reads /dev/null
};

// Starts the job's process and watches it and its pipes in the loop.
// Returns 0, or the errno of a failed start: EAGAIN (the kernel refused a
// process: try later), else the job has failed as a shell says it, with
// the conventional status, written on `err`.
int start_job(Job& job, const JobLaunch& how, JobOutputTaker& taker, Sink& err);

// A job's pipes go into the loop once it has run this long, so that one
// that writes more than a pipe holds is not kept waiting for long.
constexpr double kWatchPipesAfter = 0.01;

// Puts the pipes of the running jobs that have run kWatchPipesAfter into
// the loop. Returns when the next one is due, or -1 when none is left.
double watch_pipes_due(const std::vector<std::unique_ptr<Job>>& running, boost::asio::io_context& io,
                       JobOutputTaker& taker, double now);

}  // namespace prockit
