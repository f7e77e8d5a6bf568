// A job's command line from a template and its input, with GNU parallel's
// replacement strings (lib/replacement.h).
//
// A template given as separate words runs directly, each substituted word
// one argument whatever it holds. A template that is one word with spaces
// or shell syntax runs under /bin/sh -c with every substitution quoted.
// With no words at all, each input is itself a command for /bin/sh.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "replacement.h"

namespace prockit {

class CommandTemplate {
public:
    enum class Shell { automatic, always, never };
    // Throws Error(Exit::usage) for a malformed replacement string.
    CommandTemplate(std::vector<std::string> words, Shell shell, const ReplacementRules& rules = {});

    // True if the job runs under /bin/sh (a one-word template with shell
    // syntax, --shell, or no template: each input is a command).
    bool uses_shell() const { return shell_ || words_.empty(); }
    // The argv of the job (for a shell job: /bin/sh, -c, the script).
    std::vector<std::string> argv(const JobInput& in) const;
    // The command as a person (or the joblog) reads it: a shell line.
    std::string display(const JobInput& in) const;

private:
    std::vector<Expansion> words_;
    bool shell_;
    bool has_replacement_;
};

}  // namespace prockit
