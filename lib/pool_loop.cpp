#include "pool_loop.h"

#include <fcntl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <utility>
#include <vector>

#include "deadline.h"
#include "diag.h"
#include "fd.h"
#include "pool_limits.h"

namespace prockit {

using Descriptor = boost::asio::posix::stream_descriptor;

namespace {
volatile sig_atomic_t g_requests[2];  // SIGUSR1, SIGUSR2
int request_index(int sig) { return sig == SIGUSR1 ? 0 : 1; }
// While the requests are blocked they reach the signalfd. The handler is
// for the moments they are let in with the stop signals (a write to a
// full pipe, lib/signals.h): counted there, instead of ending pool-run.
extern "C" void on_request(int sig) { g_requests[request_index(sig)] = g_requests[request_index(sig)] + 1; }
// Likewise a SIGCHLD let in with the stop signals is delivered, not left
// for the signalfd: the flag has the loop look for exited children before
// it next waits.
volatile sig_atomic_t g_child_exited;
extern "C" void on_child(int) { g_child_exited = 1; }

int open_signalfd(std::initializer_list<int> sigs) {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : sigs) sigaddset(&set, sig);
    int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0 && errno == EMFILE) too_few_descriptors();
    if (fd < 0) throw system_error(errno, "signalfd");
    return fd;
}
}  // namespace

// Its descriptors (asio's epoll, eventfd and timerfd, the signalfds) are
// the first pool-run makes: out of them, there are too few for any job,
// which is said as pool_limits.h says it.
EventLoop::EventLoop(const StopSignals& stop) try : stop_(stop) {
    signals_.emplace(io_, open_signalfd({SIGINT, SIGTERM, SIGHUP}));
    watch_stop_signals();
    requests_.emplace(io_, open_signalfd({SIGUSR1, SIGUSR2}));
    struct sigaction sa = {};
    sa.sa_handler = on_request;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, nullptr);
    sigaction(SIGUSR2, &sa, nullptr);
    children_fd_.emplace(io_, open_signalfd({SIGCHLD}));
    sa.sa_handler = on_child;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, nullptr);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &mask_before_);
    watch_requests();
    watch_children();
} catch (const boost::system::system_error& e) {
    if (e.code() == boost::system::errc::too_many_files_open) too_few_descriptors();
    throw;
}

// The handlers stay: a request that comes while pool-run ends is counted,
// and nobody asks for it. A child still watched here is one the pool could
// not wait for (an exception on its way out): it is killed and reaped, as
// a Boost.Process handle would, so that none is left behind.
EventLoop::~EventLoop() {
    for (const auto& [pid, exited] : children_) {
        ::kill(pid, SIGKILL);
        retry_eintr([&] { return ::waitpid(pid, nullptr, 0); });
    }
    sigprocmask(SIG_SETMASK, &mask_before_, nullptr);
}

void EventLoop::watch_child(pid_t pid, std::function<void(int)> exited) { children_.emplace(pid, std::move(exited)); }

// One signalfd for every child, where a pidfd each costs a job seven more
// system calls (pidfd_open, three epoll_ctl, FIONBIO, a wait4 that finds
// nothing, close): see bench/pool-run. SIGCHLD does not queue, so one
// read takes what is pending: the child that sent it.
void EventLoop::watch_children() {
    children_fd_->async_wait(Descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;
        signalfd_siginfo info;
        bool got = ::read(children_fd_->native_handle(), &info, sizeof info) == sizeof info;
        reap_children(got ? static_cast<pid_t>(info.ssi_pid) : 0);
        watch_children();
    });
}

// SIGCHLDs merge, so each wake reaps every child that has exited: first
// `sender` (the one the signal named, at the cost of one wait), then
// those waitid with WNOWAIT names without reaping them, so that a child
// nobody watches (the Perl helper, which its owner waits for) is left
// alone; once it is the one named, the watched ones are looked at one by
// one. A negative status is the errno of a wait that failed: the child is
// gone for us all the same.
void EventLoop::reap_children(pid_t sender) {
    g_child_exited = 0;
    std::vector<std::pair<std::function<void(int)>, int>> exits;
    // A watched child, taken out and its handler kept if it has exited.
    auto reap_if_exited = [&](auto it) {
        int status = 0;
        if (::waitpid(it->first, &status, WNOHANG) != it->first) return std::next(it);
        exits.emplace_back(std::move(it->second), status);
        return children_.erase(it);
    };
    if (auto it = children_.find(sender); it != children_.end()) reap_if_exited(it);
    while (!children_.empty()) {
        siginfo_t info = {};
        if (retry_eintr([&] { return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT); }) != 0 || info.si_pid == 0)
            break;  // none has exited
        auto it = children_.find(info.si_pid);
        if (it == children_.end()) {
            for (auto c = children_.begin(); c != children_.end();) c = reap_if_exited(c);
            break;
        }
        int status = 0;
        if (retry_eintr([&] { return ::waitpid(info.si_pid, &status, 0); }) != info.si_pid) status = -errno;
        exits.emplace_back(std::move(it->second), status);
        children_.erase(it);
    }
    for (auto& [exited, status] : exits) exited(status);
}

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
    if (g_child_exited) {
        reap_children(0);  // an event already: no wait
    } else {
        io_.run_one();
    }
    io_.poll();
}

void EventLoop::run_ready() {
    io_.restart();
    io_.poll();
}

}  // namespace prockit
