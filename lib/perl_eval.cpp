#include "perl_eval.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <optional>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "deadline.h"
#include "diag.h"
#include "job_shell.h"
#include "signals.h"

namespace prockit {

namespace {
[[noreturn]] void helper_failed(const std::string& why) { throw Error(Exit::failure, "perl helper: " + why); }

void frame(std::string& out, const std::string& s) {
    out += std::to_string(s.size());
    out += '\n';
    out += s;
}
}  // namespace

namespace {
bool g_running = false;
}  // namespace

PerlEval& PerlEval::instance() {
    static PerlEval helper;
    g_running = true;
    return helper;
}

bool PerlEval::running() { return g_running; }

// The helper is forked, not posix_spawn'ed, for one call in the child
// before exec: PR_SET_PDEATHSIG, so that the kernel kills it when
// pool-run dies, even of SIGKILL, even while user Perl loops and never
// reads the end of file that would otherwise end it. Between fork and
// exec the child calls only async-signal-safe functions (pool-run has one
// thread); the path of perl is found before the fork.
PerlEval::PerlEval() {
    const char* path = std::getenv("PATH");
    std::optional<std::string> found = which("perl", path ? path : "/usr/local/bin:/usr/bin:/bin");
    if (!found) helper_failed("cannot run perl: command not found");
    const std::string perl = *found;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) helper_failed(std::string("socketpair: ") + reason(errno));
    sock_ = Fd(sv[0]);
    Fd theirs(sv[1]);
    const char* argv[] = {"perl", "-e", kPerlHelperScript, nullptr};
    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) helper_failed(std::string("fork: ") + reason(errno));
    if (pid_ == 0) {
        // Its own process group, as the jobs: a ^C at the terminal reaches
        // pool-run, which decides; and pool-run's blocked signals let in.
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(70);  // pool-run died before the prctl
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) signal(sig, SIG_DFL);
        if (dup2(theirs.get(), STDIN_FILENO) < 0 || dup2(theirs.get(), STDOUT_FILENO) < 0) _exit(70);
        execv(perl.c_str(), const_cast<char* const*>(argv));
        _exit(127);
    }
}

PerlEval::~PerlEval() {
    sock_.reset();  // end of file: the helper exits
    if (pid_ > 0) retry_eintr([&] { return waitpid(pid_, nullptr, 0); });
}

// A stop signal while we wait for user Perl (which may loop forever): the
// helper is killed and reaped, and the signal ends pool-run (Stopped).
void PerlEval::stopped(int sig) {
    ::kill(pid_, SIGKILL);
    retry_eintr([&] { return waitpid(pid_, nullptr, 0); });
    pid_ = -1;
    throw Stopped(sig);
}

void PerlEval::send(const std::vector<std::string>& message) {
    std::string out;
    frame(out, std::to_string(message.size()));
    for (const std::string& s : message) frame(out, s);
    // MSG_NOSIGNAL: a helper that died is an error to say, not a SIGPIPE.
    for (size_t at = 0; at < out.size();) {
        ssize_t n = retry_eintr([&] { return ::send(sock_.get(), out.data() + at, out.size() - at, MSG_NOSIGNAL); });
        if (n < 0) helper_failed(std::string("write: ") + reason(errno));
        at += static_cast<size_t>(n);
    }
}

char PerlEval::next_byte() {
    if (at_ == buf_.size()) {
        const StopSignals* stop = StopSignals::active();
        if (wait_fd(sock_.get(), POLLIN, Deadline::never(), stop) == Wait::stopped) stopped(stop->received());
        buf_.resize(65536);
        ssize_t n = read_some(sock_.get(), buf_.data(), buf_.size());
        if (n < 0) helper_failed(std::string("read: ") + reason(errno));
        if (n == 0) helper_failed("it ended unexpectedly");
        buf_.resize(static_cast<size_t>(n));
        at_ = 0;
    }
    return buf_[at_++];
}

std::string PerlEval::receive_string() {
    size_t len = 0;
    for (char c; (c = next_byte()) != '\n';) {
        if (c < '0' || c > '9' || len > (size_t{1} << 40)) helper_failed("garbled answer");
        len = len * 10 + static_cast<size_t>(c - '0');
    }
    std::string s;
    s.reserve(len);
    while (s.size() < len) {
        if (at_ == buf_.size()) s += next_byte();
        size_t take = std::min(len - s.size(), buf_.size() - at_);
        s.append(buf_, at_, take);
        at_ += take;
    }
    return s;
}

