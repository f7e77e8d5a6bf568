// GNU parallel's replacement strings in one command line: found once
// (Expansion's constructor), then replaced by their values for each job.
//
//     {}    the input          {.}   without its extension
//     {/}   its basename       {//}  its dirname
//     {/.}  basename without extension
//     {#}   the job's sequence number     {%}  its slot, 1..j
//     {N}   the Nth input of a job with several (::: groups); {0} is {}
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace prockit {

struct JobInput {
    // The job's arguments, each a record of fields: one field per input
    // source (::: groups, -a files, linked or crossed) or per --colsep
    // column. One record per job unless -n/-N/-m/-X/--xargs give it several.
    std::vector<std::vector<std::string>> records;
    unsigned long long seq = 0;
    unsigned slot = 0;
    // All fields of all records, in order: what {N} numbers.
    std::vector<std::string> flat() const;
};

// What the options say about the replacement strings.
struct ReplacementRules {};

// One command line's replacement strings. A malformed one (a {N} whose N
// does not fit in 64 bits) is Error(Exit::usage).
class Expansion {
public:
    Expansion(std::string line, const ReplacementRules& rules);
    bool has_replacement() const { return has_replacement_; }
    // The line with each replacement string replaced by its value for
    // `in`: shell-quoted when `quote` (a shell command line), else verbatim
    // (an argv word, --tagstring).
    std::string expand(const JobInput& in, bool quote) const;

private:
    std::string line_;
    bool has_replacement_ = false;
};

// `s` quoted for /bin/sh: unchanged if it is safe as it is, else in single
// quotes (with ' written as '\'').
std::string shell_quote(std::string_view s);

}  // namespace prockit
