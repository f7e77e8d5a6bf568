#include "pool.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "deadline.h"
#include "diag.h"
#include "fd.h"
#include "launcher.h"
#include "text.h"

namespace prockit {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;

namespace {
constexpr size_t kInMemory = 256 * 1024;  // per stream of a job; beyond it, a file
constexpr size_t kChunk = 64 * 1024;

// pool-run's own stdout or stderr. Writes let stop signals in; a reader
// that has gone away is remembered, so the pool ends its jobs before dying.
class Sink {
public:
    Sink(int fd, const StopSignals& stop) : fd_(fd), stop_(stop) {}
    void write(std::string_view data) {
        while (!data.empty() && !broken_) {
            ssize_t n = stop_.let_in([&] { return ::write(fd_, data.data(), data.size()); });
            if (n >= 0) {
                data.remove_prefix(static_cast<size_t>(n));
            } else if (errno == EPIPE) {
                broken_ = true;
            } else if (errno != EINTR) {
                throw system_error(errno, fd_ == STDOUT_FILENO ? "write standard output" : "write standard error");
            } else if (stop_.received()) {
                return;
            }
        }
    }
    bool broken() const { return broken_; }

private:
    int fd_;
    const StopSignals& stop_;
    bool broken_ = false;
};

// Writes lines to a Sink, each prefixed with `tag` when there is one.
class Tagger {
public:
    Tagger(Sink& sink, const std::string& tag) : sink_(sink), tag_(tag) {}
    void write(std::string_view data) {
        if (tag_.empty()) return sink_.write(data);
        while (!data.empty()) {
            if (at_start_) sink_.write(tag_);
            size_t nl = data.find('\n');
            size_t n = nl == std::string_view::npos ? data.size() : nl + 1;
            sink_.write(data.substr(0, n));
            at_start_ = nl != std::string_view::npos;
            data.remove_prefix(n);
        }
    }

private:
    Sink& sink_;
    const std::string& tag_;
    bool at_start_ = true;
};

// One output stream of one job: in memory up to a bound, then in an
// unlinked temporary file, so a job printing gigabytes costs no memory.
class Capture {
public:
    void append(const char* p, size_t n) {
        size_ += n;
        if (!spill_ && mem_.size() + n <= kInMemory) {
            mem_.append(p, n);
            return;
        }
        if (!spill_) {
            spill_ = open_spill();
            write_file(mem_);
            mem_.clear();
            mem_.shrink_to_fit();
        }
        write_file(std::string_view(p, n));
    }
    uint64_t size() const { return size_; }
    void emit(Tagger& out) {
        if (!spill_) return out.write(mem_);
        std::vector<char> buf(kChunk);
        ::lseek(spill_.get(), 0, SEEK_SET);
        for (ssize_t n; (n = read_some(spill_.get(), buf.data(), buf.size())) > 0;)
            out.write(std::string_view(buf.data(), static_cast<size_t>(n)));
    }

private:
    static Fd open_spill() {
        const char* dir = std::getenv("TMPDIR");
        std::string d = dir && *dir ? dir : "/tmp";
        Fd fd(::open(d.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
        if (fd) return fd;
        std::string path = d + "/pool-run.XXXXXX";
        fd = Fd(::mkostemp(path.data(), O_CLOEXEC));
        if (!fd) throw system_error(errno, "make a temporary file in " + d);
        ::unlink(path.c_str());
        return fd;
    }
    void write_file(std::string_view data) {
        if (!write_all(spill_.get(), data)) throw system_error(errno, "write a temporary file");
    }

    std::string mem_;
    Fd spill_;
    uint64_t size_ = 0;
};

struct Job {
    JobInput input;
    std::string command, tag;
    unsigned attempt = 1;
    pid_t pid = -1;
    std::optional<JobProcess> process;     // its Boost.Process handle, detached once reaped
    std::optional<Descriptor> out, err;    // the read ends of its pipes, while open
    Capture cout, cerr;
    std::string partial_out, partial_err;  // --line-buffer: an unfinished line
    bool exited = false;
    int exit_code = 0, signal = 0;
    double started = 0, started_epoch = 0;
    bool timed_out = false;
    double kill_at = 0;  // when to send SIGKILL; 0: not yet asked to end
};

class Pool {
public:
    Pool(const CommandTemplate& cmd, JobSource& source, const PoolOptions& opt, const StopSignals& stop)
        : cmd_(cmd), source_(source), opt_(opt), stop_(stop), out_(STDOUT_FILENO, stop), err_(STDERR_FILENO, stop) {
        for (unsigned s = opt.jobs; s >= 1; --s) free_slots_.push_back(s);
        // The stop signals stay blocked; the signalfd says when one is pending.
        sigset_t set;
        sigemptyset(&set);
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
        int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (fd < 0) throw system_error(errno, "signalfd");
        signals_.emplace(io_, fd);
        watch_stop_signals();
    }

    int run();

private:
    void read_resume_log();
    void open_joblog();
    void start_jobs();
    bool start(Job& job);
    void wait_and_handle();
    void watch_pipe(Job& job, bool is_out);
    void read_pipe(Job& job, bool is_out);
    void watch_exit(Job& job);
    void watch_stop_signals();
    void arm_timer(double wake);
    void finish(std::unique_ptr<Job> job);
    void release(Job& job);
    void release_ready();
    void log(const Job& job);
    void check_halt(const Job& job);
    void end_all(int sig);
    void draw_bar(bool last);
    int status() const;
    double timeout() const;
    void source_failed();
    void source_finished(const std::vector<std::string>& args);

    // One asio loop waits for everything: each job's pidfd (through its
    // Boost.Process handle) and pipes, the input, the stop signals (a
    // signalfd) and one timer. Declared first, so that it outlives all
    // that is registered with it.
    asio::io_context io_{1};
    asio::steady_timer timer_{io_};
    bool timer_armed_ = false;
    double timer_at_ = 0;
    std::optional<Descriptor> input_, signals_;
    bool input_armed_ = false;

    const CommandTemplate& cmd_;
    JobSource& source_;
    const PoolOptions& opt_;
    const StopSignals& stop_;
    Sink out_, err_;
    std::vector<std::unique_ptr<Job>> running_;
    std::vector<unsigned> free_slots_;
    std::map<unsigned long long, std::unique_ptr<Job>> finished_;  // -k: waiting for their turn
    unsigned long long next_seq_ = 1, next_release_ = 1;
    bool source_ended_ = false, no_new_jobs_ = false, ending_ = false;
    int seen_signal_ = 0;
    std::map<unsigned long long, bool> logged_;  // seq -> succeeded, from --resume
    Fd joblog_;
    unsigned long long done_ = 0, failed_ = 0, succeeded_ = 0;
    int halt_status_ = -1;
    std::exception_ptr source_error_;
    double started_ = monotonic_seconds(), next_bar_ = 0;
    // --timeout N%: the runtimes of recent successful jobs, a bounded
    // window so that memory does not grow with the number of jobs.
    std::vector<double> runtimes_;
    size_t next_runtime_ = 0;
    double median_runtime_ = 0;
};

// The timeout in force: --timeout SECONDS, or N% of the median runtime of
// the jobs that succeeded, once three have (as GNU parallel, which has no
// timeout before its median means anything); 0 for none.
double Pool::timeout() const {
    if (opt_.timeout > 0) return opt_.timeout;
    if (opt_.timeout_percent > 0 && runtimes_.size() >= 3) return median_runtime_ * opt_.timeout_percent / 100;
    return 0;
}

int Pool::run() {
    if (opt_.resume || opt_.resume_failed) read_resume_log();
    if (!opt_.joblog.empty() && !opt_.dry_run) open_joblog();
    for (;;) {
        if (!no_new_jobs_) start_jobs();
        if (running_.empty() && (source_ended_ || no_new_jobs_)) break;
        wait_and_handle();
    }
    draw_bar(true);
    if (source_error_) std::rethrow_exception(source_error_);
    if (out_.broken() || err_.broken()) exit_broken_pipe();
    if (seen_signal_ && seen_signal_ != SIGHUP) stop_.die_of_signal();
    return status();
}

void Pool::read_resume_log() {
    std::ifstream in(opt_.joblog);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string seq, host, start, runtime, send, receive, exitval, sig;
        if (!(std::getline(f, seq, '\t') && std::getline(f, host, '\t') && std::getline(f, start, '\t') &&
              std::getline(f, runtime, '\t') && std::getline(f, send, '\t') && std::getline(f, receive, '\t') &&
              std::getline(f, exitval, '\t') && std::getline(f, sig, '\t')))
            continue;
        logged_[std::stoull(seq)] = exitval == "0" && sig == "0";
    }
}

void Pool::open_joblog() {
    bool append = opt_.resume || opt_.resume_failed;
    joblog_ = Fd(::open(opt_.joblog.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666));
    if (!joblog_) throw system_error(errno, "open joblog " + opt_.joblog);
    if (!append || ::lseek(joblog_.get(), 0, SEEK_END) == 0) {
        const char header[] = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";
        write_all(joblog_.get(), header);
    }
}

// A source that fails (a queue server gone) starts no more jobs; the
// running ones finish, and then run() reports the failure.
void Pool::source_failed() {
    if (!source_error_) source_error_ = std::current_exception();
    no_new_jobs_ = true;
}

void Pool::source_finished(const std::vector<std::string>& args) {
    if (source_error_) return;  // the source is gone: what it gave stays unacknowledged
    try {
        source_.finished(args);
    } catch (const Error&) {
        source_failed();
    }
}

void Pool::start_jobs() {
    while (running_.size() < opt_.jobs && !source_ended_ && !no_new_jobs_) {
        std::vector<std::string> args;
        JobSource::Next n;
        try {
            n = source_.next(args);
        } catch (const Error&) {
            source_failed();
            return;
        }
        if (n == JobSource::Next::end) source_ended_ = true;
        if (n != JobSource::Next::job) return;
        auto job = std::make_unique<Job>();
        job->input.args = std::move(args);
        job->input.seq = next_seq_++;
        auto logged = logged_.find(job->input.seq);
        if (logged != logged_.end() && (opt_.resume || logged->second)) {
            // Done in an earlier run (--resume), or done well (--resume-failed):
            // it keeps its place in the order, with nothing to write.
            if (opt_.keep_order) {
                finished_[job->input.seq] = nullptr;
                release_ready();
            }
            source_finished(job->input.args);
            continue;
        }
        job->input.slot = free_slots_.back();
        if (opt_.dry_run) {
            out_.write(cmd_.display(job->input) + "\n");
            source_finished(job->input.args);
            continue;
        }
        free_slots_.pop_back();
        if (joblog_) job->command = cmd_.display(job->input);  // only the joblog shows it
        if (opt_.tag) {
            for (size_t i = 0; i < job->input.args.size(); ++i) job->tag += (i ? "\t" : "") + job->input.args[i];
            job->tag += '\t';
        }
        if (start(*job)) {
            running_.push_back(std::move(job));
        } else {
            free_slots_.push_back(job->input.slot);
            finish(std::move(job));
        }
    }
}

// Starts the job's process; false if it could not be started at all.
bool Pool::start(Job& job) {
    SpawnSpec spec;
    spec.argv = cmd_.argv(job.input);
    static const Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (opt_.null_stdin) spec.in = null_in.get();
    Pipe out, err;
    if (!opt_.ungroup) {
        out = make_pipe();
        err = make_pipe();
        // Our read ends only (the job's write ends stay blocking): the loop
        // reads each pipe dry, as an edge-triggered wait needs.
        ::fcntl(out.read.get(), F_SETFL, O_NONBLOCK);
        ::fcntl(err.read.get(), F_SETFL, O_NONBLOCK);
        spec.out = out.write.get();
        spec.err = err.write.get();
    }
    job.started = monotonic_seconds();
    job.started_epoch = WallTime::now().seconds();
    Spawned s;
    job.process = launch(io_.get_executor(), spec, s);
    if (s.error) {
        // As a shell says it, with the conventional statuses.
        job.exited = true;
        job.exit_code = s.error == ENOENT ? code(Exit::not_found) : code(Exit::cannot_run);
        std::string why = s.error == ENOENT ? "command not found" : reason(s.error);
        err_.write(std::string(program_name()) + ": " + escape_text(spec.argv[0]) + ": " + why + "\n");
        return false;
    }
    job.pid = s.pid;
    watch_exit(job);
    if (!opt_.ungroup) {
        job.out.emplace(io_, out.read.release());
        job.err.emplace(io_, err.read.release());
        watch_pipe(job, true);
        watch_pipe(job, false);
    }
    return true;
}

// Jobs are heap objects that leave running_ only when their process is
// reaped and both pipes are closed, that is, with no wait left pending on
// them: the handlers' references stay good.
void Pool::watch_exit(Job& job) {
    job.process->async_wait([this, &job](const boost::system::error_code& ec, int) {
        int st = job.process->native_exit_code();
        job.process->detach();
        job.exited = true;
        if (ec) throw system_error(ec.value(), "wait for job " + std::to_string(job.pid));
        if (WIFEXITED(st)) job.exit_code = WEXITSTATUS(st);
        if (WIFSIGNALED(st)) job.signal = WTERMSIG(st);
    });
}

void Pool::watch_pipe(Job& job, bool is_out) {
    (is_out ? job.out : job.err)->async_wait(Descriptor::wait_read, [this, &job, is_out](const boost::system::error_code& ec) {
        if (ec != asio::error::operation_aborted) read_pipe(job, is_out);
    });
}

void Pool::watch_stop_signals() {
    signals_->async_wait(Descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;
        signalfd_siginfo info;
        while (::read(signals_->native_handle(), &info, sizeof info) == sizeof info)
            stop_.note(static_cast<int>(info.ssi_signo));
        watch_stop_signals();
    });
}

// One timer for the nearest of the timeouts, the SIGKILLs after a grace,
// the source's next look and the bar. It is set again only when the wake
// comes sooner, since each setting cancels a wait, and a wake that comes
// too early only costs one more look.
void Pool::arm_timer(double wake) {
    if (timer_armed_ && timer_at_ <= wake) return;
    timer_armed_ = true;
    timer_at_ = wake;
    timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::max(0.0, wake - monotonic_seconds()))));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec != asio::error::operation_aborted) timer_armed_ = false;
    });
}

