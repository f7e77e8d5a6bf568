// The pool's one asio loop, which waits for everything at once: the jobs'
// exits (a SIGCHLD signalfd) and pipes, the input, the stop signals
// (another signalfd), the requests of SIGUSR1 and SIGUSR2 (a third) and
// one timer.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "signals.h"

namespace prockit {

class EventLoop {
public:
    // The stop signals stay blocked; the signalfd notes them in `stop`
    // when one is pending.
    explicit EventLoop(const StopSignals& stop);
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;
    boost::asio::io_context& io() { return io_; }

    // How many times SIGUSR1 (list the running jobs) or SIGUSR2 (turn the
    // progress line on or off) arrived since the last call, as GNU
    // parallel's requests: they no longer end pool-run while the pool runs.
    unsigned take_requests(int sig);

    // Wakes the loop when `fd` is readable (it must have been drained: the
    // wait is for a new edge). The loop watches a duplicate of it.
    void watch_input(int fd);
    // Wakes the loop at `when` (monotonic seconds) at the latest.
    void wake_at(double when);
    // Waits for at least one event, then runs every other one ready.
    void run_once();
    // Runs what is ready, without waiting.
    void run_ready();

    // Calls `exited` with the wait status once `pid`, a child of ours, has
    // exited and been reaped (or the negative errno of a wait that failed).
    // Children nobody watches (the Perl helper) are left to whoever waits
    // for them.
    void watch_child(pid_t pid, std::function<void(int status)> exited);

private:
    void watch_stop_signals();
    void watch_requests();
    void watch_children();
    void reap_children(pid_t sender);

    // Declared first, so that it outlives all that is registered with it.
    boost::asio::io_context io_{1};
    const StopSignals& stop_;
    boost::asio::steady_timer timer_{io_};
    bool timer_armed_ = false;
    double timer_at_ = 0;
    std::optional<boost::asio::posix::stream_descriptor> input_, signals_, requests_, children_fd_;
    std::unordered_map<pid_t, std::function<void(int)>> children_;
    sigset_t mask_before_;
    bool input_armed_ = false;
};

}  // namespace prockit
