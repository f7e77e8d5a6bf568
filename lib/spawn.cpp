#include "spawn.h"

#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>

#include "diag.h"
#include "fd.h"

namespace prockit {

namespace {
// RAII for the attribute and file-action objects.
struct Attr {
    posix_spawnattr_t a;
    Attr() { posix_spawnattr_init(&a); }
    ~Attr() { posix_spawnattr_destroy(&a); }
};
struct Actions {
    posix_spawn_file_actions_t f;
    Actions() { posix_spawn_file_actions_init(&f); }
    ~Actions() { posix_spawn_file_actions_destroy(&f); }
    Actions(const Actions&) = delete;
    Actions& operator=(const Actions&) = delete;
};

// The file actions of a spawn, kept for the descriptors they name. glibc
// checks each descriptor of posix_spawn_file_actions_adddup2 against
// getrlimit(RLIMIT_NOFILE), twice: six system calls a job for three
// descriptors that are, job after job, the same few numbers (the lowest
// free ones). A pool asks for a handful of distinct sets; the cache keeps
// the last few and builds an unknown set once.
class ActionsCache {
public:
    const posix_spawn_file_actions_t* get(const SpawnSpec& spec) {
        Key key{spec.in, spec.out, spec.err, spec.tty};
        for (Entry& e : entries_)
            if (e.actions && e.key == key) return &e.actions->f;
        Entry& e = entries_[next_++ % entries_.size()];
        e.key = key;
        e.actions = std::make_unique<Actions>();
        posix_spawn_file_actions_t* f = &e.actions->f;
        if (spec.in >= 0) posix_spawn_file_actions_adddup2(f, spec.in, STDIN_FILENO);
        if (spec.out >= 0) posix_spawn_file_actions_adddup2(f, spec.out, STDOUT_FILENO);
        if (spec.err >= 0) posix_spawn_file_actions_adddup2(f, spec.err, STDERR_FILENO);
        if (spec.tty >= 0) posix_spawn_file_actions_addtcsetpgrp_np(f, spec.tty);
        return f;
    }

private:
    using Key = std::array<int, 4>;
    struct Entry {
        Key key{};
        std::unique_ptr<Actions> actions;
    };
    std::array<Entry, 8> entries_;
    size_t next_ = 0;
};
}  // namespace

Spawned spawn_job(const SpawnSpec& spec) {
    Attr attr;
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGTTOU}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr.a, &none);
    posix_spawnattr_setsigdefault(&attr.a, &defaults);
    posix_spawnattr_setpgroup(&attr.a, 0);
    posix_spawnattr_setflags(&attr.a, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    static thread_local ActionsCache actions;

    std::vector<char*> argv;
    for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    Spawned s;
    s.error = posix_spawnp(&s.pid, argv[0], actions.get(spec), &attr.a, argv.data(), spec.env ? spec.env : environ);
    if (s.error) {
        s.pid = -1;
        return s;
    }
    if (!spec.pidfd) return s;
    s.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, s.pid, 0));
    if (s.pidfd < 0) {
        // Out of descriptors: without a pidfd the caller cannot wait for
        // the child, so it goes now, before it can have done much.
        int err = errno;
        ::kill(-s.pid, SIGKILL);
        retry_eintr([&] { return ::waitpid(s.pid, nullptr, 0); });
        throw system_error(err, "pidfd_open");
    }
    return s;
}

int shell_status(int wait_status) {
    return WIFSIGNALED(wait_status) ? code(Exit::signal_base) + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}

std::string Spawned::failure_reason() const { return error == ENOENT ? "command not found" : reason(error); }

Environment::Environment(std::initializer_list<std::string_view> without) {
    for (char** e = environ; *e; ++e) {
        std::string_view var(*e);
        std::string_view name = var.substr(0, var.find('='));
        bool drop = false;
        for (std::string_view w : without) drop = drop || name == w;
        if (!drop) vars_.emplace_back(var);
    }
    for (std::string& v : vars_) ptrs_.push_back(v.data());
    ptrs_.push_back(nullptr);
}

}  // namespace prockit