void Pool::wait_and_handle() {
    bool want_input = !no_new_jobs_ && !source_ended_ && running_.size() < opt_.jobs;
    int input_fd = want_input ? source_.poll_fd() : -1;
    if (input_fd >= 0 && !input_armed_) {
        // The source said "later": its descriptor is drained, so the next
        // data is a new edge. Ours is a duplicate, closed with the loop.
        if (!input_) input_.emplace(io_, ::fcntl(input_fd, F_DUPFD_CLOEXEC, 0));
        input_armed_ = true;
        input_->async_wait(Descriptor::wait_read, [this](const boost::system::error_code&) { input_armed_ = false; });
    }

    const double limit = timeout();
    double now = monotonic_seconds(), wake = -1;
    auto sooner = [&](double t) { wake = wake < 0 ? t : std::min(wake, t); };
    for (auto& j : running_) {
        if (limit > 0 && !j->timed_out) sooner(j->started + limit);
        if (j->kill_at > 0) sooner(j->kill_at);
    }
    if (want_input && source_.poll_ms() >= 0) sooner(now + source_.poll_ms() / 1000.0);
    if (opt_.bar) sooner(next_bar_);
    if (wake >= 0) arm_timer(wake);

    // At least one event, then every other one that is ready.
    io_.restart();
    io_.run_one();
    io_.poll();

    now = monotonic_seconds();
    for (auto& j : running_) {
        if (limit > 0 && !j->timed_out && now >= j->started + limit) {
            // Over time: the whole process group, TERM first, KILL after the grace.
            j->timed_out = true;
            ::kill(-j->pid, SIGTERM);
            j->kill_at = now + opt_.term_grace;
        } else if (j->kill_at > 0 && now >= j->kill_at) {
            ::kill(-j->pid, SIGKILL);
            j->kill_at = now + 3600;
        }
    }

    if (int sig = stop_.received(); sig && sig != seen_signal_) {
        seen_signal_ = sig;
        no_new_jobs_ = true;
        if (sig != SIGHUP) end_all(SIGTERM);  // SIGHUP: let the running ones finish
    }
    if ((out_.broken() || err_.broken()) && !ending_) {
        no_new_jobs_ = true;
        end_all(SIGTERM);
    }

    // Jobs whose process has exited and whose pipes are closed are done.
    for (size_t i = 0; i < running_.size();) {
        Job& j = *running_[i];
        if (j.exited && !j.out && !j.err) {
            auto job = std::move(running_[i]);
            running_.erase(running_.begin() + static_cast<long>(i));
            free_slots_.push_back(job->input.slot);
            finish(std::move(job));
        } else {
            ++i;
        }
    }
    if (opt_.bar && monotonic_seconds() >= next_bar_) draw_bar(false);
}

