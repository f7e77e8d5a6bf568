#include "spawn.h"

#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

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

    Actions actions;
    if (spec.in >= 0) posix_spawn_file_actions_adddup2(&actions.f, spec.in, STDIN_FILENO);
    if (spec.out >= 0) posix_spawn_file_actions_adddup2(&actions.f, spec.out, STDOUT_FILENO);
    if (spec.err >= 0) posix_spawn_file_actions_adddup2(&actions.f, spec.err, STDERR_FILENO);
    if (spec.tty >= 0) posix_spawn_file_actions_addtcsetpgrp_np(&actions.f, spec.tty);

    std::vector<char*> argv;
    for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    Spawned s;
    s.error = posix_spawnp(&s.pid, argv[0], &actions.f, &attr.a, argv.data(), spec.env ? spec.env : environ);
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
