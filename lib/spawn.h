// Starting a job: posix_spawn in a process group of its own, with a pidfd
// to wait on when asked. glibc's posix_spawn runs on
// clone(CLONE_VM | CLONE_VFORK) and reports exec failures to the caller,
// which is the kernel's cost and gives 127/126 without an error pipe.
// Boost.Process v2's launchers are not used: measured on a 2-core machine
// with Boost 1.81, its default one (fork, then an error pipe read back)
// cost about 1.28x a plain posix_spawn loop per job, and vfork_launcher
// aborts with "assign: Invalid argument". Nor are its handles: pool-run
// reaps its jobs on one SIGCHLD signalfd (lib/pool_loop.h), where a pidfd
// a job cost seven more system calls.
#pragma once

#include <sys/types.h>

#include <cerrno>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "exit.h"

namespace prockit {

struct SpawnSpec {
    std::vector<std::string> argv;
    int in = -1, out = -1, err = -1;  // -1: inherit ours
    int tty = -1;                     // a terminal to give the child's group the foreground of
    bool pidfd = true;                // open a pidfd for the child
    char* const* env = nullptr;       // its environment; nullptr: ours
};

struct Spawned {
    pid_t pid = -1;
    int pidfd = -1;  // readable when the child has exited; the caller closes it
    int error = 0;   // errno of a failed exec (ENOENT: not found, else cannot run)

    // After a failed exec, as a shell says it: 127 (Exit::not_found) and
    // "command not found" when there is no such command, else 126
    // (Exit::cannot_run) and the reason ("permission denied").
    Exit failure_status() const { return error == ENOENT ? Exit::not_found : Exit::cannot_run; }
    std::string failure_reason() const;
};

// The child starts in a new process group (pgid = pid), with an empty signal
// mask and default actions for the signals prockit tools catch. With `tty`,
// its group becomes the terminal's foreground before it runs, so that it
// reads the terminal and gets ^C as it would without us.
//
// A failed exec (or EAGAIN from a process limit) is reported in `error`;
// only a failed pidfd_open throws, after killing and reaping the child,
// which has then never run its command for the caller.
Spawned spawn_job(const SpawnSpec& spec);

// A reaped child's status as a shell gives it: its exit status, or 128+N
// (Exit::signal_base + N) when signal N killed it.
int shell_status(int wait_status);

// Our environment without the variables named: for jobs that must not see
// a secret the tool itself was given. The strings own the storage that
// pointers() points into.
class Environment {
public:
    explicit Environment(std::initializer_list<std::string_view> without);
    char* const* pointers() const { return ptrs_.data(); }

private:
    std::vector<std::string> vars_;
    std::vector<char*> ptrs_;
};

}  // namespace prockit