void Pool::end_all(int sig) {
    ending_ = true;
    double at = monotonic_seconds() + opt_.term_grace;
    for (auto& j : running_) {
        ::kill(-j->pid, sig);
        if (j->kill_at == 0 || j->kill_at > at) j->kill_at = at;
    }
}

void Pool::read_pipe(Job& job, bool is_out) {
    std::optional<Descriptor>& pipe = is_out ? job.out : job.err;
    char buf[kChunk];
    for (int chunks = 0;; ++chunks) {
        if (chunks == 16) {
            // A job that writes without pause gets 1 MiB, then the others a turn.
            asio::post(io_, [this, &job, is_out] { read_pipe(job, is_out); });
            return;
        }
        ssize_t n = read_some(pipe->native_handle(), buf, sizeof buf);
        if (n < 0 && errno == EAGAIN) return watch_pipe(job, is_out);  // dry: wait for the next edge
        if (n <= 0) {
            pipe.reset();
            if (opt_.line_buffer) {
                // The last line, even without its newline, once the job closed it.
                std::string& partial = is_out ? job.partial_out : job.partial_err;
                Tagger t(is_out ? out_ : err_, job.tag);
                t.write(partial);
                partial.clear();
            }
            return;
        }
        if (!opt_.line_buffer) {
            (is_out ? job.cout : job.cerr).append(buf, static_cast<size_t>(n));
            continue;
        }
        // --line-buffer: whole lines as they come, never a torn one.
        std::string& partial = is_out ? job.partial_out : job.partial_err;
        partial.append(buf, static_cast<size_t>(n));
        size_t last = partial.rfind('\n');
        if (last == std::string::npos) continue;
        Tagger t(is_out ? out_ : err_, job.tag);
        t.write(std::string_view(partial).substr(0, last + 1));
        partial.erase(0, last + 1);
    }
}

