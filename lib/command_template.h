// A job's command line from a template and its input, with GNU parallel's
// replacement strings:
//
//     {}    the input          {.}   without its extension
//     {/}   its basename       {//}  its dirname
//     {/.}  basename without extension
//     {#}   the job's sequence number     {%}  its slot, 1..j
//     {N}   the Nth input of a job with several (::: groups); {0} is {}
//
// A template given as separate words runs directly, each substituted word
// one argument whatever it holds. A template that is one word with spaces
// or shell syntax runs under /bin/sh -c with every substitution quoted.
// With no words at all, each input is itself a command for /bin/sh.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace prockit {

struct JobInput {
    std::vector<std::string> args;  // one per input source
    unsigned long long seq = 0;
    unsigned slot = 0;
};

class CommandTemplate {
public:
    enum class Shell { automatic, always, never };
    // Throws Error(Exit::usage) for a {N} whose N does not fit in 64 bits.
    CommandTemplate(std::vector<std::string> words, Shell shell);

    // True if the job runs under /bin/sh (a one-word template with shell
    // syntax, --shell, or no template: each input is a command).
    bool uses_shell() const { return shell_ || words_.empty(); }
    // The argv of the job (for a shell job: /bin/sh, -c, the script).
    std::vector<std::string> argv(const JobInput& in) const;
    // The command as a person (or the joblog) reads it: a shell line.
    std::string display(const JobInput& in) const;

private:
    std::string substitute(std::string_view word, const JobInput& in, bool quote) const;

    std::vector<std::string> words_;
    bool shell_;
    bool has_replacement_;
};

// `s` quoted for /bin/sh: unchanged if it is safe as it is, else in single
// quotes (with ' written as '\'').
std::string shell_quote(std::string_view s);

}  // namespace prockit
