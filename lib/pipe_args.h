// pool-run's --pipe family of options (GNU parallel's names and meanings):
// --pipe, --pipepart, --block, --recstart, --recend, --regexp,
// --remove-rec-sep, --round-robin, --cat, --fifo, with what -N and --header
// mean under them; parsed into RunArgs.pool.pipe (lib/pipe_blocks.h).
// Their values are kept as given until all options are read: --regexp
// decides whether --recend's escapes are undone, --pipepart whether
// --block may be -N.
#pragma once

#include <optional>
#include <string>

namespace prockit {

struct RunArgs;

// Their values in run_args' option table (section P).
enum PipeOption {
    kPipe = 1700, kPipePart, kBlock, kRecStart, kRecEnd, kRegexp, kRemoveRecSep, kRoundRobin, kCat, kFifo,
};

struct PipeArgs {
    bool pipe = false, part = false, regexp = false, remove = false, round_robin = false, cat = false, fifo = false;
    std::optional<std::string> recstart, recend, block;
};

// One case per option; false when `c` is none of them.
bool parse_pipe_option(RunArgs& a, int c, const char* arg);

// After the options, before the inputs settle: a.pool.pipe from them; -N
// (or -n) becomes records per block and --header the header of each
// block, so that neither acts on input sources, which --pipe has none of.
void settle_pipe(RunArgs& a);

// After the operands: the files of :::: are --pipepart's, with -a's (read
// as parts, never as lines).
void settle_pipe_files(RunArgs& a);

// The combinations parallel refuses (--cat with --fifo, --retries with
// --round-robin, -N with --pipepart); --round-robin, --block... without
// --pipe are ignored, as parallel does.
void check_pipe(const RunArgs& a);

}  // namespace prockit
