// GNU parallel's conventions for pool-run's options, each copied from
// parallel's own source (the Perl of /usr/bin/parallel), as pure functions
// of text so that unit tests and a fuzz target call them:
//
//   - $PARALLEL split into words as Text::ParseWords::shellwords splits it;
//   - --tagstring's escapes (unquote_printf: \t \n \r \NNN \N);
//   - durations with time units (--delay 1m30s: multiply_time_units);
//   - --termseq TERM,200,KILL,25;
//   - the options parallel has that pool-run refuses: the remote ones
//     (-S, --transfer...), which point at --from redis://, and the others,
//     "not supported" -- never silently accepted.
#pragma once

#include <getopt.h>

#include <string>
#include <string_view>
#include <vector>

#include "pool_options.h"

namespace prockit {

// The GNU parallel whose options and conventions pool-run copies: what
// --minversion prints and compares with.
inline constexpr char kParallelVersion[] = "20221122";

// $PARALLEL as parallel splits it (shellwords): words at blanks, '...' and
// "..." quoting, backslash escapes outside single quotes. An unmatched
// quote or a trailing backslash, which parallel takes for no options at
// all, is Error(Exit::usage) naming `what` (a profile's lines are split so too).
std::vector<std::string> parallel_env_words(std::string_view text, const std::string& what = "$PARALLEL");

// parallel's unquote_printf: \t \n \r, then \NNN and \N octal, in that order.
std::string unquote_printf(std::string s);

// Seconds, with parallel's time units: "2.5", "90s", "1m30s", "1h", "2d".
// Error(Exit::usage) naming `what` otherwise.
double parse_duration(const char* text, const char* what);

// --termseq SIGNAL,MS[,SIGNAL,MS...]: names (TERM, SIGTERM) or numbers.
std::vector<TermStep> parse_termseq(const char* text);

// D's long options in run_args' table (its section's numbers), and their
// parsing into RunArgs: false when `c` is none of them.
enum OutputOption {
    kResults = 1300, kFiles, kTagString, kDelay, kNice, kTermSeq, kEta, kProgress, kMinVersion, kNumberOfCores,
    kNumberOfThreads, kNumberOfSockets, kShellCompletion, kTmpdir, kPlain, kAccepted, kSilent, kNoKeepOrder,
    kGroup,
};
struct RunArgs;
bool parse_output_option(RunArgs& a, int c, const char* arg);

// The options pool-run refuses. `table` (pool-run's own) followed by
// parallel's long options that it lacks, each with a value of its own
// (kRefusedBase + N); is_refused() knows those values and the refused
// letters (-S, -M, -p...: in run_args' short options), refusal() says the
// one line for each: a remote option points at --from redis://.
inline constexpr int kRefusedBase = 5000;
std::vector<option> with_refused(const option* table);
bool is_refused(int value);
std::string refusal(int value);

// --shell-completion bash: as parallel's, one line that completes the
// options of `table` and `letters` (an optstring), the refused ones left out.
std::string bash_completion_script(const option* table, const char* letters);

}  // namespace prockit
