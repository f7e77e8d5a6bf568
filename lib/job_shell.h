// The shell a job's command line runs with, picked as GNU parallel picks
// it (its `$Global::shell`): $PARALLEL_SHELL, else the shell pool-run was
// started from -- the nearest ancestor whose argv[0] names a shell ("bash",
// "/bin/dash", "-zsh", "busybox sh"), found again by that name in PATH --
// else $SHELL, else /bin/sh. Exported bash functions (BASH_FUNC_name%% in
// the environment) reach the jobs when that shell is bash.
//
// Whether a line may skip the shell (lib/shell_words.h) depends on it too:
// only bash's and dash's simple commands are known well enough (zsh, ksh,
// busybox and csh have builtins and expansions of their own), and not
// when bash reads a file first ($BASH_ENV) or is given options
// ($SHELLOPTS): then every line goes to the shell.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prockit {

struct JobShell {
    std::string path = "/bin/sh";  // as exec'd: a name without '/' is looked up in PATH
    bool knows_simple = true;      // plain_words() speaks for this shell
    std::vector<std::string> functions;  // names of exported bash functions

    // True if the shell, given these words of a simple command, would
    // only exec them: the first is no builtin, keyword or exported function.
    bool would_exec(const std::vector<std::string>& words) const;
};

// The shell named by a process's argv[0], as GNU parallel's parent_shell
// reads it: its name and whether it had a leading '-' (a login shell).
struct ShellName {
    std::string name;
    bool dash = false;
};
std::optional<ShellName> shell_named_by(std::string_view argv0);

// GNU parallel's which(): the first PATH entry that holds an executable
// `name` that is not a directory; `name` itself too if it has a '/'.
std::optional<std::string> which(std::string_view name, std::string_view path);

// The names of the exported bash functions in an environment.
std::vector<std::string> exported_functions(char* const* env);

// The shell for the jobs of this process, from its environment and its
// ancestors in /proc. Throws Error(Exit::failure, "shell 'X' not found")
// when the one picked is not there, as GNU parallel exits 255 then.
JobShell pick_job_shell();

}  // namespace prockit