void Pool::finish(std::unique_ptr<Job> job) {
    bool failed = job->exit_code != 0 || job->signal != 0;
    if (failed && job->attempt < opt_.retries && !no_new_jobs_ && job->pid > 0) {
        // Again, with a fresh output: only the last attempt's is shown.
        auto again = std::make_unique<Job>();
        again->input = job->input;
        again->command = job->command;
        again->tag = job->tag;
        again->attempt = job->attempt + 1;
        free_slots_.erase(std::find(free_slots_.begin(), free_slots_.end(), again->input.slot));
        if (start(*again)) {
            running_.push_back(std::move(again));
        } else {
            free_slots_.push_back(again->input.slot);
            finish(std::move(again));
        }
        return;
    }
    ++done_;
    (failed ? failed_ : succeeded_) += 1;
    if (!failed && opt_.timeout_percent > 0 && job->pid > 0) {
        constexpr size_t kWindow = 999;
        double runtime = monotonic_seconds() - job->started;
        if (runtimes_.size() < kWindow) runtimes_.push_back(runtime);
        else runtimes_[next_runtime_++ % kWindow] = runtime;
        std::vector<double> sorted = runtimes_;
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
        median_runtime_ = sorted[sorted.size() / 2];
    }
    log(*job);
    source_finished(job->input.args);
    check_halt(*job);
    if (!opt_.keep_order) return release(*job);
    unsigned long long seq = job->input.seq;
    finished_[seq] = std::move(job);
    release_ready();
}

