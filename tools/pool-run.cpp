// pool-run: run a command once per input, N at a time.
//
// Inputs come from stdin (a line or -0 record each), -a files, ::: groups
// (their cross product) or a queue (--from). The job's command line is built
// with GNU parallel's replacement strings (lib/command_template.h) and run
// by the pool (lib/pool.h): posix_spawn into a process group of its own,
// each job a Boost.Process v2 handle (lib/launcher.h), one asio loop over
// their pidfds, output pipes, the input and the timers. Exit status as GNU
// parallel's, so scripts port unchanged.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "command_template.h"
#include "diag.h"
#include "endpoint.h"
#include "fd.h"
#include "options.h"
#include "parse.h"
#include "pool.h"
#include "queue.h"
#include "queue_factory.h"
#include "signals.h"
#include "version.h"

using namespace prockit;

namespace {

enum class Bar { off, on_terminal, always };

const char kUsage[] =
    "usage: pool-run [-j N | -j N%] [-0] [-a FILE] ... [-k] [--line-buffer | -u] [--tag] [--timeout SECONDS]\n"
    "                [--retries N] [--halt WHEN,fail=N | WHEN,success=N] [--term-grace SECONDS]\n"
    "                [--joblog FILE [--resume | --resume-failed | --retry-failed]] [--dry-run] [--bar[=always]]\n"
    "                [--shell | --no-shell] [--from QUEUE [--idle SECONDS]] [--] [COMMAND [ARG...]]\n"
    "                [::: ARG... [::: ARG...]] [:::: FILE...]\n";

const char kHelp[] =
    "\n"
    ":::: FILE... gives the lines of each FILE as one more group of arguments ('-': stdin);\n"
    "an empty group runs nothing.\n"
    "Replacement strings: {} the input, {.} without extension, {/} basename, {//} dirname,\n"
    "{/.} basename without extension, {#} job number, {%} slot (1..N), {N} the Nth input.\n"
    "Without one, the input is the last argument. COMMAND given as one word with spaces or\n"
    "shell syntax runs under /bin/sh -c, the inputs quoted; as separate words, directly.\n"
    "\n"
    "  -j N, -j N%      jobs at once: N, N% of the cores, 0 as many as 250 (default: cores)\n"
    "  -0               input records end in NUL           -a FILE  read inputs from FILE ('-': stdin)\n"
    "  -k               output in input order              -u       output not grouped\n"
    "  --line-buffer    whole lines as they come           --tag    each line after its inputs and a tab\n"
    "  --timeout S      end a job after S seconds (TERM, KILL after --term-grace, default 1);\n"
    "                   S% is that percentage of the median runtime of successful jobs\n"
    "  --retries N      run a failing job up to N times    --halt   now|soon,fail|success=N|N%\n"
    "  --joblog FILE    GNU parallel's joblog; --resume skips logged jobs, --resume-failed reruns failures,\n"
    "                   --retry-failed reruns the failed commands of the log, ignoring COMMAND and inputs\n"
    "  --dry-run        print the commands\n"
    "  --bar            progress on stderr when it is a terminal; --bar=always: whatever it is\n"
    "  --from QUEUE     inputs from a shq queue, each marked done after its job; stops at the\n"
    "                   end-of-stream marker or after --idle SECONDS without a message\n"
    "\n"
    "Exit status: 0 all jobs succeeded; 1-100 the number that failed; 101 more than 100;\n"
    "with --halt, the status of the job that halted it; 128+N killed by signal N;\n"
    "255 pool-run's own errors, usage errors and output that cannot be written included.\n";

enum Long {
    kLineBuffer = 1000, kTag, kTimeout, kRetries, kHalt, kTermGrace, kJoblog, kResume, kResumeFailed,
    kRetryFailed, kDryRun, kBar, kShell, kNoShell, kFrom, kIdle, kVersion
};
const option kLongOptions[] = {
    {"line-buffer", no_argument, nullptr, kLineBuffer}, {"tag", no_argument, nullptr, kTag},
    {"timeout", required_argument, nullptr, kTimeout},  {"retries", required_argument, nullptr, kRetries},
    {"halt", required_argument, nullptr, kHalt},        {"term-grace", required_argument, nullptr, kTermGrace},
    {"joblog", required_argument, nullptr, kJoblog},    {"resume", no_argument, nullptr, kResume},
    {"resume-failed", no_argument, nullptr, kResumeFailed}, {"dry-run", no_argument, nullptr, kDryRun},
    {"retry-failed", no_argument, nullptr, kRetryFailed},
    {"bar", optional_argument, nullptr, kBar},                {"shell", no_argument, nullptr, kShell},
    {"no-shell", no_argument, nullptr, kNoShell},       {"from", required_argument, nullptr, kFrom},
    {"idle", required_argument, nullptr, kIdle},        {"version", no_argument, nullptr, kVersion},
    {"keep-order", no_argument, nullptr, 'k'},          {"ungroup", no_argument, nullptr, 'u'},
    {"jobs", required_argument, nullptr, 'j'},          {"null", no_argument, nullptr, '0'},
    {"arg-file", required_argument, nullptr, 'a'},
    {}};

unsigned parse_jobs(const char* text) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    std::string t = text;
    if (!t.empty() && t.back() == '%') {
        t.pop_back();
        uint64_t pct = parse_count(t.c_str(), "percentage of cores", 1, 10000);
        return static_cast<unsigned>(std::max<uint64_t>(1, static_cast<uint64_t>(cores) * pct / 100));
    }
    uint64_t n = parse_count(text, "number of jobs", 0, 100000);
    return n == 0 ? 250 : static_cast<unsigned>(n);  // 0: 250, cut at start to what the limits allow
}

