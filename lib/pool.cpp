#include "pool.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <fstream>
#include <map>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "deadline.h"
#include "diag.h"
#include "fd.h"
#include "joblog.h"
#include "launcher.h"
#include "text.h"

namespace prockit {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;

namespace {
constexpr size_t kInMemory = 256 * 1024;  // per stream of a job; beyond it, a file
constexpr size_t kChunk = 64 * 1024;

// --bar's line on standard error. Whatever else is written to that
// terminal (or file) -- a job's output, on stderr or on a stdout that is
// the same file -- first clears the bar, which is drawn again after it, on
// a line of its own: no line of a job is overwritten by the bar.
class BarLine {
public:
    explicit BarLine(bool on) : on_(on) {
        struct stat out{}, err{};
        shares_stdout_ = on && ::fstat(STDOUT_FILENO, &out) == 0 && ::fstat(STDERR_FILENO, &err) == 0 &&
                         out.st_dev == err.st_dev && out.st_ino == err.st_ino;
    }
    bool shown() const { return shown_; }
    void before_write(int fd) {
        if (!shown_ || !same_line(fd)) return;
        shown_ = false;
        put("\r\033[K");
    }
    void wrote(int fd, char last) {
        if (same_line(fd)) at_line_start_ = last == '\n';
    }
    // Before a line of pool-run's own on standard error (warn).
    void before_line() {
        before_write(STDERR_FILENO);
        wrote(STDERR_FILENO, '\n');
    }
    // `text` as the bar; the last one ends its line.
    void draw(const std::string& text, bool last) {
        put(std::string(shown_ || at_line_start_ ? "\r" : "\n") + text + "\033[K" + (last ? "\n" : ""));
        shown_ = !last;
        at_line_start_ = true;
    }

private:
    bool same_line(int fd) const { return on_ && (fd == STDERR_FILENO || shares_stdout_); }
    // The bar is decoration: a failed write of it is not an error of the run.
    static void put(std::string_view s) {
        ssize_t ignored = ::write(STDERR_FILENO, s.data(), s.size());
        (void)ignored;
    }

