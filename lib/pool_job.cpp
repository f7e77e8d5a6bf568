#include "pool_job.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>

#include <boost/asio/post.hpp>

#include "deadline.h"
#include "diag.h"
#include "fd.h"
#include "text.h"

namespace prockit {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;

int Job::status() const {
    return signal ? code(Exit::signal_base) + signal : timed_out ? 255 : exit_code;
}

JoblogRecord Job::record() const {
    JoblogRecord r;
    r.seq = seq();
    r.start = started_epoch;
    r.runtime = pid > 0 ? monotonic_seconds() - started : 0;
    r.sent = feed.sent;
    r.received = output.out.capture.size();
    // As GNU parallel logs them: -1 for a job ended by --timeout; a job
    // killed by a signal has Exitval 0 ($? >> 8) and the signal beside it.
    r.exitval = timed_out ? -1 : exit_code;
    r.signal = signal;
    r.command = command;
    return r;
}

std::unique_ptr<Job> Job::again() const {
    auto j = std::make_unique<Job>();
    j->input = input;
    j->log_seq = log_seq;
    j->command = command;
    j->output.tag = output.tag;
    j->feed.block = feed.block;  // a retried block is fed again
    j->feed.temp = feed.temp;
    j->feed.sent = feed.sent;
    // --cat's file is written once: one short of its block (a --pipepart
    // file that shrank) fails every attempt.
    j->feed.broken = feed.broken && !feed.block;
    j->attempt = attempt + 1;
    return j;
}

namespace {

constexpr size_t kChunk = 64 * 1024;

void read_pipe(Job& job, bool is_out, JobOutputTaker& taker);

void watch_pipe(Job& job, bool is_out, JobOutputTaker& taker) {
    (is_out ? job.out : job.err).fd->async_wait(Descriptor::wait_read, [&job, is_out, &taker](const boost::system::error_code& ec) {
        if (ec != asio::error::operation_aborted) read_pipe(job, is_out, taker);
    });
}

void close_pipe(Job& job, bool is_out, JobOutputTaker& taker) {
    (is_out ? job.out : job.err).fd.reset();
    taker.take(job, is_out, {}, true);  // --line-buffer: the last line, even without its newline
}

void read_pipe(Job& job, bool is_out, JobOutputTaker& taker) {
    JobPipe& p = is_out ? job.out : job.err;
    p.read_posted = false;
    if (!p.fd) return;
    char buf[kChunk];
    for (int chunks = 0;; ++chunks) {
        if (chunks == 16 && !job.exited) {
            // A job that writes without pause gets 1 MiB, then the others a turn.
            p.read_posted = true;
            asio::post(p.fd->get_executor(), [&job, is_out, &taker] { read_pipe(job, is_out, taker); });
            return;
        }
        // Once the job has exited, only what was in the pipe then.
        size_t want = job.exited ? std::min(sizeof buf, p.left) : sizeof buf;
        ssize_t n = want ? read_some(p.fd->native_handle(), buf, want) : 0;
        if (n < 0 && errno == EAGAIN && !job.exited) return watch_pipe(job, is_out, taker);  // dry: wait for the next edge
        if (n <= 0) return close_pipe(job, is_out, taker);
        if (job.exited) p.left -= static_cast<size_t>(n);
        taker.take(job, is_out, std::string_view(buf, static_cast<size_t>(n)), false);
    }
}

// A pipe nobody watched: what is in it, which a read of the blocking
// descriptor takes without waiting, however long a background process of
// the job keeps the other end.
void drain_idle(Job& job, bool is_out, JobOutputTaker& taker) {
    JobPipe& p = is_out ? job.out : job.err;
    char buf[kChunk];
    for (size_t left = bytes_unread(p.idle.get()); left > 0;) {
        ssize_t n = read_some(p.idle.get(), buf, std::min(sizeof buf, left));
        if (n <= 0) break;
        left -= static_cast<size_t>(n);
        taker.take(job, is_out, std::string_view(buf, static_cast<size_t>(n)), false);
    }
    p.idle.reset();
    taker.take(job, is_out, {}, true);
}

// All the job wrote before it exited is in its pipes by then: that much is
// read, and then the pipes are closed.
void drain_after_exit(Job& job, JobOutputTaker& taker) {
    for (bool is_out : {true, false}) {
        JobPipe& p = is_out ? job.out : job.err;
        if (p.idle) drain_idle(job, is_out, taker);
        if (!p.fd) continue;
        p.left = bytes_unread(p.fd->native_handle());
        if (!p.read_posted) read_pipe(job, is_out, taker);  // else the queued read does it
    }
}

// The loop reads each pipe dry, as an edge-triggered wait needs, so our
// read ends become non-blocking (the job's write ends stay blocking):
// asio makes them so itself (FIONBIO) at the first wait.
void watch_pipes(Job& job, boost::asio::io_context& io, JobOutputTaker& taker) {
    for (bool is_out : {true, false}) {
        JobPipe& p = is_out ? job.out : job.err;
        if (!p.idle) continue;
        p.fd.emplace(io, p.idle.release());
        watch_pipe(job, is_out, taker);
    }
}

// Jobs are heap objects that the pool lets go only once done(), that is,
// with no wait left pending on them: the handlers' references stay good.
void watch_exit(Job& job, EventLoop& loop, JobOutputTaker& taker) {
    loop.watch_child(job.pid, [&job, &taker](int st) {
        job.exited = true;
        if (st >= 0 && WIFEXITED(st)) job.exit_code = job.skipped ? -2 : WEXITSTATUS(st);
        if (st >= 0 && WIFSIGNALED(st)) job.signal = WTERMSIG(st);
        // As GNU parallel: a job that went without taking all of its block
        // fails as killed by SIGPIPE, unless it failed of itself.
        close_feed(job.feed);
        if (job.feed.broken && job.exit_code == 0 && job.signal == 0) job.signal = SIGPIPE;
        drain_after_exit(job, taker);
        if (st < 0) throw system_error(-st, "wait for job " + std::to_string(job.pid));
    });
}

}  // namespace

int start_job(Job& job, const JobLaunch& how, JobOutputTaker& taker, Sink& err) {
    SpawnSpec spec;
    spec.argv = how.cmd.argv(job.input);
    if (job_skipped(job.input)) {  // its Perl called skip(), or a --filter is false
        spec.argv = {"true"};
        job.skipped = true;
    }
    spec.env = how.env.for_job(job.seq(), job.input.slot);
    static const Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (how.null_stdin || job.feed.temp) spec.in = null_in.get();
    Pipe in;
    if (job.feed.into_stdin()) {
        in = make_feed_pipe(job.feed.block->size());
        spec.in = in.read.get();
    }
    Pipe out, errp;
    if (how.grouped) {
        out = make_pipe();
        errp = make_pipe();
        spec.out = out.write.get();
        spec.err = errp.write.get();
    }
    job.started = monotonic_seconds();
    job.started_epoch = WallTime::now().seconds();
    spec.pidfd = false;  // the loop reaps it (lib/pool_loop.h)
    Spawned s = spawn_job(spec);
    if (s.error == ENOEXEC) {
        // A script without #!: the shell runs it itself, so it takes the
        // shell's way (when the fast path skipped the shell).
        std::vector<std::string> by_shell = how.cmd.argv(job.input, true);
        if (by_shell != spec.argv) {
            spec.argv = std::move(by_shell);
            s = spawn_job(spec);
        }
    }
    if (s.error == EAGAIN) return EAGAIN;
    if (s.error) {
        // As a shell says it, with the conventional statuses.
        job.exited = true;
        job.exit_code = code(s.failure_status());
        err.write(std::string(program_name()) + ": " + escape_text(spec.argv[0]) + ": " + s.failure_reason() + "\n");
        return s.error;
    }
    job.pid = s.pid;
    watch_exit(job, how.loop, taker);
    if (job.feed.into_stdin()) {
        job.feed.reader = std::move(in.read);  // to see, when it exits, what it left (close_feed)
        job.feed.fd.emplace(how.loop.io(), in.write.release());
        pump_feed(job.feed);
    } else if (job.feed.block) {
        open_fifo(job.feed, how.loop.io());
    }
    if (how.grouped) {
        job.out.idle = std::move(out.read);
        job.err.idle = std::move(errp.read);
    }
    return 0;
}

double watch_pipes_due(const std::vector<std::unique_ptr<Job>>& running, boost::asio::io_context& io,
                       JobOutputTaker& taker, double now) {
    double next = -1;
    for (const auto& j : running) {
        if (j->exited || (!j->out.idle && !j->err.idle)) continue;
        double due = j->started + kWatchPipesAfter;
        if (due <= now) watch_pipes(*j, io, taker);
        else next = next < 0 ? due : std::min(next, due);
    }
    return next;
}

}  // namespace prockit
