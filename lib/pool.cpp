// The pool's scheduling: which job starts when, what happens when one
// finishes (retries, the joblog, --halt, its output), and how the run ends.
// The parts it drives are each in a file of their own: the loop
// (pool_loop.h), a job and its pipes (pool_job.h), ending jobs
// (pool_ending.h), output (job_output.h),
// the joblog (pool_joblog.h), the limits (pool_limits.h), --halt and
// --timeout (pool_rules.h), --bar (progress_bar.h), sources (job_sources.h).
#include "pool.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <exception>

#include "cpu_count.h"
#include "deadline.h"
#include "diag.h"
#include "job_batch.h"
#include "job_output.h"
#include "pool_blocks.h"
#include "pool_job.h"
#include "pool_joblog.h"
#include "pool_ending.h"
#include "job_templates.h"
#include "pool_limits.h"
#include "pool_loop.h"
#include "pool_rules.h"
#include "progress_bar.h"
#include "text.h"

namespace prockit {

namespace {

class Pool final : JobOutputTaker {
public:
    Pool(const CommandTemplate& cmd, JobSource& source, const PoolOptions& opt, const StopSignals& stop);
    int run();

private:
    unsigned processes_per_job() const { return cmd_.uses_shell() ? 2 : 1; }
    void start_jobs();
    std::unique_ptr<Job> next_job();
    JobSource::Next take_input(Job& job);
    void refeed_idle();
    long long total_jobs() const { return blocks_ ? -1 : batch_.total(); }
    void launch_or_wait(std::unique_ptr<Job> job);
    void take(Job& job, bool is_out, std::string_view data, bool last) override;
    void say_command(Job& job);
    // --delay: the next job may not start yet (none waits when the source
    // knows that no job is left: the run ends with its last job).
    bool delayed() const {
        long long total = total_jobs();
        return opt_.delay > 0 && last_start_ >= 0 && (total < 0 || static_cast<long long>(next_seq_ - 1) < total) &&
               monotonic_seconds() < last_start_ + opt_.delay;
    }
    void wait_and_handle();
    void list_running();
    void sweep_finished();
    void finish(std::unique_ptr<Job> job);
    void end_all() {
        ending_ = no_new_jobs_ = true;
        ender_.end_all(running_);
    }
    // Whether no job may start: a reader of our output gone (job_output.h) ends the jobs as SIGTERM.
    bool stopping() { if (output_.broken() && !ending_) end_all(); return no_new_jobs_; }
    void own_error(std::exception_ptr e = std::current_exception());
    void settle();
    void source_failed();
    void source_finished(const JobInput& in);

