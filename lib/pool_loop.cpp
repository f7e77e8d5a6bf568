#include "pool_loop.h"

#include <fcntl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>

#include "deadline.h"
#include "diag.h"

namespace prockit {

using Descriptor = boost::asio::posix::stream_descriptor;

namespace {
volatile sig_atomic_t g_requests[2];  // SIGUSR1, SIGUSR2
int request_index(int sig) { return sig == SIGUSR1 ? 0 : 1; }
// While the requests are blocked they reach the signalfd. The handler is
// for the moments they are let in with the stop signals (a write to a
// full pipe, lib/signals.h): counted there, instead of ending pool-run.
extern "C" void on_request(int sig) { g_requests[request_index(sig)] = g_requests[request_index(sig)] + 1; }

int open_signalfd(std::initializer_list<int> sigs) {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : sigs) sigaddset(&set, sig);
    int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0) throw system_error(errno, "signalfd");
    return fd;
}
}  // namespace

EventLoop::EventLoop(const StopSignals& stop) : stop_(stop) {
    signals_.emplace(io_, open_signalfd({SIGINT, SIGTERM, SIGHUP}));
    watch_stop_signals();
    requests_.emplace(io_, open_signalfd({SIGUSR1, SIGUSR2}));
    struct sigaction sa = {};
    sa.sa_handler = on_request;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, nullptr);
    sigaction(SIGUSR2, &sa, nullptr);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, &mask_before_);
    watch_requests();
}

// The handler stays: a request that comes while pool-run ends is counted,
// and nobody asks for it.
EventLoop::~EventLoop() { sigprocmask(SIG_SETMASK, &mask_before_, nullptr); }

void EventLoop::watch_requests() {
    requests_->async_wait(Descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;
        signalfd_siginfo info;
        while (::read(requests_->native_handle(), &info, sizeof info) == sizeof info)
            on_request(static_cast<int>(info.ssi_signo));
        watch_requests();
    });
}

// Called with the requests blocked (outside let_in), so the handler
// cannot run between the read and the write.
unsigned EventLoop::take_requests(int sig) {
    volatile sig_atomic_t& n = g_requests[request_index(sig)];
    unsigned got = static_cast<unsigned>(n);
    n = n - static_cast<sig_atomic_t>(got);
    return got;
}

void EventLoop::watch_stop_signals() {
    signals_->async_wait(Descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;
        signalfd_siginfo info;
        while (::read(signals_->native_handle(), &info, sizeof info) == sizeof info)
            stop_.note(static_cast<int>(info.ssi_signo));
        watch_stop_signals();
    });
}

void EventLoop::watch_input(int fd) {
    if (input_armed_) return;
    if (!input_) input_.emplace(io_, ::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    input_armed_ = true;
    input_->async_wait(Descriptor::wait_read, [this](const boost::system::error_code&) { input_armed_ = false; });
}

// One timer for the nearest of the timeouts, the SIGKILLs after a grace,
// the source's next look and the bar. It is set again only when the wake
// comes sooner, since each setting cancels a wait, and a wake that comes
// too early only costs one more look.
void EventLoop::wake_at(double when) {
    if (timer_armed_ && timer_at_ <= when) return;
    timer_armed_ = true;
    timer_at_ = when;
    timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(std::max(0.0, when - monotonic_seconds()))));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec != boost::asio::error::operation_aborted) timer_armed_ = false;
    });
}

void EventLoop::run_once() {
    io_.restart();
    io_.run_one();
    io_.poll();
}

void EventLoop::run_ready() {
    io_.restart();
    io_.poll();
}

}  // namespace prockit
