// Stop signals turned into a flag the main loop reads.
//
// SIGINT, SIGTERM and SIGHUP are blocked for the life of a StopSignals and
// let in only while the tool waits in ppoll(). So a signal can never land
// between "took a message off the queue" and "wrote it out": it is seen at
// the next wait, after the work in hand is finished, and the tool then
// flushes and dies of that same signal.
#pragma once

#include <signal.h>

#include <cerrno>
#include <string_view>

#include "deadline.h"
#include "diag.h"

namespace prockit {

class StopSignals {
public:
    // Also::other_fatal takes SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM and
    // SIGPROF as stop signals too: for a tool that has something to remove
    // at the end (pipe-cat's FIFO), whichever catchable signal ends it.
    enum class Also { nothing, other_fatal };
    explicit StopSignals(Also also = Also::nothing);
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // The one alive now, or null: for waits deep in a library (a Redis
    // reply) that no caller hands a StopSignals to.
    static const StopSignals* active();

    // The stop signal that arrived, or 0.
    int received() const;
    // For waits that cannot let signals in atomically (futex): lets a
    // pending stop signal be delivered now; true if one has arrived.
    bool check() const;
    // For loops that take stop signals from a signalfd (the signals stay
    // blocked and are read there): records that `sig` arrived.
    void note(int sig) const;
    // The mask to wait with: the one in force before, so stop signals get in.
    const sigset_t* wait_mask() const { return &old_mask_; }
    // Ends the tool of the received signal, so the parent sees how we
    // ended: prockit::die_of_signal(received()), lib/diag.h.
    [[noreturn]] void die_of_signal() const;

    // Runs f() (one system call that may block, such as a write to a full
    // pipe) with the stop signals let in, so that the call returns EINTR
    // when one arrives. A signal that lands between the check and the call
    // is seen at the next wait.
    // A signal named `goes_on` (pool-run's SIGHUP: the running jobs finish
    // and their output is written) does not stop the call.
    template <class F>
    auto let_in(F f, int goes_on = 0) const -> decltype(f()) {
        if (received() && received() != goes_on) {
            errno = EINTR;
            return -1;
        }
        sigset_t blocked;
        sigprocmask(SIG_SETMASK, &old_mask_, &blocked);
        auto r = f();
        int err = errno;
        sigprocmask(SIG_SETMASK, &blocked, nullptr);
        errno = err;
        return r;
    }

private:
    sigset_t old_mask_;
    int sigs_[8] = {};
    size_t count_ = 0;
    struct sigaction old_actions_[8];
};

// While one lives, SIGPIPE is ignored: a write to a pipe whose reader has
// gone away fails with EPIPE instead of ending the process on the spot.
// For a tool that must end its children and remove its files first, and
// then dies of SIGPIPE itself (die_of_signal), so that its parent still
// sees 141 (pool-run, lib/pool.cpp). Children get SIGPIPE's default back
// (spawn_job, the Perl helper).
class SigpipeAsEpipe {
public:
    SigpipeAsEpipe();
    ~SigpipeAsEpipe();
    SigpipeAsEpipe(const SigpipeAsEpipe&) = delete;
    SigpipeAsEpipe& operator=(const SigpipeAsEpipe&) = delete;

private:
    struct sigaction old_;
};

// Thrown where a stop signal ends a wait that has no way to return
// "stopped" (a Redis command): the stack unwinds, so what the tool made
// (a FIFO) is removed, and main calls die() to end of that signal.
class Stopped : public Error {
public:
    explicit Stopped(int sig);
    int signal() const { return sig_; }
    // As StopSignals::die_of_signal.
    [[noreturn]] void die() const;

private:
    int sig_;
};

// Writes all of data to fd, retrying EINTR and partial writes; with `stop`,
// each write that may block (a full pipe) lets stop signals in. True once
// all is written; false with errno set: EINTR when a stop signal came first
// (the rest is abandoned: the tool is about to die of it), EPIPE when the
// reader has gone away, or the write's own error.
// A signal named `goes_on` does not stop it (see let_in).
bool write_unless_stopped(int fd, std::string_view data, const StopSignals* stop, int goes_on = 0);

// Takes back SIGCHLD's default action. A parent that ignored SIGCHLD
// passes SIG_IGN on through exec(2); the kernel would then reap our
// children itself, and waitpid find none to report (pool-run failed every
// job with ECHILD, zombie-watch --subreaper waited forever). Every tool
// that waits for children calls this first.
void default_sigchld();

enum class Wait { ready, timed_out, stopped };

// Sleeps until the deadline, or until a stop signal arrives (stopped).
Wait sleep_until(const Deadline& deadline, const StopSignals* stop);

// Waits until fd is ready for `events` (POLLIN, POLLOUT), the deadline
// passes, or a stop signal arrives (when `stop` is given).
Wait wait_fd(int fd, short events, const Deadline& deadline, const StopSignals* stop);

}  // namespace prockit