std::vector<std::string> PerlEval::round_trip(const std::vector<std::string>& message) {
    send(message);
    std::string count = receive_string();
    size_t n = 0;
    for (char c : count) n = n * 10 + static_cast<size_t>(c - '0');
    std::vector<std::string> answer;
    for (size_t i = 0; i < n; ++i) answer.push_back(receive_string());
    if (answer.empty()) helper_failed("empty answer");
    return answer;
}

size_t PerlEval::compile(const std::string& code, const std::string& shown) {
    if (auto it = subs_.find(code); it != subs_.end()) return it->second;
    std::vector<std::string> a = round_trip({"C", code});
    if (a[0] != "ok" || a.size() < 2) throw Error(Exit::usage, "cannot use " + shown + ": " + (a.size() > 1 ? a[1] : ""));
    shown_.push_back(shown);
    subs_.emplace(code, shown_.size() - 1);
    return shown_.size() - 1;
}

void PerlEval::add_job(std::vector<std::string>& m, const Job& job) {
    m.push_back(std::to_string(job.seq));
    m.push_back(std::to_string(job.slot));
    m.push_back(std::to_string(job.total));
    m.push_back(std::to_string(job.args->size()));
    m.insert(m.end(), job.args->begin(), job.args->end());
}

std::vector<PerlEval::Value> PerlEval::evaluate(const Job& job, const std::vector<Call>& calls, bool& skip) {
    JobKept& k = kept(job);
    std::vector<std::string> m = {"E"};
    add_job(m, job);
    std::vector<const Call*> missing;
    for (const Call& c : calls) {
        auto it = k.values.find({c.sub, c.arg});
        if (it != k.values.end() && it->second.arg == (*job.args)[c.arg]) continue;
        missing.push_back(&c);
        m.push_back(std::to_string(c.sub));
        m.push_back(std::to_string(c.arg));
    }
    if (!missing.empty()) run(m, missing, *job.args, k);
    skip = skip || k.skip;
    std::vector<Value> values;
    for (const Call& c : calls) values.push_back(k.values.at({c.sub, c.arg}).value);
    return values;
}

PerlEval::JobKept& PerlEval::kept(const Job& job) {
    auto it = kept_.try_emplace({job.seq, job.slot}).first;
    while (kept_.size() > 1 && (kept_.size() > kKeptJobs || kept_bytes_ > kKeptBytes)) {
        auto old = kept_.begin() != it ? kept_.begin() : std::next(kept_.begin());  // the oldest but this
        kept_bytes_ -= old->second.bytes;
        kept_.erase(old);
    }
    return it->second;
}

// A value into the job's, counted against kKeptBytes (a job's own values
// stay while it is the one asked: kept() drops older jobs first).
void PerlEval::keep(JobKept& k, std::pair<size_t, size_t> key, Kept value) {
    size_t bytes = value.arg.size() + value.value.text.size() + sizeof(Kept);
    auto [it, added] = k.values.try_emplace(key);
    if (!added) {
        size_t old = it->second.arg.size() + it->second.value.text.size() + sizeof(Kept);
        k.bytes -= old;
        kept_bytes_ -= old;
    }
    it->second = std::move(value);
    k.bytes += bytes;
    kept_bytes_ += bytes;
}

bool PerlEval::skipped(unsigned long long seq, unsigned slot) const {
    auto it = kept_.find({seq, slot});
    return it != kept_.end() && it->second.skip;
}

void PerlEval::run(const std::vector<std::string>& m, const std::vector<const Call*>& calls, const std::vector<std::string>& args,
                   JobKept& k) {
    std::vector<std::string> a = round_trip(m);
    if (a[0] != "ok") {
        size_t sub = a.size() > 2 ? std::strtoul(a[2].c_str(), nullptr, 10) : shown_.size();
        throw Error(Exit::usage, (sub < shown_.size() ? shown_[sub] : "{= =}") + ": " + (a.size() > 1 ? a[1] : ""));
    }
    if (a.size() != 2 + 2 * calls.size()) helper_failed("garbled answer");
    k.skip = k.skip || a[1] == "1";
    for (size_t i = 0; i < calls.size(); ++i)
        keep(k, {calls[i]->sub, calls[i]->arg}, Kept{args[calls[i]->arg], Value{std::move(a[2 + 2 * i]), a[3 + 2 * i] == "1"}});
}

bool PerlEval::filter(const Job& job, const std::string& code) {
    std::vector<std::string> m = {"F"};
    add_job(m, job);
    m.push_back(code);
    std::vector<std::string> a = round_trip(m);
    return a.size() == 2 && a[1] == "1";
}

}  // namespace prockit