// -k: writes the finished jobs whose turn it is.
void Pool::release_ready() {
    for (auto it = finished_.find(next_release_); it != finished_.end(); it = finished_.find(next_release_)) {
        if (it->second) release(*it->second);
        finished_.erase(it);
        ++next_release_;
    }
}

// Writes a finished job's output: stdout as one block, then stderr.
void Pool::release(Job& job) {
    if (opt_.ungroup || opt_.line_buffer) return;
    Tagger o(out_, job.tag);
    job.cout.emit(o);
    Tagger e(err_, job.tag);
    job.cerr.emit(e);
}

void Pool::log(const Job& job) {
    if (!joblog_) return;
    char head[160];
    double runtime = job.pid > 0 ? monotonic_seconds() - job.started : 0;
    std::snprintf(head, sizeof head, "%llu\t:\t%.3f\t%8.3f\t0\t%llu\t%d\t%d\t", job.input.seq, job.started_epoch,
                  runtime, static_cast<unsigned long long>(job.cout.size()), job.signal ? -1 : job.exit_code,
                  job.signal);
    std::string line = head + job.command;
    std::replace(line.begin(), line.end(), '\n', ' ');
    write_all(joblog_.get(), line + "\n");
}

void Pool::check_halt(const Job& job) {
    const Halt& h = opt_.halt;
    if (h.when == Halt::When::never || halt_status_ >= 0) return;
    bool failed = job.exit_code != 0 || job.signal != 0;
    if (failed == h.on_success) return;
    double n = static_cast<double>(h.on_success ? succeeded_ : failed_);
    double limit = h.percent ? h.count / 100.0 * static_cast<double>(done_) : h.count;
    if (h.percent ? n < limit || done_ < 3 : n < limit) return;
    halt_status_ = h.on_success ? 0 : job.signal ? code(Exit::signal_base) + job.signal : job.exit_code;
    no_new_jobs_ = true;
    if (h.when == Halt::When::now) end_all(SIGTERM);
}

