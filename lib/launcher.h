// A launcher for Boost.Process v2 that costs what the kernel costs.
//
// Boost.Process v2 gives each job a process handle whose async_wait waits
// on a pidfd in an asio loop, beside the job's output pipes and the pool's
// timers: that is what it serves for here. Its launchers are another
// matter. Measured on a 2-core machine with Boost 1.81, the default
// launcher (fork, then an error pipe read back by the parent) costs about
// 1.28x a plain posix_spawn loop per job, and vfork_launcher aborts with
// "assign: Invalid argument". So this launcher starts the process with
// spawn_job (lib/spawn.h: glibc's posix_spawn, which runs on
// clone(CLONE_VM | CLONE_VFORK) and reports exec failures itself), opens a
// pidfd, and hands both to basic_process, which takes them as they are.
//
// The handle is detached once the job is reaped: basic_process kills a
// still-running process when it is destroyed, and by then its pid may
// belong to a newer job.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/process/v2/process.hpp>

#include <optional>

#include "spawn.h"

namespace prockit {

using JobExecutor = boost::asio::io_context::executor_type;
using JobProcess = boost::process::v2::basic_process<JobExecutor>;

// Starts spec as spawn_job does. `started` says how: on an exec failure its
// error is set and no process is returned.
inline std::optional<JobProcess> launch(const JobExecutor& exec, const SpawnSpec& spec, Spawned& started) {
    started = spawn_job(spec);
    if (started.error) return std::nullopt;
    return std::optional<JobProcess>(std::in_place, exec, started.pid, started.pidfd);
}

}  // namespace prockit