Halt parse_halt(const char* text) {
    Halt h;
    std::string t = text;
    if (t == "never" || t == "0") return h;
    if (t == "1") return Halt{Halt::When::soon, false, 1, false};
    if (t == "2") return Halt{Halt::When::now, false, 1, false};
    size_t comma = t.find(','), eq = t.find('=');
    if (comma == std::string::npos || eq == std::string::npos || eq < comma)
        throw Error(Exit::usage, "invalid halt '" + t + "': expected now|soon,fail|success=N or N%, such as now,fail=1");
    std::string when = t.substr(0, comma), what = t.substr(comma + 1, eq - comma - 1), n = t.substr(eq + 1);
    if ((when != "now" && when != "soon") || (what != "fail" && what != "success"))
        throw Error(Exit::usage, "invalid halt '" + t + "': expected now|soon,fail|success=N or N%, such as now,fail=1");
    h.when = when == "now" ? Halt::When::now : Halt::When::soon;
    h.on_success = what == "success";
    if (!n.empty() && n.back() == '%') {
        h.percent = true;
        n.pop_back();
    }
    h.count = static_cast<double>(parse_count(n.c_str(), "halt count", 1, h.percent ? 100 : UINT64_MAX));
    return h;
}

// --timeout SECONDS, or N% of the median runtime of successful jobs.
void parse_timeout(const char* text, PoolOptions& opt) {
    std::string t = text;
    if (!t.empty() && t.back() == '%') {
        t.pop_back();
        opt.timeout_percent = static_cast<double>(parse_count(t.c_str(), "timeout percentage", 1, 1000000));
        opt.timeout = 0;
    } else {
        opt.timeout = parse_seconds(text, "timeout");
        opt.timeout_percent = 0;
    }
}