void Pool::draw_bar(bool last) {
    if (!opt_.bar) return;
    next_bar_ = monotonic_seconds() + 0.25;
    double secs = monotonic_seconds() - started_;
    long long total = source_.total();
    char line[160];
    if (total > 0) {
        // [#########-----------]  45% 450/1000 jobs  ETA 12s
        double frac = std::min(1.0, static_cast<double>(done_) / static_cast<double>(total));
        double eta = done_ ? secs / static_cast<double>(done_) * static_cast<double>(total - static_cast<long long>(done_)) : 0;
        char bar[21];
        int filled = static_cast<int>(frac * 20);
        for (int i = 0; i < 20; ++i) bar[i] = i < filled ? '#' : '-';
        bar[20] = '\0';
        std::snprintf(line, sizeof line, "\r[%s] %3.0f%% %llu/%lld jobs  ETA %.0fs\033[K", bar, frac * 100, done_, total,
                      eta);
    } else {
        // Streaming input: no total to measure against.
        std::snprintf(line, sizeof line, "\r%llu jobs done  %.1f/s  %.0fs\033[K", done_,
                      secs > 0 ? static_cast<double>(done_) / secs : 0.0, secs);
    }
    std::string s = line;
    if (last) s += "\n";
    ssize_t ignored = ::write(STDERR_FILENO, s.data(), s.size());
    (void)ignored;
}

int Pool::status() const {
    if (halt_status_ >= 0) return halt_status_;
    return failed_ > 100 ? 101 : static_cast<int>(failed_);
}

// --- sources ---------------------------------------------------------------

class RecordsSource final : public JobSource {
public:
    RecordsSource(int fd, char delim) : fd_(fd), delim_(delim) {}
    Next next(std::vector<std::string>& args) override {
        for (;;) {
            size_t at = buf_.find(delim_, scanned_);
            if (at != std::string::npos) {
                args.assign(1, buf_.substr(0, at));
                buf_.erase(0, at + 1);
                scanned_ = 0;
                return Next::job;
            }
            scanned_ = buf_.size();
            if (eof_) {
                if (buf_.empty()) return Next::end;
                args.assign(1, std::move(buf_));
                buf_.clear();
                return Next::job;
            }
            // Read only when poll said so (or the input is a file): never block here.
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 0) == 0) return Next::later;
            char chunk[kChunk];
            ssize_t n = read_some(fd_, chunk, sizeof chunk);
            if (n < 0) throw system_error(errno, "read the input");
            if (n == 0) eof_ = true;
            buf_.append(chunk, static_cast<size_t>(n));
        }
    }
    int poll_fd() const override { return fd_; }

