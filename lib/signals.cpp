#include "signals.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "diag.h"
#include "exit.h"
#include "fd.h"

namespace prockit {

namespace {
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
// The other signals whose default is to end the process and that a program
// may catch (SIGPIPE aside: a write to a closed pipe ends us as it ends cat).
constexpr int kOtherFatal[] = {SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF};
volatile sig_atomic_t g_received = 0;
const StopSignals* g_active = nullptr;

extern "C" void on_stop_signal(int sig) { g_received = sig; }
}  // namespace

StopSignals::StopSignals(Also also) {
    for (int sig : kStopSignals) sigs_[count_++] = sig;
    if (also == Also::other_fatal)
        for (int sig : kOtherFatal) sigs_[count_++] = sig;
    sigset_t block;
    sigemptyset(&block);
    for (size_t i = 0; i < count_; ++i) sigaddset(&block, sigs_[i]);
    sigprocmask(SIG_BLOCK, &block, &old_mask_);
    for (size_t i = 0; i < count_; ++i) sigdelset(&old_mask_, sigs_[i]);

    struct sigaction sa = {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: ppoll must return EINTR
    for (size_t i = 0; i < count_; ++i) sigaction(sigs_[i], &sa, &old_actions_[i]);
    g_active = this;
}

StopSignals::~StopSignals() {
    if (g_active == this) g_active = nullptr;
    for (size_t i = 0; i < count_; ++i) sigaction(sigs_[i], &old_actions_[i], nullptr);
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
}

const StopSignals* StopSignals::active() { return g_active; }

int StopSignals::received() const { return g_received; }

void StopSignals::note(int sig) const { g_received = sig; }

bool StopSignals::check() const {
    if (g_received) return true;
    sigset_t pending;
    sigpending(&pending);
    for (size_t i = 0; i < count_; ++i) {
        if (sigismember(&pending, sigs_[i])) {
            // Open the mask for a moment: the handler runs and sets the flag.
            sigset_t blocked;
            sigprocmask(SIG_SETMASK, &old_mask_, &blocked);
            sigprocmask(SIG_SETMASK, &blocked, nullptr);
            break;
        }
    }
    return g_received != 0;
}

void StopSignals::die_of_signal() const { prockit::die_of_signal(g_received); }

SigpipeAsEpipe::SigpipeAsEpipe() {
    struct sigaction sa = {};
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, &old_);
}

SigpipeAsEpipe::~SigpipeAsEpipe() { sigaction(SIGPIPE, &old_, nullptr); }

Stopped::Stopped(int sig) : Error(static_cast<Exit>(code(Exit::signal_base) + sig), "stopped by a signal"), sig_(sig) {}

void Stopped::die() const { die_of_signal(sig_); }

bool write_unless_stopped(int fd, std::string_view data, const StopSignals* stop, int goes_on) {
    if (!stop) return write_all(fd, data);
    while (!data.empty()) {
        ssize_t n = stop->let_in([&] { return ::write(fd, data.data(), data.size()); }, goes_on);
        if (n < 0 && (errno != EINTR || (stop->received() && stop->received() != goes_on))) return false;
        if (n > 0) data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

Wait sleep_until(const Deadline& deadline, const StopSignals* stop) {
    // Polling a negative descriptor waits for nothing but the time.
    return wait_fd(-1, 0, deadline, stop) == Wait::stopped ? Wait::stopped : Wait::timed_out;
}

Wait wait_fd(int fd, short events, const Deadline& deadline, const StopSignals* stop) {
    for (;;) {
        if (stop && stop->received()) return Wait::stopped;
        pollfd p = {fd, events, 0};
        timespec ts;
        const timespec* tsp = nullptr;
        if (!deadline.is_never()) {
            int64_t ns = deadline.remaining_ns();
            ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
            ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
            tsp = &ts;
        }
        int n = ::ppoll(&p, 1, tsp, stop ? stop->wait_mask() : nullptr);
        if (n > 0) return Wait::ready;
        if (n == 0) return Wait::timed_out;
        if (errno != EINTR) throw system_error(errno, "poll");
    }
}

void default_sigchld() {
    struct sigaction sa{};
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGCHLD, &sa, nullptr);
}

}  // namespace prockit
