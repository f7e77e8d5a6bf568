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

EventLoop::EventLoop(const StopSignals& stop) : stop_(stop) {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
    int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0) throw system_error(errno, "signalfd");
    signals_.emplace(io_, fd);
    watch_stop_signals();
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
