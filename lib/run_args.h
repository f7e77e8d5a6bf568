// pool-run's command line as a value: its options (PoolOptions and where
// the inputs come from), and the grammar of its operands,
//
//     COMMAND [ARG...] [::: ARG... | :::: FILE...]...
//
// each ::: one more group of arguments and each FILE after :::: one more
// group of its lines, in the order given; the jobs are their cross product
// (lib/job_sources.h). The grammar and the checks of what excludes what
// are pure functions (no file is read here), so that unit tests and a
// fuzz target (fuzz/run_args.cpp) call them; each says misuse by throwing
// Error(Exit::usage, reason).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "command_template.h"
#include "options.h"
#include "pool_options.h"

namespace prockit {

// pool-run's long options, for Options.
extern const option kRunLongOptions[];

// One input source of the cross product: arguments given, or a file's
// records (read by read_groups, lib/input_files.h).
struct InputGroup {
    std::vector<std::string> args;
    std::string file;  // "" for a ::: group; "-": standard input
    bool from_file = false;
    bool operator==(const InputGroup&) const = default;
};

enum class Bar { off, on_terminal, always };

struct RunArgs {
    PoolOptions pool;
    char delim = '\n';                    // -0: '\0'
    std::vector<std::string> arg_files;   // -a FILE, in order
    CommandTemplate::Shell shell = CommandTemplate::Shell::automatic;
    std::optional<std::string> from;      // --from QUEUE
    double idle = 0;
    bool idle_given = false;
    Bar bar = Bar::off;
    std::vector<std::string> command;     // COMMAND [ARG...]
    std::vector<InputGroup> groups;       // ::: and ::::, in order (not -a)
    // A: shell
    // B: replacement
    ReplacementRules rules;
    // C: inputs
    // D: options
};

// The options, up to the first operand. Misuse ends the process as
// Options does (the usage line, status 255).
RunArgs parse_run_options(Options& o, unsigned cores);

// -j N or N% (of `cores`); 0: 250, cut at start to what the limits allow.
unsigned parse_jobs(const char* text, unsigned cores);
// --halt never|0|1|2 or now|soon,fail|success=N or N%.
Halt parse_halt(const char* text);
// --timeout SECONDS, or N% of the median runtime of successful jobs.
void parse_timeout(const char* text, PoolOptions& opt);

// The options that exclude each other (-u and -k, --resume without
// --joblog...).
void check_options(const RunArgs& a);

// The operands: COMMAND [ARG...], then the groups. A separator with
// nothing after it is an empty group (the cross product has no jobs).
// With --retry-failed, which ignores them, no file group is kept (none is
// to be read) and the command is empty: each logged command runs as it
// was logged.
void parse_operands(RunArgs& a, const std::vector<std::string>& operands);

// The inputs that exclude each other (--from and :::, --idle without
// --from...), once the operands are parsed.
void check_sources(const RunArgs& a);

}  // namespace prockit
