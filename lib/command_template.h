// A job's command line from a template and its input, composed as GNU
// parallel composes it: the template's words joined by spaces as they are
// (so `echo {}\; exit {}` is two commands, `">"{.}` a redirection), each
// replacement string's value shell-quoted in it (lib/replacement.h); with
// no replacement string, the inputs appended, quoted; with no template,
// the inputs themselves joined by spaces are the line. -q quotes each
// word, so that it reaches the command as one argument whatever it holds.
//
// The line runs as parallel runs it, `SHELL -c LINE` with the shell it
// would pick (lib/job_shell.h) -- unless it is a simple command the
// shell would only exec (lib/shell_words.h): then its words are exec'd
// directly, the same command with the same arguments and no shell.
// --shell always takes the shell; --no-shell never: the words as given,
// each substituted word one argument, as pool-run ran them before.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "job_shell.h"
#include "replacement.h"

namespace prockit {

// How the jobs' lines are run: -q, --shell, --no-shell, and the shell.
struct ShellChoice {
    enum class Mode { automatic, always, never } mode = Mode::automatic;
    bool quote = false;  // -q
    JobShell shell;
    unsigned shellquote = 0;  // --shellquote: each job prints its line quoted this many times
};

class CommandTemplate {
public:
    using Shell = ShellChoice::Mode;
    // Throws Error(Exit::usage) for a malformed replacement string.
    CommandTemplate(std::vector<std::string> words, ShellChoice how, const ReplacementRules& rules = {});
    CommandTemplate(std::vector<std::string> words, Shell mode, const ReplacementRules& rules = {})
        : CommandTemplate(std::move(words), ShellChoice{mode, false, {}}, rules) {}

    // True if a job may take the shell as well as its command (two
    // processes): its line is not simple, or --shell.
    bool uses_shell() const { return uses_shell_; }
    // The argv of the job: the words of a simple line, or SHELL -c LINE
    // (`shell`: the latter whatever the line, as when the kernel cannot
    // exec the words, a script without #!, which the shell runs itself).
    std::vector<std::string> argv(const JobInput& in, bool shell = false) const;
    // The command line as parallel shows it (--dry-run, the joblog).
    std::string display(const JobInput& in) const;
    // A word needs the number of jobs ({##}, {0#}, total_jobs()).
    bool needs_total() const;

private:
    std::string line(const JobInput& in) const;
    std::string composed(const JobInput& in) const;  // line() before --shellquote
    std::vector<std::string> words(const JobInput& in) const;

    std::vector<Expansion> words_;
    ShellChoice how_;
    bool has_replacement_ = false;
    bool uses_shell_ = true;
};

}  // namespace prockit