// An input file, opened for reading: a directory (which reads as nothing
// through a stream) is an error naming it. "-" is standard input, which can
// be an input only once: the second would read nothing.
class Input {
public:
    explicit Input(const std::string& path) : name_(path == "-" ? "standard input" : path) {
        if (path == "-") {
            if (stdin_taken_) throw Error(Exit::usage, "standard input ('-') can be read only once");
            stdin_taken_ = true;
            return;
        }
        owned_ = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        struct stat st;
        if (owned_ && ::fstat(owned_.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
            owned_ = Fd();
            errno = EISDIR;
        }
        if (!owned_) throw system_error(errno, "read " + path);
    }
    int fd() const { return owned_ ? owned_.get() : STDIN_FILENO; }
    // Hands the descriptor over (standard input stays open in any case).
    int release() { return owned_ ? owned_.release() : STDIN_FILENO; }
    const std::string& name() const { return name_; }
    static bool stdin_taken() { return stdin_taken_; }

private:
    static inline bool stdin_taken_ = false;
    std::string name_;
    Fd owned_;
};

std::vector<std::string> read_lines(const std::string& path, char delim) {
    Input in(path);
    std::vector<std::string> lines;
    std::string buf;
    char chunk[64 * 1024];
    for (ssize_t n; (n = read_some(in.fd(), chunk, sizeof chunk)) != 0;) {
        if (n < 0) throw system_error(errno, "read " + in.name());
        buf.append(chunk, static_cast<size_t>(n));
        size_t start = 0;
        for (size_t at; (at = buf.find(delim, start)) != std::string::npos; start = at + 1)
            lines.push_back(buf.substr(start, at - start));
        buf.erase(0, start);
    }
    if (!buf.empty()) lines.push_back(std::move(buf));
    return lines;
}

// COMMAND [ARG...], then ::: groups of arguments and :::: files, each file
// one more input source, in the order given. A separator with nothing after
// it is an empty group: the cross product has no jobs. With --retry-failed
// (which ignores them) no file is read.
struct Operands {
    std::vector<std::string> words;
    std::vector<std::vector<std::string>> groups;
};
Operands split_operands(const Options& o, char delim, bool read_files) {
    Operands r;
    bool separated = false, files = false, file_pending = false;
    for (int i = 0; i < o.count(); ++i) {
        std::string a = o.operand(i);
        if (a == ":::" || a == "::::") {
            if (file_pending) r.groups.emplace_back();
            separated = true;
            files = file_pending = a == "::::";
            if (!files) r.groups.emplace_back();
        } else if (!separated) {
            r.words.push_back(a);
        } else if (files) {
            if (read_files) r.groups.push_back(read_lines(a, delim));
            file_pending = false;
        } else {
            r.groups.back().push_back(a);
        }
    }
    if (file_pending) r.groups.emplace_back();
    return r;
}

Bar parse_bar(const char* text, const Options& o) {
    if (!text || std::strcmp(text, "auto") == 0) return Bar::on_terminal;
    if (std::strcmp(text, "always") == 0) return Bar::always;
    o.fail("invalid --bar=%s: expected --bar or --bar=always", text);
}

}  // namespace

