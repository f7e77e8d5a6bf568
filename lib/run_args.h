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
#include "parallel_extras.h"
#include "pipe_args.h"
#include "pool_options.h"
#include "pool_rules.h"
#include "semaphore.h"

namespace prockit {

// pool-run's short and long options, for Options.
extern const char kRunShortOptions[];
extern const option kRunLongOptions[];

// One input source of the cross product: arguments given, or a file's
// records (read by read_groups, lib/input_files.h).
struct InputGroup {
    std::vector<std::string> args;
    std::string file;  // "" for a ::: group; "-": standard input
    bool from_file = false;
    bool linked = false;  // :::+ or ::::+: taken side by side with the source before it
    bool operator==(const InputGroup&) const = default;
};

enum class Bar { off, on_terminal, always };

struct RunArgs {
    PoolOptions pool;
    std::vector<std::string> arg_files;   // -a FILE, in order
    ShellChoice shell;                    // -q, --shell, --no-shell (the shell itself: pick_job_shell)
    std::optional<std::string> from;      // --from QUEUE
    double idle = 0;
    bool idle_given = false;
    Bar bar = Bar::off;
    std::vector<std::string> command;     // COMMAND [ARG...]
    std::vector<InputGroup> groups;       // ::: and ::::, in order (not -a)
    // A: shell
    std::vector<std::string> env;         // --env NAME[,NAME...], each given
    bool record_env = false;              // --record-env
    // B: replacement
    ReplacementRules rules;
    // C: inputs
    std::string delim = "\n";             // -0: NUL; -d DELIM (parallel's escapes read)
    bool delim_given = false;             // -d, which wins over -0 whatever the order
    std::string arg_sep = ":::", arg_file_sep = "::::";
    bool link = false;                    // --link: every source side by side, the shorter wrapping
    std::optional<std::string> eof;       // -E: the line that ends an input source
    bool skip_blank = false;              // -r: no job for a record of white space only
    bool shuf = false;
    std::optional<std::string> colsep;    // --colsep REGEX
    bool csv = false;
    std::optional<std::string> trim;      // --trim
    std::optional<std::string> header;    // --header : or REGEX (the first line), 0 (file names)
    std::optional<unsigned long long> max_args;  // -n, -N
    bool max_replace = false;             // -N
    bool multi_m = false, multi_x = false, multi_xargs = false;  // -m, -X, --xargs
    std::optional<unsigned long long> max_chars;  // -s
    bool no_args = false;                 // -n 0, -N 0: each input read, none given to the job
    std::optional<unsigned long long> lines_l, lines_L;  // -l/--max-lines[=N], -L N: as given (input_args.cpp)
    bool continue_lines = false;          // -L/-l without --pipe: a record ending in white space goes on
    bool skip_first_line = false;         // --skip-first-line: the first input source's first record dropped
    // D: options
    std::optional<std::string> tagstring;  // --tagstring (--tag: "{}"), escapes undone
    std::optional<int> nice;               // --nice N
    std::string shell_completion;          // --shell-completion SHELL
    std::optional<std::string> minversion; // --minversion VERSION
    int print_count = 0;                   // --number-of-cores and the like: that option's value
    std::optional<std::string> tmpdir;     // --tmpdir DIR
    bool plain = false;                    // --plain: $PARALLEL ignored
    // P: --pipe, --pipepart (lib/pipe_args.h): as given, settled into pool.pipe
    PipeArgs pipe;
    // R: the rest of parallel's options (lib/parallel_extras.h)
    ExtraArgs extra;
    // S: semaphore
    SemaphoreOptions sem;                  // --semaphore, --id, --fg, --wait... (lib/semaphore.h)
    bool jobs_given = false;               // -j: else a semaphore has 1 slot, as sem
};

// The options, up to the first operand. Misuse ends the process as
// Options does (the usage line, status 255).
RunArgs parse_run_options(Options& o, unsigned cores);


// The options that exclude each other (-u and -k, --resume without
// --joblog...).
void check_options(const RunArgs& a);

// C: inputs. After the options: what -n/-N/-m/-X/--xargs/-s make of the
// batches (a.pool.batch) and of the replacement rules (context replace).
void settle_inputs(RunArgs& a);
// -n, -N, -s: a whole number with parallel's unit prefixes (k 1000,
// K or ki 1024, and so on up to p/P).
unsigned long long parse_unit_count(const char* text, const char* what);
// -l/--max-lines's value, if any, as parallel reads it: none or 0 is 1,
// -0 is 1 and -0 (NUL records, the option it swallowed).
void parse_max_lines(RunArgs& a, const std::optional<std::string>& value);
// -d's delimiter with GNU parallel's escapes: \t \n \r, \NNN octal, \N.
std::string unquote_delimiter(const std::string& text);

// The operands: COMMAND [ARG...], then the groups. A separator with
// nothing after it is an empty group (the cross product has no jobs).
// With --retry-failed, which ignores them, no file group is kept (none is
// to be read) and the command is empty: each logged command runs as it
// was logged.
void parse_operands(RunArgs& a, const std::vector<std::string>& operands);

// The inputs that exclude each other (--from and :::, --idle without
// --from...), once the operands are parsed.
void check_sources(const RunArgs& a);

// -j N, N% (of `cores`), +N, -N or FILE; 0: 250, cut at start to what the limits allow.
unsigned parse_jobs(const char* text, unsigned cores, bool in_file = false);

}  // namespace prockit
