#include "lifecycle_demo.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>
#include <vector>

#include "deadline.h"
#include "diag.h"
#include "fd.h"
#include "proc.h"
#include "reaper.h"
#include "signals.h"
#include "timeline.h"

namespace prockit {

namespace {

// "1 zombie", "3 zombies".
std::string counted(size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The time limit for what the kernel does on its own: an adoption, or an
// adopter reaping (init may reap only now and then).
constexpr double kPatience = 10;

bool poll_patiently(const auto& done) { return poll_until(done, Deadline::after(kPatience)); }

// fork(), or Error: the caller then reaps the children already made before
// it exits 4, so that a fork refused half way (ulimit -u) leaves no zombie.
pid_t fork_child() {
    pid_t pid = fork();
    if (pid < 0) throw system_error(errno, "fork");
    return pid;
}

// In a child: blocks until every write end of the pipe is closed (the child
// must have closed its own copy), then exits.
[[noreturn]] void wait_for_release(int read_end) {
    char c;
    retry_eintr([&] { return read(read_end, &c, 1); });
    _exit(0);
}

// Who adopted an orphan: init of our pid namespace, or a subreaper above us.
std::string adopter_kind(pid_t adopter) {
    if (adopter == 1) return "init";
    return is_ancestor(adopter, getpid()) || adopter == getpid() ? "a subreaper" : "not an ancestor of ours";
}

// A child that forks a grandchild, then exits once `go` is closed; the
// grandchild exits once every write end of `release` is closed. Only we
// hold those write ends (the child closes its copies first), so that both
// forks can be shown, grandchild still the child's, before the child
// exits: the timeline is in the order things happened.
struct Family {
    pid_t child, grandchild;
    Fd go;  // reset() lets the child exit
};

// `failure` says what could not start, after "fork: ".
Family fork_family(const Pipe& release, const char* failure) {
    Pipe report = make_pipe(), go = make_pipe();
    pid_t child = fork_child();
    if (child == 0) {
        close(release.write.get());
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
        throw Error(Exit::failure, std::string("fork: ") + failure);
    return {child, grandchild, std::move(go.write)};
}

}  // namespace

int show_orphan(Timeline& t) {
    t.event("start", getpid(), "orphan-demo, the observer");
    Pipe release = make_pipe();
    Family f = fork_family(release, "the parent could not start its child");
    const pid_t parent = f.child, child = f.grandchild;
    t.event("parent", parent, "forked by orphan-demo");
    t.event("child", child, "forked by the parent; waits on a pipe");

    f.go.reset();  // the parent exits
    poll_patiently([&] { return is_zombie(parent); });
    t.event("parent-exited", parent, "its child is now an orphan");
    int status = 0;
    waitpid(parent, &status, 0);
    t.event("parent-reaped", parent, "orphan-demo waited for it");

    bool adopted = poll_patiently([&] { return parent_of(child) != parent; });
    pid_t adopter = parent_of(child);
    std::string kind = adopter_kind(adopter);
    t.event("adopted", child, "by " + describe_process(adopter) + ", " + kind);
    bool held = adopted && adopter > 0 && kind != "not an ancestor of ours";

    release.write.reset();  // the orphan exits; its adopter must reap it
    bool reaped = poll_patiently([&] { return is_gone(child, adopter); });
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
        poll_patiently([&] { return is_zombie(pid); });
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

namespace {

// What one way of reaping showed: every process it made, whether each
// step held, and the sentence that explains it.
struct Shown {
    std::vector<pid_t> made;
    bool held = true;
    std::string text;
};

// SIGCHLD blocked while this lives: a handler runs only in sigsuspend.
class SigchldBlocked {
public:
    SigchldBlocked() {
        sigset_t chld;
        sigemptyset(&chld);
        sigaddset(&chld, SIGCHLD);
        sigprocmask(SIG_BLOCK, &chld, &old_);
    }
    ~SigchldBlocked() { sigprocmask(SIG_SETMASK, &old_, nullptr); }
    SigchldBlocked(const SigchldBlocked&) = delete;
    SigchldBlocked& operator=(const SigchldBlocked&) = delete;
    const sigset_t* old() const { return &old_; }

private:
    sigset_t old_;
};

// Forks `count` children that exit at once, child i with status i % 256.
std::vector<pid_t> fork_exiting(Timeline& t, unsigned count) {
    std::vector<pid_t> made;
    for (unsigned i = 0; i < count; ++i) {
        pid_t pid = fork_child();
        if (pid == 0) _exit(static_cast<int>(i % 256));
        made.push_back(pid);
        t.event("forked", pid, "exits at once with status " + std::to_string(i % 256));
    }
    return made;
}

Shown reap_by_wait(Timeline& t, unsigned count) {
    SigchldBlocked blocked;
    Shown s;
    s.made = fork_exiting(t, count);
    for (pid_t pid : s.made) {
        int status = 0;
        waitpid(pid, &status, 0);
        t.event("reaped", pid, "waitpid: " + describe_wait_status(status));
    }
    s.text = "waitpid for each child took its exit status, so none stayed a zombie";
    return s;
}

// The SIGCHLD handler's record of whom it reaped: only what a handler may
// touch, a fixed array and a counter.
volatile sig_atomic_t g_reaped = 0;
pid_t g_reaped_pids[kMaxDemoChildren];

void on_sigchld(int) {
    int saved = errno;
    pid_t pid;
    while ((pid = waitpid(-1, nullptr, WNOHANG)) > 0)
        if (g_reaped < static_cast<sig_atomic_t>(kMaxDemoChildren)) {
            g_reaped_pids[g_reaped] = pid;
            g_reaped = g_reaped + 1;
        }
    errno = saved;
}

Shown reap_by_sigchld(Timeline& t, unsigned count) {
    struct sigaction sa {};
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, nullptr);
    SigchldBlocked blocked;
    Shown s;
    s.made = fork_exiting(t, count);
    while (g_reaped < static_cast<sig_atomic_t>(count)) sigsuspend(blocked.old());
    for (sig_atomic_t i = 0; i < g_reaped; ++i)
        t.event("reaped", g_reaped_pids[i], "by the SIGCHLD handler's waitpid(-1, WNOHANG) loop");
    s.text = "a SIGCHLD handler reaped every ended child with waitpid(-1, WNOHANG) in a loop, "
             "since one signal may stand for several children";
    return s;
}

Shown reap_by_ignoring(Timeline& t, unsigned count) {
    signal(SIGCHLD, SIG_IGN);
    SigchldBlocked blocked;
    Shown s;
    s.made = fork_exiting(t, count);
    // With SIGCHLD ignored the kernel reaps at once, and waitpid blocks
    // until every child is gone, then fails with ECHILD.
    int r = waitpid(-1, nullptr, 0);
    s.held &= r < 0 && errno == ECHILD;
    for (pid_t pid : s.made) t.event("vanished", pid, "reaped by the kernel: SIGCHLD is SIG_IGN");
    s.text = "with SIGCHLD set to SIG_IGN the kernel discarded each child's status itself; "
             "waitpid found nothing to wait for (ECHILD)";
    return s;
}

// double-fork and subreaper: `count` middle children, each forking a
// grandchild that waits until `release` closes, and reaped at once; each
// grandchild, orphaned so, is adopted by us as a subreaper, or else by
// someone else. Returns the adopter of each grandchild, in order.
std::vector<pid_t> orphan_grandchildren(Timeline& t, unsigned count, const Pipe& release, bool subreaper, Shown& s) {
    const pid_t self = getpid();
    std::vector<pid_t> adopters;
    for (unsigned i = 0; i < count; ++i) {
        Family f = fork_family(release, "a child could not start its grandchild");
        t.event("forked", f.child, "the middle child; forks a grandchild, then exits");
        t.event("forked", f.grandchild, "by the middle child; waits on a pipe");
        f.go.reset();
        s.made.push_back(f.child);
        s.made.push_back(f.grandchild);
        int status = 0;
        waitpid(f.child, &status, 0);
        t.event("reaped", f.child, "the middle child, waited for at once");
        s.held &= poll_patiently([&] { return parent_of(f.grandchild) != f.child; });
        pid_t adopter = parent_of(f.grandchild);
        adopters.push_back(adopter);
        s.held &= subreaper ? adopter == self : adopter != self;
        t.event("adopted", f.grandchild, "by " + describe_process(adopter) + ", " + adopter_kind(adopter));
    }
    return adopters;
}

// The grandchildren orphan_grandchildren() made, in s.made after each middle child.
pid_t grandchild(const Shown& s, size_t i) { return s.made[2 * i + 1]; }

Shown reap_by_double_fork(Timeline& t, unsigned count) {
    Shown s;
    Pipe release = make_pipe();
    std::vector<pid_t> adopters = orphan_grandchildren(t, count, release, false, s);
    release.write.reset();  // every grandchild exits now
    release.read.reset();
    const Deadline reaped_by = Deadline::after(kPatience);  // for all of them together
    bool all_reaped = true;
    for (size_t i = 0; i < adopters.size(); ++i) {
        pid_t g = grandchild(s, i);
        bool gone = poll_until([&] { return is_gone(g, adopters[i]); }, reaped_by);
        s.held &= gone;
        all_reaped &= gone;
        t.event(gone ? "reaped-by-adopter" : "left-a-zombie", g,
                gone ? "by " + describe_process(adopters[i])
                     : describe_process(adopters[i]) + " does not reap: run under zombie-watch --subreaper");
    }
    s.text = "each grandchild was orphaned at once and adopted by " + describe_process(adopters.front()) +
             (all_reaped ? ", which reaped it: orphan-demo had only the short-lived middle child to wait for"
                         : (count == 1 ? ", which did not reap it within 10 s: it is its zombie now"
                                       : ", which did not reap them all within 10 s: they are its zombies now"));
    return s;
}

Shown reap_as_subreaper(Timeline& t, unsigned count) {
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) throw system_error(errno, "become a subreaper");
    Shown s;
    Pipe release = make_pipe();
    orphan_grandchildren(t, count, release, true, s);
    release.write.reset();  // every grandchild exits now
    release.read.reset();
    for (size_t i = 0; i < count; ++i) {
        pid_t g = grandchild(s, i);
        int status = 0;
        waitpid(g, &status, 0);
        t.event("reaped", g, "by orphan-demo, its subreaper: " + describe_wait_status(status));
    }
    s.text = "as a subreaper, orphan-demo adopted each grandchild when its parent exited, and reaped it";
    return s;
}

struct ReapMethod {
    std::string_view name;
    Shown (*show)(Timeline&, unsigned);
};
constexpr ReapMethod kReapMethods[] = {{"wait", reap_by_wait},
                                       {"sigchld", reap_by_sigchld},
                                       {"ignore", reap_by_ignoring},
                                       {"double-fork", reap_by_double_fork},
                                       {"subreaper", reap_as_subreaper}};

}  // namespace

bool is_reap_method(std::string_view method) {
    for (const ReapMethod& m : kReapMethods)
        if (m.name == method) return true;
    return false;
}

int show_reaping(Timeline& t, const std::string& method, unsigned count) {
    Shown s;
    for (const ReapMethod& m : kReapMethods)
        if (m.name == method) s = m.show(t, count);
    // The proof: none of the processes we made is a zombie now.
    unsigned zombies = 0;
    for (pid_t pid : s.made) zombies += is_zombie(pid);
    t.event("checked", getpid(), counted(zombies, "zombie", "zombies") + " among the " +
                                     counted(s.made.size(), "process", "processes") + " made");
    return t.explain(s.held && zombies == 0, method + ": " + s.text);
}

}  // namespace prockit
