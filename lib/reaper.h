// A child subreaper, as tini -s is one: run a command as our child, adopt
// and reap every orphan among its descendants, forward signals to it, and
// end with its status.
//
// Every wait in this process is a waitpid(-1) in one loop, which therefore
// owns every pid, the command's included. A second waiter (a process
// handle's own wait, as Boost.Process keeps one) would race that loop for
// the command's status and lose it now and then, so there is none.
#pragma once

#include <string>
#include <vector>

namespace prockit {

struct SubreaperOptions {
    bool to_group = false;  // forward signals to the command's process group
    bool verbose = false;   // report each orphan reaped and each signal forwarded, on stderr
};

// Runs argv as described above. When the command exits, its descendants
// that are still running are left running, now our children: we wait for
// them and reap them (signals keep being forwarded, to each of them), so
// that none is handed on to init. Returns the command's exit status, 128+N
// if a signal N killed it, 127/126 if it could not be run.
int run_subreaper(const std::vector<std::string>& argv, const SubreaperOptions& options);

// "exit status N" or "killed by signal N (NAME)", for a wait status.
std::string describe_wait_status(int status);

}  // namespace prockit
