// orphan-demo: show, with real processes, how orphans are adopted, how
// zombies are made, and each way of never leaving one.
//
// Every claim is checked against /proc as it happens: each event line shows
// the state and parent the kernel reports for that pid at that moment. The
// children run only async-signal-safe code (read, write, _exit) after fork.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "deadline.h"
#include "diag.h"
#include "fd.h"
#include "json.h"
#include "options.h"
#include "parse.h"
#include "proc.h"
#include "reaper.h"
#include "signals.h"
#include "text.h"

using namespace prockit;

namespace {

const char kUsage[] =
    "usage: orphan-demo orphan [--json]\n"
    "       orphan-demo zombie [-c COUNT] [--hold SECONDS] [--json]\n"
    "       orphan-demo reap --method wait|sigchld|ignore|double-fork|subreaper [-c COUNT] [--json]\n";

const char kHelp[] =
    "\n"
    "  orphan   a child outlives its parent and is adopted by init or the nearest subreaper\n"
    "  zombie   COUNT children (default 3) stay zombies for SECONDS (default 5), then are reaped\n"
    "  reap     COUNT children (default 5) end without leaving a zombie, by the METHOD named:\n"
    "           wait: waitpid for each; sigchld: a SIGCHLD handler reaping with WNOHANG;\n"
    "           ignore: SIGCHLD set to SIG_IGN; double-fork: the grandchild is given to init\n"
    "           (or the nearest subreaper);\n"
    "           subreaper: PR_SET_CHILD_SUBREAPER adopts the grandchildren, which we reap\n"
    "  -c COUNT, --count COUNT  how many children, 1 to 1000 (-n, its old spelling, goes\n"
    "           in a later release)\n"
    "  --json   one JSON object per event instead of a text line\n"
    "\n"
    "Each event line shows the time, the event, and the pid's parent and state read from /proc.\n"
    "Exit status: 0 what was shown held (checked in /proc); 1 it did not; 2 bad usage;\n"
    "4 a system call failed or the output could not be written; 128+N killed by signal N.\n";

// "1 zombie", "3 zombies".
std::string counted(size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The time limit for what the kernel does on its own: an adoption, or an
// adopter reaping (init may reap only now and then).
constexpr double kPatience = 10;

class Timeline {
public:
    explicit Timeline(bool json) : json_(json) {
        if (!json_) std::printf("%-12s  %-17s %7s %7s  %-5s  %s\n", "TIME", "EVENT", "PID", "PPID", "STATE", "NOTE");
    }

    // An event about `pid`, with its parent and state as /proc shows them now.
    // A note may name another user's process (an adopter): escaped as text.
    void event(const char* name, pid_t pid, const std::string& note = {}) {
        ProcStat st;
        bool alive = read_stat(pid, st);
        WallTime now = WallTime::now();
        std::string state = alive ? std::string(1, st.state) : "-";
        std::string ppid = alive ? std::to_string(st.ppid) : "-";
        if (json_) {
            std::printf("{\"time\":%s,\"event\":\"%s\",\"pid\":%d,\"ppid\":%s,\"state\":\"%s\",\"note\":%s}\n",
                        now.epoch_text().c_str(), name, pid, alive ? ppid.c_str() : "null", state.c_str(),
                        json_string(note).c_str());
        } else {
            std::printf("%s  %-17s %7d %7s  %-5s  %s\n", now.clock_text().c_str(), name, pid, ppid.c_str(),
                        state.c_str(), escape_text(note).c_str());
        }
        flush_stdout();  // a demo nobody can read stops here, with 4
    }

    // The one line that says what was shown; returns the exit status.
    int explain(bool held, const std::string& text) {
        if (json_)
            std::printf("{\"event\":\"%s\",\"text\":%s}\n", held ? "explained" : "failed", json_string(text).c_str());
        else
            std::printf("%s%s\n", held ? "" : "FAILED: ", escape_text(text).c_str());
        flush_stdout();
        return held ? 0 : 1;
    }

private:
    bool json_;
};

// fork(), or Error: main then reaps the children already made before it
// exits 4, so that a fork refused half way (ulimit -u) leaves no zombie.
pid_t fork_child() {
    pid_t pid = fork();
    if (pid < 0) throw system_error(errno, "fork");
    return pid;
}

// In a child: blocks until every write end of the pipe is closed (the child
// must have closed its own copy), then exits.
[[noreturn]] void wait_for_release(int read_end) {
    char c;
    while (read(read_end, &c, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
}

// Polls /proc every millisecond until `done()`, or until `limit` (by
// default kPatience seconds from now).
template <class F>
bool poll_until(F done, const Deadline& limit = Deadline::after(kPatience)) {
    while (!done()) {
        if (limit.expired()) return false;
        timespec ms{0, 1000000};
        nanosleep(&ms, nullptr);
    }
    return true;
}

// Who adopted an orphan: init of our pid namespace, or a subreaper above us.
std::string adopter_kind(pid_t adopter) {
    if (adopter == 1) return "init";
    return is_ancestor(adopter, getpid()) || adopter == getpid() ? "a subreaper" : "not an ancestor of ours";
}

bool is_zombie(pid_t pid) { return process_state(pid) == 'Z'; }

// A process gone from /proc, or one whose pid was reused by another parent.
bool is_gone(pid_t pid, pid_t ppid) { return process_state(pid) == 0 || parent_of(pid) != ppid; }

int show_orphan(Timeline& t) {
    t.event("start", getpid(), "orphan-demo, the observer");
    Pipe report = make_pipe(), go = make_pipe(), release = make_pipe();
    pid_t parent = fork_child();
    if (parent == 0) {
        // Only orphan-demo may hold the write ends the two wait on.
        close(go.write.get());
        close(release.write.get());
        pid_t child = fork();
        if (child == 0) wait_for_release(release.read.get());
        write(report.write.get(), &child, sizeof child);
        wait_for_release(go.read.get());
    }
    report.write.reset();
    go.read.reset();
    release.read.reset();
    pid_t child = -1;
    if (read_some(report.read.get(), &child, sizeof child) != sizeof child || child < 0)
        throw Error(Exit::failure, "fork: the parent could not start its child");
    t.event("parent", parent, "forked by orphan-demo");
    t.event("child", child, "forked by the parent; waits on a pipe");

    go.write.reset();  // the parent exits
    poll_until([&] { return is_zombie(parent); });
    t.event("parent-exited", parent, "its child is now an orphan");
    int status = 0;
    waitpid(parent, &status, 0);
    t.event("parent-reaped", parent, "orphan-demo waited for it");

    bool adopted = poll_until([&] { return parent_of(child) != parent; });
    pid_t adopter = parent_of(child);
    std::string kind = adopter_kind(adopter);
    t.event("adopted", child, "by " + describe_process(adopter) + ", " + kind);
    bool held = adopted && adopter > 0 && kind != "not an ancestor of ours";

    release.write.reset();  // the orphan exits; its adopter must reap it
    bool reaped = poll_until([&] { return is_gone(child, adopter); });
    t.event(reaped ? "reaped-by-adopter" : "left-a-zombie", child,
            reaped ? "its new parent waited for it"
                   : describe_process(adopter) + " does not reap its adopted children; run under zombie-watch --subreaper");
    std::string text = "child " + std::to_string(child) + " outlived its parent " + std::to_string(parent) +
                       "; the kernel gave it to " + describe_process(adopter) + ", " + kind +
                       (reaped ? ", which reaped it when it exited" : ", which left it a zombie");
    return t.explain(held && reaped, text);
}

int show_zombies(Timeline& t, unsigned count, double hold) {
    StopSignals stop;
    std::vector<pid_t> children;
    for (unsigned i = 0; i < count; ++i) {
        pid_t pid = fork_child();
        if (pid == 0) _exit(0);
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        poll_until([&] { return is_zombie(pid); });
        t.event("zombie", pid, "exited; its parent has not waited for it");
    }
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", hold);
    t.event("holding", getpid(), "holding " + counted(count, "zombie", "zombies") + " for " + seconds + " s");
    bool stopped = sleep_until(Deadline::after(hold), &stop) == Wait::stopped;
    bool held = true;
    for (pid_t pid : children) {
        held &= is_zombie(pid);
        int status = 0;
        waitpid(pid, &status, 0);
        t.event("reaped", pid, "waitpid: " + describe_wait_status(status));
        held &= is_gone(pid, getpid());
    }
    if (stopped) stop.die_of_signal();
    const bool one = count == 1;
    return t.explain(held, counted(count, "child", "children") + (one ? " stayed a zombie" : " stayed zombies") +
                               " (state Z) while " + (one ? "its" : "their") + " parent did not wait for " +
                               (one ? "it" : "them") + "; waitpid took " + (one ? "its" : "their") +
                               " exit status and " + (one ? "it was" : "they were") + " gone");
}

// The SIGCHLD handler's record of whom it reaped: only what a handler may
// touch, a fixed array and a counter.
constexpr unsigned kMaxChildren = 1000;
volatile sig_atomic_t g_reaped = 0;
pid_t g_reaped_pids[kMaxChildren];

void on_sigchld(int) {
    int saved = errno;
    pid_t pid;
    while ((pid = waitpid(-1, nullptr, WNOHANG)) > 0)
        if (g_reaped < static_cast<sig_atomic_t>(kMaxChildren)) {
            g_reaped_pids[g_reaped] = pid;
            g_reaped = g_reaped + 1;
        }
    errno = saved;
}

// Forks a child that forks a grandchild and exits; the grandchild waits
// for `release` to close. The child exits only once `go` is closed, so
// that both forks can be shown, grandchild still the child's, before the
// child exits and is reaped: the timeline is in the order things happened.
// Returns {child, grandchild}.
std::pair<pid_t, pid_t> double_fork(Timeline& t, const Pipe& release) {
    Pipe report = make_pipe(), go = make_pipe();
    pid_t child = fork_child();
    if (child == 0) {
        close(release.write.get());  // only orphan-demo may hold them
        close(go.write.get());
        pid_t grandchild = fork();
        if (grandchild == 0) wait_for_release(release.read.get());
        write(report.write.get(), &grandchild, sizeof grandchild);
        if (grandchild < 0) _exit(1);
        wait_for_release(go.read.get());
    }
    report.write.reset();
    go.read.reset();
    pid_t grandchild = -1;
    if (read_some(report.read.get(), &grandchild, sizeof grandchild) != sizeof grandchild || grandchild < 0)
        throw Error(Exit::failure, "fork: a child could not start its grandchild");
    t.event("forked", child, "the middle child; forks a grandchild, then exits");
    t.event("forked", grandchild, "by the middle child; waits on a pipe");
    return {child, grandchild};
}

int show_reaping(Timeline& t, const std::string& method, unsigned count) {
    const pid_t self = getpid();
    std::vector<pid_t> made;  // every process this demo made
    std::string text;
    bool held = true;
    if (method == "wait" || method == "sigchld" || method == "ignore") {
        if (method == "sigchld") {
            struct sigaction sa {};
            sa.sa_handler = on_sigchld;
            sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
            sigaction(SIGCHLD, &sa, nullptr);
        } else if (method == "ignore") {
            signal(SIGCHLD, SIG_IGN);
        }
        sigset_t chld, old;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, &old);  // the handler runs only in sigsuspend, below
        for (unsigned i = 0; i < count; ++i) {
            pid_t pid = fork_child();
            if (pid == 0) _exit(static_cast<int>(i % 256));
            made.push_back(pid);
            t.event("forked", pid, "exits at once with status " + std::to_string(i % 256));
        }
        if (method == "wait") {
            for (pid_t pid : made) {
                int status = 0;
                waitpid(pid, &status, 0);
                t.event("reaped", pid, "waitpid: " + describe_wait_status(status));
            }
            text = "waitpid for each child took its exit status, so none stayed a zombie";
        } else if (method == "sigchld") {
            while (g_reaped < static_cast<sig_atomic_t>(count)) sigsuspend(&old);
            for (sig_atomic_t i = 0; i < g_reaped; ++i)
                t.event("reaped", g_reaped_pids[i], "by the SIGCHLD handler's waitpid(-1, WNOHANG) loop");
            text = "a SIGCHLD handler reaped every ended child with waitpid(-1, WNOHANG) in a loop, "
                   "since one signal may stand for several children";
        } else {
            // With SIGCHLD ignored the kernel reaps at once, and waitpid
            // blocks until every child is gone, then fails with ECHILD.
            int r = waitpid(-1, nullptr, 0);
            held &= r < 0 && errno == ECHILD;
            for (pid_t pid : made) t.event("vanished", pid, "reaped by the kernel: SIGCHLD is SIG_IGN");
            text = "with SIGCHLD set to SIG_IGN the kernel discarded each child's status itself; "
                   "waitpid found nothing to wait for (ECHILD)";
        }
        sigprocmask(SIG_SETMASK, &old, nullptr);
    } else {  // double-fork or subreaper
        const bool subreaper = method == "subreaper";
        if (subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
            throw system_error(errno, "become a subreaper");
        Pipe release = make_pipe();
        std::vector<pid_t> grandchildren;
        std::vector<pid_t> adopters;
        for (unsigned i = 0; i < count; ++i) {
            auto [child, grandchild] = double_fork(t, release);
            made.push_back(child);
            made.push_back(grandchild);
            grandchildren.push_back(grandchild);
            int status = 0;
            waitpid(child, &status, 0);
            t.event("reaped", child, "the middle child, waited for at once");
            held &= poll_until([&, c = child, g = grandchild] { return parent_of(g) != c; });
            pid_t adopter = parent_of(grandchild);
            adopters.push_back(adopter);
            held &= subreaper ? adopter == self : adopter != self;
            t.event("adopted", grandchild, "by " + describe_process(adopter) + ", " + adopter_kind(adopter));
        }
        release.write.reset();  // every grandchild exits now
        release.read.reset();
        const Deadline reaped_by = Deadline::after(kPatience);  // for all of them together
        bool all_reaped = true;
        for (size_t i = 0; i < grandchildren.size(); ++i) {
            pid_t g = grandchildren[i];
            if (subreaper) {
                int status = 0;
                waitpid(g, &status, 0);
                t.event("reaped", g, "by orphan-demo, its subreaper: " + describe_wait_status(status));
            } else {
                bool gone = poll_until([&] { return is_gone(g, adopters[i]); }, reaped_by);
                held &= gone;
                all_reaped &= gone;
                t.event(gone ? "reaped-by-adopter" : "left-a-zombie", g,
                        gone ? "by " + describe_process(adopters[i])
                             : describe_process(adopters[i]) + " does not reap: run under zombie-watch --subreaper");
            }
        }
        text = subreaper ? "as a subreaper, orphan-demo adopted each grandchild when its parent exited, "
                           "and reaped it"
                         : "each grandchild was orphaned at once and adopted by " + describe_process(adopters.front()) +
                               (all_reaped ? ", which reaped it: orphan-demo had only the short-lived middle child "
                                             "to wait for"
                                           : (count == 1 ? ", which did not reap it within 10 s: it is its zombie now"
                                                       : ", which did not reap them all within 10 s: they are its zombies now"));
    }

    // The proof: none of the processes we made is a zombie now.
    unsigned zombies = 0;
    for (pid_t pid : made) zombies += is_zombie(pid);
    t.event("checked", self, counted(zombies, "zombie", "zombies") + " among the " +
                                 counted(made.size(), "process", "processes") + " made");
    return t.explain(held && zombies == 0, method + ": " + text);
}

}  // namespace

int main(int argc, char** argv) {
    set_program_name("orphan-demo");
    check_stdout_at_exit();
    if (argc < 2 || argv[1][0] == '-') {
        Options(argc, argv, "", nullptr, "", kUsage, kHelp).next();  // --help, --version, or misuse
        usage_error(kUsage, "a mode is needed: orphan, zombie or reap");
    }
    const std::string mode = argv[1];
    if (mode != "orphan" && mode != "zombie" && mode != "reap")
        usage_error(kUsage, "unknown mode '%s': expected orphan, zombie or reap", mode.c_str());
    enum Long { kJson = 1000, kHold, kMethod };
    const option longopts[] = {{"json", no_argument, nullptr, kJson},
                               {"hold", required_argument, nullptr, kHold},
                               {"method", required_argument, nullptr, kMethod},
                               {"count", required_argument, nullptr, 'c'},
                               {}};
    Options o(argc - 1, argv + 1, "c:n:", longopts, mode, kUsage, kHelp, Options::Order::anywhere);
    bool json = false, has_count = false, has_hold = false, said_n = false;
    unsigned count = mode == "zombie" ? 3 : 5;
    double hold = 5;
    std::string method;
    try {
        for (int c; (c = o.next()) != -1;) {
            switch (c) {
                case kJson: json = true; break;
                case kHold: hold = parse_seconds(optarg, "hold"), has_hold = true; break;
                case kMethod: method = optarg; break;
                case 'n':
                    // -n is shq's "never wait"; -c is a count in every tool.
                    if (!said_n) warn("-n is now -c; -n will go in a later release");
                    said_n = true;
                    [[fallthrough]];
                case 'c':
                    count = static_cast<unsigned>(parse_count(optarg, "count", 1, kMaxChildren));
                    has_count = true;
                    break;
            }
        }
    } catch (const Error& e) {
        o.fail("%s", e.what());
    }
    if (o.count() > 0) o.fail("unexpected operand '%s'", o.operand(0));
    if (mode == "orphan" && has_count) o.fail("-c does not go with orphan");
    if (mode != "zombie" && has_hold) o.fail("--hold goes only with zombie");
    if (mode != "reap" && !method.empty()) o.fail("--method goes only with reap");
    if (mode == "reap" && method.empty()) o.fail("--method is needed");
    const char* const kMethods[] = {"wait", "sigchld", "ignore", "double-fork", "subreaper"};
    if (mode == "reap" && std::find(std::begin(kMethods), std::end(kMethods), method) == std::end(kMethods))
        o.fail("unknown method '%s': expected wait, sigchld, ignore, double-fork or subreaper", method.c_str());

    try {
        Timeline t(json);
        if (mode == "orphan") return show_orphan(t);
        if (mode == "zombie") return show_zombies(t, count, hold);
        return show_reaping(t, method, count);
    } catch (const Error& e) {
        // The pipes the children wait on are closed by now: they end, and
        // are reaped here rather than left to init.
        while (waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
        }
        die(e.status(), "%s", e.what());
    }
}