    EventLoop loop_;  // first, so that it outlives all that is registered with it
    const CommandTemplate& cmd_;
    JobSource& source_;
    JobBatch batch_;  // the source's records into jobs (-n, -m, -X, -s)
    std::unique_ptr<PoolBlocks> blocks_;  // --pipe, --pipepart: jobs from blocks instead
    const PoolOptions& opt_;
    const StopSignals& stop_;
    BarLine bar_line_;
    ProgressBar bar_{bar_line_, opt_.output.eta ? ProgressBar::Style::eta
                                : opt_.output.progress ? ProgressBar::Style::progress : ProgressBar::Style::bar};
    PoolOutput output_;
    ResumeLog resume_;   // read before the joblog is opened for writing
    JoblogWriter joblog_;
    // Jobs never see the redis password given to pool-run itself; each
    // sees its PARALLEL_SEQ and PARALLEL_JOBSLOT.
    JobEnvironment job_env_ = JobEnvironment({"PROCKIT_REDIS_PASSWORD"}, opt_.process_slot_var);
    // Jobs at a time: -j, cut to what the limits allow (pool_limits.h).
    unsigned slots_;
    std::vector<std::unique_ptr<Job>> running_;
    std::vector<unsigned> free_slots_;
    // Jobs the kernel refused a process (EAGAIN), to start again first.
    std::deque<std::unique_ptr<Job>> refused_;
    ProcessRoom room_;
    Tally tally_;
    HaltRule halt_;
    JobTimeout timeout_;
    JobEnder ender_;
    MemoryGuard memory_{opt_.memfree};  // --memfree: the youngest job ended when memory runs short
    double last_start_ = -1;            // when the last job started (--delay)
    unsigned long long next_seq_ = 1;
    bool source_ended_ = false, no_new_jobs_ = false, ending_ = false;
    int seen_signal_ = 0;
    std::exception_ptr own_error_, source_error_;
};

Pool::Pool(const CommandTemplate& cmd, JobSource& source, const PoolOptions& opt, const StopSignals& stop)
    : loop_(stop), cmd_(cmd), source_(source), batch_(source, opt.batch, cmd), opt_(opt), stop_(stop), bar_line_(opt.bar), output_(opt, stop, bar_line_, loop_.io()),
      resume_(opt), joblog_(opt), slots_(opt.jobs), halt_(opt.halt), timeout_(opt.timeout, opt.timeout_percent),
      ender_(opt, cmd, bar_line_) {
    if (!opt_.dry_run) {
        slots_ = fit_slots_to_descriptors(slots_, opt_);
        slots_ = fit_slots_to_processes(slots_, processes_per_job());
    }
    for (unsigned s = slots_; s >= 1; --s) free_slots_.push_back(s);
    if (opt_.pipe.mode != PipeOptions::Mode::none) blocks_ = std::make_unique<PoolBlocks>(opt_.pipe, STDIN_FILENO, slots_);
    bar_.start(count_cpus().threads, slots_);  // --progress: parallel's header
}

// An error of pool-run's own (out of descriptors, memory or disk) while
// jobs run stops it as SIGTERM does: no new jobs, the running ones ended
// and waited for; run() then reports the first such error.
int Pool::run() {
    for (;;) {
        try {
            if (!stopping()) start_jobs();
            if (running_.empty() && (no_new_jobs_ || (source_ended_ && refused_.empty()))) break;
            wait_and_handle();
        } catch (const std::exception&) {
            own_error();
            settle();
        }
    }
    bar_.draw(tally_.done, 0, total_jobs(), true);
    if (own_error_) std::rethrow_exception(own_error_);
    if (source_error_) std::rethrow_exception(source_error_);
    refused_.clear();  // never started: their --cat and --fifo files go now
    if (output_.broken()) die_of_signal(SIGPIPE);  // quietly, as cat
    if (seen_signal_ && seen_signal_ != SIGHUP) stop_.die_of_signal();
    return halt_.status(tally_);
}

void Pool::own_error(std::exception_ptr e) {
    if (!own_error_) own_error_ = e;
    no_new_jobs_ = true;
    // The jobs still running are about to be ended in the middle of their
    // output: what they wrote so far is not written, since a part of it
    // would run into the next job's output. Jobs that had exited are whole.
    for (auto& j : running_)
        if (!j->exited) j->output.cut = true;
    if (!ending_) end_all();
}

// After an exception left the loop in the middle of its ready handlers:
// runs the rest, so that none is left that refers to a job about to be
// swept, then sweeps.
void Pool::settle() {
    for (;;) {
        try {
            loop_.run_ready();
            sweep_finished();
            return;
        } catch (const std::exception&) {
            own_error();
        }
    }
}

// A source that fails (a queue server gone) starts no more jobs; the
// running ones finish, and then run() reports the failure.
void Pool::source_failed() {
    if (!source_error_) source_error_ = std::current_exception();
    no_new_jobs_ = true;
}

// Each record of the job's input, back to its source.
void Pool::source_finished(const JobInput& in) {
    for (const std::vector<std::string>& record : in.records) {
        if (source_error_) return;  // the source is gone: what it gave stays unacknowledged
        try {
            source_.finished(record);
        } catch (const Error&) {
            source_failed();
        }
    }
}

void Pool::start_jobs() {
    while (!stopping() && running_.size() < slots_) {  // first: a job started may have written (-v)
        std::unique_ptr<Job> job;
        if (!refused_.empty()) {
            if (running_.empty() && monotonic_seconds() < room_.retry_at()) return;
            job = std::move(refused_.front());
            refused_.pop_front();
        } else if (delayed() || !(job = next_job())) {
            return;
        }
        last_start_ = monotonic_seconds();
        launch_or_wait(std::move(job));
    }
}

// The next job to start, from the source; nullptr when it has none now.
// Jobs that --resume skips and --dry-run prints are done here.
std::unique_ptr<Job> Pool::next_job() {
    while (!source_ended_ && !stopping()) {  // --dry-run's output may have found no reader
        auto job = std::make_unique<Job>();
        // Its number and slot first: -m, -X and -s measure the line with them.
        job->input.seq = next_seq_;
        job->input.slot = free_slots_.back();
        JobSource::Next n;
        try {
            n = take_input(*job);
        } catch (const Error&) {
            source_failed();
            return nullptr;
        }
        if (n == JobSource::Next::end) source_ended_ = true;
        if (n != JobSource::Next::job) return nullptr;
        ++next_seq_;
        // {##} and {0#}: the number of jobs, when the source knows its records.
        if (long long total = total_jobs(); total >= 0) job->input.total = static_cast<unsigned long long>(total);
        job->log_seq = source_.joblog_seq();
        if (resume_.skip(cmd_, job->input, bar_line_)) {
            // Done in an earlier run (--resume), or done well (--resume-failed):
            // it keeps its place in the order, with nothing to write.
            output_.skipped(job->input.seq);
            source_finished(job->input);
            continue;
        }
        if (opt_.dry_run) {
            // Tagged as GNU parallel tags it (its dry run is a job that prints).
            std::string tag = opt_.output.tag ? opt_.output.tag->expand(job->input, false) + '\t' : "";
            output_.out().write(tag + cmd_.display(job->input) + "\n");
            if (opt_.output.verbose_stderr) output_.err().write(cmd_.display(job->input) + "\n");  // -t, as parallel
            source_finished(job->input);
            continue;
        }
        free_slots_.pop_back();
        if (joblog_.on()) job->command = cmd_.display(job->input);  // only the joblog shows it
        // --tag is --tagstring {}: several inputs joined by spaces, as GNU parallel joins them.
        if (opt_.output.tag) job->output.tag = opt_.output.tag->expand(job->input, false) + '\t';
        if (opt_.templates) opt_.templates->fill(job->input);  // --tmpl (lib/job_templates.h)
        return job;
    }
    return nullptr;
}

// The job's input: records of the source, or a block (--pipe, --pipepart).
JobSource::Next Pool::take_input(Job& job) { return blocks_ ? blocks_->take(job) : batch_.next(job.input, slots_); }

// --round-robin: blocks to the jobs whose pipes have room, once all -j run.
void Pool::refeed_idle() {
    if (!blocks_ || !blocks_->round_robin() || (running_.size() < slots_ && !no_new_jobs_ && !source_ended_)) return;
    try {
        blocks_->refeed(running_, !no_new_jobs_, source_ended_);
    } catch (const Error&) {
        source_failed();
        blocks_->refeed(running_, false, source_ended_);  // the jobs see the end of their input
    }
}

// Starts a job that holds a slot: it runs, fails at once (not found), or
// waits for the kernel to allow one more process.
void Pool::launch_or_wait(std::unique_ptr<Job> job) {
    job->output.seq = job->input.seq;  // -k --line-buffer: whose turn it is
    JobLaunch how{loop_, cmd_, job_env_, !opt_.ungroup, opt_.null_stdin};
    int error = start_job(*job, how, *this, output_.err());
    if (error != EAGAIN) say_command(*job);
    if (error == 0) {
        room_.started();
        running_.push_back(std::move(job));
    } else if (error == EAGAIN) {
        room_.refused(running_.size(), slots_, opt_.jobs, processes_per_job(), bar_line_);
        refused_.push_front(std::move(job));
    } else {
        free_slots_.push_back(job->input.slot);
        finish(std::move(job));
    }
}

void Pool::take(Job& job, bool is_out, std::string_view data, bool last) {
    if (auto e = output_.take(job.output, is_out, data, last)) own_error(e);
}

void Pool::wait_and_handle() {
    refeed_idle();  // before the wait: a job may be waiting for nothing else
    bool want_input = !no_new_jobs_ && !source_ended_ && refused_.empty() && running_.size() < slots_;
    if (blocks_ && !source_ended_ && blocks_->any_idle(running_)) want_input = true;
    // The source said "later": its descriptor is drained, so the next data is a new edge.
    if (int fd = !want_input ? -1 : blocks_ ? blocks_->poll_fd() : source_.poll_fd(); fd >= 0) loop_.watch_input(fd);

    const double limit = timeout_.limit();
    double now = monotonic_seconds(), wake = -1;
    auto sooner = [&](double t) { wake = wake < 0 ? t : std::min(wake, t); };
    for (auto& j : running_) {
        if (limit > 0 && !j->timed_out) sooner(JobTimeout::due(limit, j->started, j->started_epoch));
        if (j->kill_at > 0) sooner(j->kill_at);
    }
    if (want_input && source_.poll_ms() >= 0) sooner(now + source_.poll_ms() / 1000.0);
    if (!refused_.empty() && running_.empty()) sooner(room_.retry_at());
    if (want_input && delayed()) sooner(last_start_ + opt_.delay);
    if (bar_line_.on()) sooner(bar_.next_due());
    if (memory_.on() && !running_.empty()) sooner(memory_.next_check());
    if (double t = watch_pipes_due(running_, loop_.io(), *this, now); t >= 0) sooner(t);
    if (wake >= 0) loop_.wake_at(wake);

    loop_.run_once();
    refeed_idle();
    ender_.end_overdue(running_, timeout_.limit(), monotonic_seconds());
    if (memory_.on() && memory_.short_now(MemoryGuard::read_free(), monotonic_seconds()))
        if (Job* j = MemoryGuard::youngest(running_)) ender_.end(*j);
    if (int sig = stop_.received(); sig && sig != seen_signal_) {
        seen_signal_ = sig;
        no_new_jobs_ = true;
        if (sig != SIGHUP) end_all();
        else {  // let the running ones finish, saying so as GNU parallel does
            bar_line_.before_line();
            warn("SIGHUP received. No new jobs will be started.");
            warn("Waiting for these %zu jobs to finish. Send SIGTERM to stop now.", running_.size());
            list_running();
        }
    }
    if (loop_.take_requests(SIGUSR1)) list_running();
    if (loop_.take_requests(SIGUSR2)) bar_.toggle(count_cpus().threads, slots_);
    sweep_finished();
    if (bar_.due()) bar_.draw(tally_.done, static_cast<unsigned>(running_.size()), total_jobs(), false);
}

// SIGUSR1: the commands running now, one line each on stderr.
void Pool::list_running() {
    bar_line_.before_line();
    for (const auto& j : running_)
        if (!j->exited) warn("%s", escape_text(cmd_.display(j->input)).c_str());
}

void Pool::sweep_finished() {
    ender_.sweep(running_, [this](std::unique_ptr<Job> job) {
        free_slots_.push_back(job->input.slot);
        finish(std::move(job));
    });
}

void Pool::finish(std::unique_ptr<Job> job) {
    bool failed = job->failed();
    if (failed && job->attempt < opt_.retries && !stopping() && job->pid > 0) {
        // Again, with a fresh output: only the last attempt's is shown.
        auto again = job->again();
        free_slots_.erase(std::find(free_slots_.begin(), free_slots_.end(), again->input.slot));
        return launch_or_wait(std::move(again));
    }
    tally_.add(failed);
    if (opt_.templates) opt_.templates->done(job->input);  // --tmpl --cleanup
    if (!failed && timeout_.wants_runtimes() && job->pid > 0) timeout_.succeeded(monotonic_seconds() - job->started);
    // As GNU parallel, whose killall reaps none of the jobs it ends: a job
    // the run ended (a stop signal, --halt now), not --timeout, is not logged.
    bool logged = !(ending_ && job->term_step > 0 && !job->timed_out);
    if (logged && joblog_.to_stdout()) job->output.joblog_line = joblog_line(job->record());
    else if (logged) joblog_.write(job->record());
    source_finished(job->input);
    if (const char* what = halt_.says(failed)) {
        // As GNU parallel says it: two lines, the second the command.
        bar_line_.before_line();
        output_.err().write(std::string(program_name()) + ": This job " + what + ":\n" + cmd_.display(job->input) + "\n");
    }
    Halt::When halt = halt_.check(failed, job->status(), tally_, total_jobs());
    if (halt != Halt::When::never) no_new_jobs_ = true;
    if (halt == Halt::When::soon && !running_.empty())
        output_.err().write(std::string(program_name()) + ": Starting no more jobs. Waiting for " +
                            std::to_string(running_.size()) + " jobs to finish.\n");
    if (halt == Halt::When::now) end_all();
    if (output_.to_files()) {
        JoblogRecord r = job->record();
        if (r.command.empty()) r.command = cmd_.display(job->input);
        job->output.facts = std::make_unique<JobFacts>(JobFacts{std::move(r), job->input});
    }
    output_.finished(job->input.seq, job->output);
}

// -v: the command first in the job's output (grouped, tagged, in its
// --results file, as GNU parallel); -t: on stderr as it starts.
void Pool::say_command(Job& job) {
    if (!opt_.output.verbose && !opt_.output.verbose_stderr) return;
    std::string line = cmd_.display(job.input) + "\n";
    if (opt_.output.verbose_stderr) output_.err().write(line);
    if (!opt_.output.verbose) return;
    if (opt_.ungroup) output_.out().write(line);
    else take(job, true, line, false);
}

}  // namespace

int run_pool(const CommandTemplate& cmd, JobSource& source, const PoolOptions& opt, const StopSignals& stop) {
    SigpipeAsEpipe quiet;  // a reader gone: the jobs are ended first (Pool::stopping), then SIGPIPE
    return Pool(cmd, source, opt, stop).run();
}

}  // namespace prockit