int main(int argc, char** argv) {
    set_program_name("pool-run");
    set_usage_status(255);  // as GNU parallel
    check_stdout_at_exit(255);  // --help and --version too (lib/diag.h)
    try {
        PoolOptions opt;
        opt.jobs = static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN));
        char delim = '\n';
        std::vector<std::string> arg_files;
        CommandTemplate::Shell shell = CommandTemplate::Shell::automatic;
        const char* from = nullptr;
        double idle = 0;
        bool idle_given = false;
        Bar bar = Bar::off;
        Options o(argc, argv, "j:0a:ku", kLongOptions, "", kUsage, kHelp);
        for (int c; (c = o.next()) != -1;) {
            switch (c) {
                case 'j': opt.jobs = parse_jobs(optarg); break;
                case '0': delim = '\0'; break;
                case 'a': arg_files.push_back(optarg); break;
                case 'k': opt.keep_order = true; break;
                case 'u': opt.ungroup = true; break;
                case kLineBuffer: opt.line_buffer = true; break;
                case kTag: opt.tag = true; break;
                case kTimeout: parse_timeout(optarg, opt); break;
                case kRetries: opt.retries = static_cast<unsigned>(parse_count(optarg, "retries", 1, 1000)); break;
                case kHalt: opt.halt = parse_halt(optarg); break;
                case kTermGrace: opt.term_grace = parse_seconds(optarg, "grace"); break;
                case kJoblog: opt.joblog = optarg; break;
                case kResume: opt.resume = true; break;
                case kResumeFailed: opt.resume_failed = true; break;
                case kRetryFailed: opt.retry_failed = true; break;
                case kDryRun: opt.dry_run = true; break;
                case kBar: bar = parse_bar(optarg, o); break;
                case kShell: shell = CommandTemplate::Shell::always; break;
                case kNoShell: shell = CommandTemplate::Shell::never; break;
                case kFrom: from = optarg; break;
                case kIdle:
                    idle = parse_seconds(optarg, "idle");
                    idle_given = true;
                    break;
                case kVersion: std::puts("pool-run (prockit) " PROCKIT_VERSION); return 0;
            }
        }
        if (opt.ungroup && (opt.line_buffer || opt.keep_order || opt.tag))
            o.fail("-u passes output through as it is: it excludes -k, --line-buffer and --tag");
        if (opt.resume + opt.resume_failed + opt.retry_failed > 1)
            o.fail("--resume, --resume-failed and --retry-failed exclude each other");
        if ((opt.resume || opt.resume_failed || opt.retry_failed) && opt.joblog.empty())
            o.fail("--%s needs --joblog FILE", opt.resume ? "resume" : opt.resume_failed ? "resume-failed" : "retry-failed");
        opt.bar = bar == Bar::always || (bar == Bar::on_terminal && isatty(STDERR_FILENO));

        Operands ops = split_operands(o, delim, !opt.retry_failed);
        if (from && (!ops.groups.empty() || !arg_files.empty())) o.fail("--from excludes :::, :::: and -a");
        if (from && opt.retry_failed) o.fail("--retry-failed takes its jobs from the joblog: it excludes --from");
        if (idle_given && !from) o.fail("--idle needs --from QUEUE");
        if (opt.retry_failed) ops.words.clear();  // each logged command runs as it was logged
        CommandTemplate cmd(ops.words, shell);

        std::unique_ptr<JobSource> source;
        if (opt.retry_failed) {
            source = joblog_failed_source(opt.joblog);
        } else if (from) {
            Endpoint e = parse_queue(from);
            try {
                // The consumer of what it takes is this pool-run, not its parent.
                source = queue_source(open_queue(e, {Access::read, getpid()}), idle);
            } catch (const Error& err) {
                throw Error(err.status(), "--from " + e.str() + ": " + err.what());
            }
        } else if (ops.groups.empty() && arg_files.size() <= 1) {
            int fd = STDIN_FILENO;
            if (arg_files.size() == 1) fd = Input(arg_files[0]).release();
            opt.null_stdin = fd == STDIN_FILENO;  // our stdin is the input: jobs get /dev/null
            source = records_source(fd, delim);
        } else {
            // -a files are input sources before the ::: groups, as in GNU parallel.
            std::vector<std::vector<std::string>> sources;
            for (const std::string& f : arg_files) sources.push_back(read_lines(f, delim));
            for (auto& g : ops.groups) sources.push_back(std::move(g));
            source = product_source(std::move(sources));
            opt.null_stdin = Input::stdin_taken();
        }
        StopSignals stop;
        return run_pool(cmd, *source, opt, stop);
    } catch (const Error& e) {
        warn("%s", e.what());
        return e.status() == Exit::usage ? usage_status() : 255;
    } catch (const std::bad_alloc&) {
        // The pool has ended its jobs before letting this out (lib/pool.h).
        warn("out of memory");
        return 255;
    } catch (const std::exception& e) {
        warn("%s", e.what());
        return 255;
    }
}