    bool on_, shares_stdout_ = false, shown_ = false, at_line_start_ = true;
};

// pool-run's own stdout or stderr. Writes let stop signals in; a reader
// that has gone away is remembered, so the pool ends its jobs before dying.
class Sink {
public:
    Sink(int fd, const StopSignals& stop, BarLine& bar) : fd_(fd), stop_(stop), bar_(bar) {}
    void write(std::string_view data) {
        if (data.empty()) return;
        bar_.before_write(fd_);
        bar_.wrote(fd_, data.back());
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
    BarLine& bar_;
    bool broken_ = false;
};

// Writes lines to a Sink, each prefixed with `tag` when there is one.
// `at_start` says whether the next byte starts a line; a caller that writes
// one line in several parts keeps it between them.
class Tagger {
public:
    Tagger(Sink& sink, const std::string& tag, bool* at_start = nullptr)
        : sink_(sink), tag_(tag), at_start_(at_start ? at_start : &own_) {}
    void write(std::string_view data) {
        if (tag_.empty()) return sink_.write(data);
        while (!data.empty()) {
            if (*at_start_) sink_.write(tag_);
            size_t nl = data.find('\n');
            size_t n = nl == std::string_view::npos ? data.size() : nl + 1;
            sink_.write(data.substr(0, n));
            *at_start_ = nl != std::string_view::npos;
            data.remove_prefix(n);
        }
    }

private:
    Sink& sink_;
    const std::string& tag_;
    bool own_ = true;
    bool* at_start_;
};

// One output stream of one job: in memory up to a bound, then in an
// unlinked temporary file, so a job printing gigabytes costs no memory.
class Capture {
public:
    void append(std::string_view data) {
        const char* p = data.data();
        size_t n = data.size();
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
    static std::string spill_dir() {
        const char* dir = std::getenv("TMPDIR");
        return dir && *dir ? dir : "/tmp";
    }
    static Fd open_spill() {
        std::string d = spill_dir();
        Fd fd(::open(d.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
        if (fd) return fd;
        std::string path = d + "/pool-run.XXXXXX";
        fd = Fd(::mkostemp(path.data(), O_CLOEXEC));
        if (!fd) throw system_error(errno, "make a temporary file in " + d);
        ::unlink(path.c_str());
        return fd;
    }
    void write_file(std::string_view data) {
        if (!write_all(spill_.get(), data)) throw system_error(errno, "write a temporary file in " + spill_dir());
    }

    std::string mem_;
    Fd spill_;
    uint64_t size_ = 0;
};

// One output stream (stdout or stderr) of a job.
struct Stream {
    std::optional<Descriptor> pipe;  // the read end, while open
    Capture capture;                 // grouped: all of it, until the job ends
    std::string partial;             // --line-buffer: an unfinished line, at most kInMemory
    bool at_line_start = true;       // --line-buffer --tag: the next byte starts a line
    bool read_posted = false;        // a read_pipe() for it is queued in the loop
    bool dropped = false;            // its output could not be kept (an error of ours)
    size_t left = 0;                 // once the job has exited: what is still to read
};

struct Job {
    JobInput input;
    unsigned long long log_seq = 0;  // its Seq in the joblog, when not input.seq
    std::string command, tag;
    unsigned attempt = 1;
    pid_t pid = -1;
    std::optional<JobProcess> process;  // its Boost.Process handle, detached once reaped
    Stream out, err;
    bool exited = false;
    int exit_code = 0, signal = 0;
    double started = 0, started_epoch = 0;
    bool timed_out = false;
    bool cut = false;    // ended by us on an error of ours: its output is not whole
    double kill_at = 0;  // when to send SIGKILL; 0: not yet asked to end

    // A job ended by --timeout failed, whatever status it then exited
    // with (a job that traps SIGTERM and exits 0 included), as in GNU
    // parallel: else --retries would not run it again, nor
    // --resume-failed, and the run would report success.
    bool failed() const { return exit_code != 0 || signal != 0 || timed_out; }
};

class Pool {
public:
    Pool(const CommandTemplate& cmd, JobSource& source, const PoolOptions& opt, const StopSignals& stop)
        : cmd_(cmd), source_(source), opt_(opt), stop_(stop), bar_(opt.bar), out_(STDOUT_FILENO, stop, bar_),
          err_(STDERR_FILENO, stop, bar_),
          slots_(opt.jobs) {
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
    bool skip_logged(const Job& job);
    void open_joblog();
    void fit_slots_to_descriptors();
    void fit_slots_to_processes();
    unsigned processes_per_job() const { return cmd_.uses_shell() ? 2 : 1; }
    void start_jobs();
    std::unique_ptr<Job> next_job();
    enum class Started { running, failed, refused };
    Started start(Job& job);
    void launch_or_wait(std::unique_ptr<Job> job);
    void wait_for_process_room(std::unique_ptr<Job> job);
    void own_error();
    void settle();
    void sweep_finished();
    void wait_and_handle();
    void watch_pipe(Job& job, bool is_out);
    void read_pipe(Job& job, bool is_out);
    void watch_exit(Job& job);
    void watch_stop_signals();
    void arm_timer(double wake);
    void finish(std::unique_ptr<Job> job);
    void release(Job& job);
    void release_ready();
    void deliver(Job& job, bool is_out, std::string_view data, bool last = false);
    void write_lines(Stream& s, bool is_out, const std::string& tag, std::string_view data, bool last);
    void close_stream(Job& job, bool is_out);
    void drain_after_exit(Job& job);
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
    BarLine bar_;
    Sink out_, err_;
    // Jobs never see the redis password given to pool-run itself.
    const Environment job_env_{{"PROCKIT_REDIS_PASSWORD"}};
    // Jobs at a time: -j, cut to what the descriptors allow, and cut again
    // to the jobs running when the kernel refused a new process.
    unsigned slots_;
    std::vector<std::unique_ptr<Job>> running_;
    std::vector<unsigned> free_slots_;
    // Jobs the kernel refused a process (EAGAIN), to start again first;
    // with none running, not before retry_at_.
    std::deque<std::unique_ptr<Job>> refused_;
    double retry_at_ = 0, retry_delay_ = 0, refused_since_ = 0;
    bool said_refused_ = false;
    std::exception_ptr own_error_;
    std::map<unsigned long long, std::unique_ptr<Job>> finished_;  // -k: waiting for their turn
    unsigned long long next_seq_ = 1, next_release_ = 1;
    bool source_ended_ = false, no_new_jobs_ = false, ending_ = false;
    int seen_signal_ = 0;
    // --resume, --resume-failed: what the joblog has of each Seq (the
    // command too, to tell when the jobs of this run are not the log's).
    std::map<uint64_t, JoblogJob> logged_;
    bool said_mismatch_ = false;
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

// An error of pool-run's own (out of descriptors, memory or disk) while
// jobs run stops it as SIGTERM does: no new jobs, the running ones ended
// and waited for; run() then reports the first such error.
int Pool::run() {
    if (opt_.resume || opt_.resume_failed) read_resume_log();
    if (!opt_.joblog.empty() && !opt_.dry_run) open_joblog();
    if (!opt_.dry_run) {
        fit_slots_to_descriptors();
        fit_slots_to_processes();
    }
    for (unsigned s = slots_; s >= 1; --s) free_slots_.push_back(s);
    for (;;) {
        try {
            if (!no_new_jobs_) start_jobs();
            if (running_.empty() && (no_new_jobs_ || (source_ended_ && refused_.empty()))) break;
            wait_and_handle();
        } catch (const std::exception&) {
            own_error();
            settle();
        }
    }
    draw_bar(true);
    if (own_error_) std::rethrow_exception(own_error_);
    if (source_error_) std::rethrow_exception(source_error_);
    if (out_.broken() || err_.broken()) exit_broken_pipe();
    if (seen_signal_ && seen_signal_ != SIGHUP) stop_.die_of_signal();
    return status();
}

void Pool::own_error() {
    if (!own_error_) own_error_ = std::current_exception();
    no_new_jobs_ = true;
    // The jobs still running are about to be ended in the middle of their
    // output: what they wrote so far is not written, since a part of it
    // would run into the next job's output. Jobs that had exited are whole.
    for (auto& j : running_)
        if (!j->exited) j->cut = true;
    if (!ending_) end_all(SIGTERM);
}

// After an exception left the loop in the middle of its ready handlers:
// runs the rest, so that none is left that refers to a job about to be
// swept, then sweeps.
void Pool::settle() {
    for (;;) {
        try {
            io_.restart();
            io_.poll();
            sweep_finished();
            return;
        } catch (const std::exception&) {
            own_error();
        }
    }
}

// Each running job holds up to five descriptors: its pidfd, the read ends
// of its two pipes, and a file for each stream whose output outgrows
// memory (three with --line-buffer, which keeps no file; one with -u).
// Starting one briefly needs two more (the job's ends of its pipes), and
// /dev/null and the input's duplicate are opened once, later. So that no
// job fails for want of one, -j is cut to what RLIMIT_NOFILE leaves after
// the descriptors already open and those, as GNU parallel does.
void Pool::fit_slots_to_descriptors() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return;
    long open = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (const dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') ++open;
        ::closedir(d);
        --open;  // the directory's own
    } else {
        open = 16;  // no /proc: a guess on the safe side
    }
    constexpr long kReserve = 2 + 1 + 1;  // a starting job's pipe ends, /dev/null, the input's duplicate
    long per_job = opt_.ungroup ? 1 : opt_.line_buffer ? 3 : 5;
    long room = static_cast<long>(std::min<rlim_t>(rl.rlim_cur, LONG_MAX / 2)) - open - kReserve;
    long fit = std::max(0L, room / per_job);
    if (fit >= static_cast<long>(slots_)) return;
    if (fit == 0)
        throw Error(Exit::failure, "not enough file descriptors to run a job (ulimit -n " +
                                       std::to_string(rl.rlim_cur) + ", " + std::to_string(open) + " open)");
    warn("-j %u: only enough file descriptors for %ld job%s at a time (ulimit -n %llu)", slots_, fit,
         fit == 1 ? "" : "s", static_cast<unsigned long long>(rl.rlim_cur));
    slots_ = static_cast<unsigned>(fit);
}

// A joblog that cannot be read is no log yet (GNU parallel's rule: a
// first run with --resume runs everything); one that is malformed stops
// the run before any job, naming the bad line.
void Pool::read_resume_log() {
    std::ifstream in(opt_.joblog, std::ios::binary);
    std::string line;
    try {
        for (uint64_t number = 1; std::getline(in, line); ++number)
            if (auto e = parse_joblog_line(line, number))
                logged_[e->seq] = JoblogJob{e->succeeded, std::string(e->command)};
    } catch (const Error& e) {
        throw Error(e.status(), std::string(opt_.resume ? "--resume " : "--resume-failed ") + opt_.joblog + ": " + e.what());
    }
}

void Pool::open_joblog() {
    bool append = opt_.resume || opt_.resume_failed || opt_.retry_failed;
    joblog_ = Fd(::open(opt_.joblog.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666));
    if (!joblog_) throw system_error(errno, "open joblog " + opt_.joblog);
    if (!append || ::lseek(joblog_.get(), 0, SEEK_END) == 0) {
        if (!write_all(joblog_.get(), joblog_header())) throw system_error(errno, "write joblog " + opt_.joblog);
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
    while (running_.size() < slots_ && !no_new_jobs_) {
        std::unique_ptr<Job> job;
        if (!refused_.empty()) {
            if (running_.empty() && monotonic_seconds() < retry_at_) return;
            job = std::move(refused_.front());
            refused_.pop_front();
        } else if (!(job = next_job())) {
            return;
        }
        launch_or_wait(std::move(job));
    }
}

// The next job to start, from the source; nullptr when it has none now.
// Jobs that --resume skips and --dry-run prints are done here.
std::unique_ptr<Job> Pool::next_job() {
    while (!source_ended_ && !no_new_jobs_) {
        std::vector<std::string> args;
        JobSource::Next n;
        try {
            n = source_.next(args);
        } catch (const Error&) {
            source_failed();
            return nullptr;
        }
        if (n == JobSource::Next::end) source_ended_ = true;
        if (n != JobSource::Next::job) return nullptr;
        auto job = std::make_unique<Job>();
        job->input.args = std::move(args);
        job->input.seq = next_seq_++;
        job->log_seq = source_.joblog_seq();
        if (skip_logged(*job)) {
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
            // Several inputs joined by spaces, as GNU parallel joins them.
            for (size_t i = 0; i < job->input.args.size(); ++i) job->tag += (i ? " " : "") + job->input.args[i];
            job->tag += '\t';
        }
        return job;
    }
    return nullptr;
}

// Whether a command of the joblog is the job's: the same command, or one
// that holds each of the job's inputs (as written, or quoted for the
// shell), since the command may have changed and the inputs not.
bool logged_as(const std::string& logged, const std::string& command, const JobInput& in) {
    if (logged == command) return true;
    for (const std::string& a : in.args) {
        std::string one = joblog_command(a);
        if (logged.find(one) == std::string::npos && logged.find(shell_quote(one)) == std::string::npos) return false;
    }
    return true;
}

// --resume, --resume-failed: whether the joblog has the job as done (or
// done well). Jobs are matched by Seq alone, as GNU parallel matches them,
// so that a changed command applies to the jobs not yet run; but when the
// inputs have changed since (a glob that matches other files), the log's
// Seqs are other jobs, and that is said once.
bool Pool::skip_logged(const Job& job) {
    auto logged = logged_.find(job.input.seq);
    if (logged == logged_.end()) return false;
    std::string command = said_mismatch_ ? "" : joblog_command(cmd_.display(job.input));
    if (!said_mismatch_ && !logged_as(logged->second.command, command, job.input)) {
        said_mismatch_ = true;
        bar_.before_line();
        warn("%s %s: the log's jobs no longer match the inputs (job %llu is now %s); they are matched by number, "
             "as in GNU parallel",
             opt_.resume ? "--resume" : "--resume-failed", opt_.joblog.c_str(), job.input.seq,
             shell_quote(command).c_str());
    }
    bool succeeded = logged->second.succeeded;
    logged_.erase(logged);  // needed no more
    return opt_.resume || succeeded;
}

// Starts a job that holds a slot: it runs, fails at once (not found), or
// waits for the kernel to allow one more process.
void Pool::launch_or_wait(std::unique_ptr<Job> job) {
    switch (start(*job)) {
        case Started::running:
            refused_since_ = 0;
            running_.push_back(std::move(job));
            break;
        case Started::failed:
            free_slots_.push_back(job->input.slot);
            finish(std::move(job));
            break;
        case Started::refused: wait_for_process_room(std::move(job)); break;
    }
}

// The processes of our real user, threads included, as RLIMIT_NPROC
// counts them; -1 if /proc cannot say.
long user_processes() {
    DIR* d = ::opendir("/proc");
    if (!d) return -1;
    long n = 0;
    while (const dirent* e = ::readdir(d)) {
        if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
        std::ifstream st(std::string("/proc/") + e->d_name + "/status");
        long threads = 1;
        bool ours = false;
        for (std::string line; std::getline(st, line);) {
            if (line.rfind("Uid:", 0) == 0) ours = std::strtoul(line.c_str() + 4, nullptr, 10) == ::getuid();
            if (line.rfind("Threads:", 0) == 0) threads = std::atol(line.c_str() + 8);
        }
        if (ours) n += threads;
    }
    ::closedir(d);
    return n;
}

// Each job is at least one process, a job under a shell usually two (the
// shell forks its commands). Under a finite RLIMIT_NPROC (ulimit -u),
// which counts every process of the user, -j is cut to the room that the
// processes already running leave, as GNU parallel does, so that no job
// fails for want of one. Root is not held to the limit. Processes that
// come later are wait_for_process_room()'s concern.
void Pool::fit_slots_to_processes() {
    rlimit rl{};
    if (::getuid() == 0 || ::getrlimit(RLIMIT_NPROC, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return;
    // The usual limit is far above what the whole system runs (the fourth
    // field of /proc/loadavg): then there is no need to count ours.
    std::ifstream loadavg("/proc/loadavg");
    double load;
    char slash;
    unsigned long running = 0, tasks = 0;
    if (loadavg >> load >> load >> load >> running >> slash >> tasks &&
        tasks + 2ULL * slots_ < static_cast<unsigned long long>(rl.rlim_cur))
        return;
    long used = user_processes();
    if (used < 0) return;
    long room = static_cast<long>(std::min<rlim_t>(rl.rlim_cur, LONG_MAX / 2)) - used;
    long fit = room / static_cast<long>(processes_per_job());
    // Less room than one job needs: a shell job would start and then fail
    // for want of the process it forks ("Cannot fork"), not pool-run.
    if (fit < 1)
        throw Error(Exit::failure, "not enough processes to run a job (ulimit -u " + std::to_string(rl.rlim_cur) +
                                       ", " + std::to_string(used) + " in use, a job needs " +
                                       std::to_string(processes_per_job()) + ")");
    if (fit >= static_cast<long>(slots_)) return;
    warn("-j %u: only enough processes for %ld job%s at a time (ulimit -u %llu, %ld in use)", slots_, fit,
         fit == 1 ? "" : "s", static_cast<unsigned long long>(rl.rlim_cur), used);
    slots_ = static_cast<unsigned>(fit);
}

// fork refused with EAGAIN: the user's process limit (ulimit -u) or the
// system's. With jobs running, the job waits for one of them to end, and
// the pool keeps to the number running from then on, as GNU parallel
// does (half that for jobs under a shell, which forks their commands),
// rather than fail jobs it could run later. With none running it is tried
// again after 10 ms, doubling to 1 s, for 3 s in all.
void Pool::wait_for_process_room(std::unique_ptr<Job> job) {
    double now = monotonic_seconds();
    if (!running_.empty()) {
        retry_delay_ = 0;
        refused_since_ = 0;
        if (running_.size() < slots_) {
            slots_ = std::max(1U, static_cast<unsigned>(running_.size()) / processes_per_job());
            if (!said_refused_) {
                bar_.before_line();
                warn("-j %u: the system refused a new process (%s): running at most %u job%s at a time", opt_.jobs,
                     reason(EAGAIN).c_str(), slots_, slots_ == 1 ? "" : "s");
            }
            said_refused_ = true;
        }
    } else {
        if (refused_since_ == 0) refused_since_ = now;
        if (now - refused_since_ >= 3)
            throw Error(Exit::failure, "cannot start a job: " + reason(EAGAIN) + ", with no job of ours running, for 3 s");
        retry_delay_ = retry_delay_ == 0 ? 0.01 : std::min(1.0, retry_delay_ * 2);
        retry_at_ = now + retry_delay_;
    }
    refused_.push_front(std::move(job));
}

// Starts the job's process.
Pool::Started Pool::start(Job& job) {
    SpawnSpec spec;
    spec.argv = cmd_.argv(job.input);
    spec.env = job_env_.pointers();
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
    if (s.error == EAGAIN) return Started::refused;
    if (s.error) {
        // As a shell says it, with the conventional statuses.
        job.exited = true;
        job.exit_code = s.error == ENOENT ? code(Exit::not_found) : code(Exit::cannot_run);
        std::string why = s.error == ENOENT ? "command not found" : reason(s.error);
        err_.write(std::string(program_name()) + ": " + escape_text(spec.argv[0]) + ": " + why + "\n");
        return Started::failed;
    }
    job.pid = s.pid;
    watch_exit(job);
    if (!opt_.ungroup) {
        job.out.pipe.emplace(io_, out.read.release());
        job.err.pipe.emplace(io_, err.read.release());
        watch_pipe(job, true);
        watch_pipe(job, false);
    }
    return Started::running;
}

// Jobs are heap objects that leave running_ only when their process is
// reaped and both pipes are closed with no read of them queued, that is,
// with no wait left pending on them: the handlers' references stay good.
void Pool::watch_exit(Job& job) {
    job.process->async_wait([this, &job](const boost::system::error_code& ec, int) {
        int st = job.process->native_exit_code();
        job.process->detach();
        job.exited = true;
        if (!ec && WIFEXITED(st)) job.exit_code = WEXITSTATUS(st);
        if (!ec && WIFSIGNALED(st)) job.signal = WTERMSIG(st);
        drain_after_exit(job);
        if (ec) throw system_error(ec.value(), "wait for job " + std::to_string(job.pid));
    });
}

// A job is finished when its process has exited, as in GNU parallel. All
// it wrote before is in its pipes by then: that much is read, and then
// the pipes are closed. A background process it left holding them is not
// waited for (pool-run(1) says what becomes of it), so it cannot keep the
// job, its slot and pool-run waiting, whatever --timeout says.
void Pool::drain_after_exit(Job& job) {
    for (bool is_out : {true, false}) {
        Stream& s = is_out ? job.out : job.err;
        if (!s.pipe) continue;
        int n = 0;
        s.left = ::ioctl(s.pipe->native_handle(), FIONREAD, &n) == 0 && n > 0 ? static_cast<size_t>(n) : 0;
        if (!s.read_posted) read_pipe(job, is_out);  // else the queued read does it
    }
}

void Pool::watch_pipe(Job& job, bool is_out) {
    (is_out ? job.out : job.err).pipe->async_wait(Descriptor::wait_read, [this, &job, is_out](const boost::system::error_code& ec) {
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
    bool want_input = !no_new_jobs_ && !source_ended_ && refused_.empty() && running_.size() < slots_;
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
    if (!refused_.empty() && running_.empty()) sooner(retry_at_);
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
            // As GNU parallel's warning: the job fails whatever it exits with.
            bar_.before_line();
            warn("job %llu timed out after %g s and was ended: %s", j->log_seq ? j->log_seq : j->input.seq, limit,
                 escape_text(cmd_.display(j->input)).c_str());
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

    sweep_finished();
    // Drawn again at once after output cleared it.
    if (opt_.bar && (monotonic_seconds() >= next_bar_ || !bar_.shown())) draw_bar(false);
}

// Jobs whose process has exited and whose pipes are closed are done.
void Pool::sweep_finished() {
    for (size_t i = 0; i < running_.size();) {
        Job& j = *running_[i];
        if (j.exited && !j.out.pipe && !j.err.pipe && !j.out.read_posted && !j.err.read_posted) {
            auto job = std::move(running_[i]);
            running_.erase(running_.begin() + static_cast<long>(i));
            free_slots_.push_back(job->input.slot);
            finish(std::move(job));
        } else {
            ++i;
        }
    }
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
    Stream& s = is_out ? job.out : job.err;
    s.read_posted = false;
    if (!s.pipe) return;
    char buf[kChunk];
    for (int chunks = 0;; ++chunks) {
        if (chunks == 16 && !job.exited) {
            // A job that writes without pause gets 1 MiB, then the others a turn.
            s.read_posted = true;
            asio::post(io_, [this, &job, is_out] { read_pipe(job, is_out); });
            return;
        }
        // Once the job has exited, only what was in the pipe then.
        size_t want = job.exited ? std::min(sizeof buf, s.left) : sizeof buf;
        ssize_t n = want ? read_some(s.pipe->native_handle(), buf, want) : 0;
        if (n < 0 && errno == EAGAIN && !job.exited) return watch_pipe(job, is_out);  // dry: wait for the next edge
        if (n <= 0) return close_stream(job, is_out);
        if (job.exited) s.left -= static_cast<size_t>(n);
        deliver(job, is_out, std::string_view(buf, static_cast<size_t>(n)));
    }
}

void Pool::close_stream(Job& job, bool is_out) {
    (is_out ? job.out : job.err).pipe.reset();
    if (opt_.line_buffer) deliver(job, is_out, {}, true);  // the last line, even without its newline
}

// Output of a job as it is read: kept until the job ends, or with
// --line-buffer written a line at a time. If it cannot be kept (no space
// for the file it waits in, no memory), the rest of this stream is read
// and dropped and the run ends as on SIGTERM, exiting 255.
void Pool::deliver(Job& job, bool is_out, std::string_view data, bool last) {
    Stream& s = is_out ? job.out : job.err;
    if (s.dropped) return;
    try {
        if (opt_.line_buffer) write_lines(s, is_out, job.tag, data, last);
        else s.capture.append(data);
    } catch (const std::exception&) {
        s.dropped = true;
        own_error();
    }
}

// --line-buffer: whole lines as they come, in time linear in the output.
// An unfinished line waits, up to kInMemory; a longer one is written in
// parts as it comes, so that memory stays bounded (other jobs' lines may
// then come between its parts).
void Pool::write_lines(Stream& s, bool is_out, const std::string& tag, std::string_view data, bool last) {
    Tagger t(is_out ? out_ : err_, tag, &s.at_line_start);
    size_t end = last ? data.size() : data.rfind('\n');
    if (end == std::string_view::npos) {
        s.partial.append(data);
        if (s.partial.size() < kInMemory) return;
        end = 0;
        data = {};
    } else if (!last) {
        ++end;  // the newline
    }
    if (!s.partial.empty()) t.write(s.partial);
    t.write(data.substr(0, end));
    s.partial.assign(data.substr(end));
}

void Pool::finish(std::unique_ptr<Job> job) {
    bool failed = job->failed();
    if (failed && job->attempt < opt_.retries && !no_new_jobs_ && job->pid > 0) {
        // Again, with a fresh output: only the last attempt's is shown.
        auto again = std::make_unique<Job>();
        again->input = job->input;
        again->log_seq = job->log_seq;
        again->command = job->command;
        again->tag = job->tag;
        again->attempt = job->attempt + 1;
        free_slots_.erase(std::find(free_slots_.begin(), free_slots_.end(), again->input.slot));
        launch_or_wait(std::move(again));
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
    if (opt_.ungroup || opt_.line_buffer || job.cut) return;
    // A stream that could not be kept whole is not written in part.
    Tagger o(out_, job.tag);
    if (!job.out.dropped) job.out.capture.emit(o);
    Tagger e(err_, job.tag);
    if (!job.err.dropped) job.err.capture.emit(e);
}

void Pool::log(const Job& job) {
    if (!joblog_) return;
    JoblogRecord r;
    r.seq = job.log_seq ? job.log_seq : job.input.seq;
    r.start = job.started_epoch;
    r.runtime = job.pid > 0 ? monotonic_seconds() - job.started : 0;
    r.received = job.out.capture.size();
    // -1 for a job killed by a signal or ended by --timeout, as GNU parallel logs them.
    r.exitval = job.signal || job.timed_out ? -1 : job.exit_code;
    r.signal = job.signal;
    r.command = job.command;
    if (!write_all(joblog_.get(), joblog_line(r))) throw system_error(errno, "write joblog " + opt_.joblog);
}

void Pool::check_halt(const Job& job) {
    const Halt& h = opt_.halt;
    if (h.when == Halt::When::never || halt_status_ >= 0) return;
    bool failed = job.failed();
    if (failed == h.on_success) return;
    double n = static_cast<double>(h.on_success ? succeeded_ : failed_);
    double limit = h.percent ? h.count / 100.0 * static_cast<double>(done_) : h.count;
    if (h.percent ? n < limit || done_ < 3 : n < limit) return;
    // A timed-out job that exited of itself has GNU parallel's Exitval -1: 255.
    halt_status_ = h.on_success ? 0
                   : job.signal  ? code(Exit::signal_base) + job.signal
                   : job.timed_out ? 255
                                   : job.exit_code;
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
        std::snprintf(line, sizeof line, "[%s] %3.0f%% %llu/%lld jobs  ETA %.0fs", bar, frac * 100, done_, total,
                      eta);
    } else {
        // Streaming input: no total to measure against.
        std::snprintf(line, sizeof line, "%llu jobs done  %.1f/s  %.0fs", done_,
                      secs > 0 ? static_cast<double>(done_) / secs : 0.0, secs);
    }
    bar_.draw(line, last);
}

int Pool::status() const {
    if (halt_status_ >= 0) return halt_status_;
    return failed_ > 100 ? 101 : static_cast<int>(failed_);
}

}  // namespace

int run_pool(const CommandTemplate& cmd, JobSource& source, const PoolOptions& opt, const StopSignals& stop) {
    return Pool(cmd, source, opt, stop).run();
}

}  // namespace prockit