private:
    int fd_;
    char delim_;
    std::string buf_;
    size_t scanned_ = 0;
    bool eof_ = false;
};

class ProductSource final : public JobSource {
public:
    explicit ProductSource(std::vector<std::vector<std::string>> groups) : groups_(std::move(groups)), at_(groups_.size()) {
        total_ = 1;
        for (auto& g : groups_) total_ *= static_cast<long long>(g.size());
        if (groups_.empty()) total_ = 0;
    }
    Next next(std::vector<std::string>& args) override {
        if (given_ >= total_) return Next::end;
        args.clear();
        for (size_t i = 0; i < groups_.size(); ++i) args.push_back(groups_[i][at_[i]]);
        // The last group varies fastest, as in GNU parallel.
        for (size_t i = groups_.size(); i-- > 0;) {
            if (++at_[i] < groups_[i].size()) break;
            at_[i] = 0;
        }
        ++given_;
        return Next::job;
    }
    long long total() const override { return total_; }

private:
    std::vector<std::vector<std::string>> groups_;
    std::vector<size_t> at_;
    long long total_, given_ = 0;
};

class QueueSource final : public JobSource {
public:
    QueueSource(std::unique_ptr<Queue> q, double idle_s)
        : q_(std::move(q)), idle_s_(idle_s), buf_(q_->max_message()),
          recovers_(q_->endpoint().kind == EndpointKind::redis) {}
    Next next(std::vector<std::string>& args) override {
        try {
            return take(args);
        } catch (const Error& e) {
            throw Error(e.status(), "--from " + q_->endpoint().str() + ": " + e.what());
        }
    }
    int poll_ms() const override { return 10; }
    // The job made from a message finished: the message's task is done.
    void finished(const std::vector<std::string>& args) override {
        try {
            q_->done_with(args.at(0));
        } catch (const Error& e) {
            throw Error(e.status(), "--from " + q_->endpoint().str() + ": " + e.what());
        }
    }

private:
    Next take(std::vector<std::string>& args) {
        if (ended_) return Next::end;
        size_t len = 0;
        unsigned prio = 0;
        if (!q_->try_receive(buf_.data(), len, prio)) {
            double now = monotonic_seconds();
            if (recovers_ && now >= next_recover_) {
                // Idle: take back what dead consumers of this machine left
                // unfinished (a worker killed with SIGKILL), to run it here.
                next_recover_ = now + 1;
                for (const Recovered& r : q_->recover(0))
                    warn("--from %s: recovered %llu unfinished messages of consumer %s (%s)",
                         q_->endpoint().str().c_str(), static_cast<unsigned long long>(r.messages),
                         r.consumer.c_str(), r.why.c_str());
            }
            if (idle_s_ > 0 && now - last_ >= idle_s_) return Next::end;
            return Next::later;
        }
        last_ = monotonic_seconds();
        if (is_end_of_stream(buf_.data(), len)) {
            ended_ = true;
            return Next::end;
        }
        args.assign(1, std::string(buf_.data(), len));
        return Next::job;
    }

    std::unique_ptr<Queue> q_;
    double idle_s_;
    std::vector<char> buf_;
    double last_ = monotonic_seconds();
    bool ended_ = false;
    bool recovers_;
    double next_recover_ = 0;
};

}  // namespace

std::unique_ptr<JobSource> records_source(int fd, char delim) { return std::make_unique<RecordsSource>(fd, delim); }
std::unique_ptr<JobSource> product_source(std::vector<std::vector<std::string>> groups) {
    return std::make_unique<ProductSource>(std::move(groups));
}
std::unique_ptr<JobSource> queue_source(std::unique_ptr<Queue> q, double idle_s) {
    return std::make_unique<QueueSource>(std::move(q), idle_s);
}

int run_pool(const CommandTemplate& cmd, JobSource& source, const PoolOptions& opt, const StopSignals& stop) {
    return Pool(cmd, source, opt, stop).run();
}

}  // namespace prockit
