#include "reaper.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "diag.h"
#include "fd.h"
#include "proc.h"
#include "spawn.h"

namespace prockit {

namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

std::string signal_name(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// The terminal on stdin when we are in its foreground: the command's group
// then takes the foreground, as a shell gives it to a job.
int foreground_tty() {
    if (!isatty(STDIN_FILENO)) return -1;
    return tcgetpgrp(STDIN_FILENO) == getpgrp() ? STDIN_FILENO : -1;
}

// Takes the terminal back for our own group. We are in the background by
// now, so SIGTTOU, which would stop us, is blocked for the call.
void reclaim_tty(int tty) {
    if (tty < 0) return;
    sigset_t ttou, old;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    sigprocmask(SIG_BLOCK, &ttou, &old);
    tcsetpgrp(tty, getpgrp());
    sigprocmask(SIG_SETMASK, &old, nullptr);
}

class Subreaper {
public:
    Subreaper(const SubreaperOptions& o) : options_(o) {}

    int run(const std::vector<std::string>& argv) {
        // Signals are taken one at a time by sigwaitinfo, never by a
        // handler, so SIGCHLD and forwarding are handled in this one loop.
        sigset_t set, old;
        sigemptyset(&set);
        for (int sig : kForwarded) sigaddset(&set, sig);
        sigaddset(&set, SIGCHLD);
        sigprocmask(SIG_BLOCK, &set, &old);
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) throw system_error(errno, "become a subreaper");

        SpawnSpec spec;
        spec.argv = argv;
        spec.tty = foreground_tty();
        spec.pidfd = false;
        Spawned s = spawn_job(spec);
        if (s.error) {
            warn("run %s: %s", argv[0].c_str(), s.failure_reason().c_str());
            return code(s.failure_status());
        }
        child_ = s.pid;

        int status = 0;
        bool child_ended = false;
        for (;;) {
            if (reap(status, child_ended)) break;  // no child left at all
            siginfo_t info;
            int sig = sigwaitinfo(&set, &info);
            if (sig < 0 || sig == SIGCHLD) continue;
            forward(sig, child_ended);
        }
        reclaim_tty(spec.tty);
        sigprocmask(SIG_SETMASK, &old, nullptr);
        return shell_status(status);
    }

private:
    // Reaps every child that has ended; true once we have no child left.
    bool reap(int& status, bool& child_ended) {
        for (;;) {
            pid_t pid;
            int st = 0;
            std::string comm;
            if (options_.verbose) {
                // Peek first: the name of an orphan can be read only while
                // it is a zombie, before waitpid makes it vanish.
                siginfo_t info{};
                if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0) return errno == ECHILD;
                if (info.si_pid == 0) return false;
                ProcStat st_proc;
                if (read_stat(info.si_pid, st_proc)) comm = st_proc.comm;
                pid = retry_eintr([&] { return waitpid(info.si_pid, &st, 0); });
            } else {
                pid = retry_eintr([&] { return waitpid(-1, &st, WNOHANG); });
            }
            if (pid < 0) return errno == ECHILD;
            if (pid == 0) return false;
            if (pid == child_) {
                status = st;
                child_ended = true;
            } else if (options_.verbose) {
                warn("reaped orphan %d (%s): %s", static_cast<int>(pid), comm.c_str(), describe_wait_status(st).c_str());
            }
        }
    }

    // While the command runs, a signal goes to it (or its group); after it
    // has ended, to each remaining child, all of them adopted orphans.
    void forward(int sig, bool child_ended) {
        if (!child_ended) {
            pid_t target = options_.to_group ? -child_ : child_;
            if (kill(target, sig) == 0 && options_.verbose)
                warn("forwarded %s to %s %d", signal_name(sig).c_str(), options_.to_group ? "group" : "pid",
                     static_cast<int>(child_));
            return;
        }
        pid_t self = getpid();
        scan_processes([&](const ProcStat& p) {
            if (p.ppid != self || kill(p.pid, sig) != 0) return;
            if (options_.verbose) warn("forwarded %s to orphan %d", signal_name(sig).c_str(), static_cast<int>(p.pid));
        });
    }

    SubreaperOptions options_;
    pid_t child_ = -1;
};

}  // namespace

int run_subreaper(const std::vector<std::string>& argv, const SubreaperOptions& options) {
    return Subreaper(options).run(argv);
}

std::string describe_wait_status(int status) {
    if (WIFSIGNALED(status))
        return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + signal_name(WTERMSIG(status)) + ")";
    return "exit status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace prockit
