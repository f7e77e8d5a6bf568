// Diagnostics: one vocabulary for every tool.
//
//     shq: get /jobs: queue does not exist
//
// The program name is set once, by the tool's main, and every message is
// one line on stderr of the form "TOOL: ACTION OBJECT: reason".
#pragma once

#include <stdexcept>
#include <string>

#include "exit.h"

namespace prockit {

// Sets the name printed before every diagnostic.
void set_program_name(const char* name);
const char* program_name();

// Prints "TOOL: <formatted>" and a newline on stderr.
void warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// warn(), then exit with the given status.
[[noreturn]] void die(Exit status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// The status misuse exits with: Exit::usage (2), unless a tool that must
// match another program's convention sets its own (pool-run: 255).
void set_usage_status(int status);
int usage_status();

// For misuse: prints "TOOL: <formatted>", then `usage` (the usage line or
// lines, as --help shows them), on stderr, and exits with usage_status().
[[noreturn]] void usage_error(const char* usage, const char* fmt, ...)
    __attribute__((format(printf, 2, 3)));

// Standard output written through stdio is checked, so that output lost
// to a full disk or a broken device is an error and never a success.
//
// check_stdout_at_exit() registers, once, an atexit handler that flushes
// standard output and, if anything written to it was lost, prints
// "TOOL: [CONTEXT: ]write standard output: REASON" and ends the process
// with `status` (4, Exit::failure, unless the tool's own convention says
// otherwise). Being at exit, it also covers what Options prints and exits
// after (--help) and every return from main. `context`, if given, names
// what the tool was doing ("get /jobs"); it must not throw. A reader that
// went away (EPIPE) ends the tool as SIGPIPE would, quietly: see
// exit_broken_pipe() in fd.h.
void check_stdout_at_exit(int status = code(Exit::failure), std::string (*context)() = nullptr);

// Flushes standard output now, for a tool that reports as it goes (a
// timeline, a watch loop): throws Error(Exit::failure, "write standard
// output: REASON") at the first loss, so the tool stops there instead of
// running on with nobody reading. The check at exit then stays quiet: the
// thrown Error is the one report.
void flush_stdout();

// The reason for errno `err`, as strerror gives it but starting lower-case
// where that reads better in "TOOL: ACTION OBJECT: reason".
std::string reason(int err);

// An error a library function cannot handle itself: the exit status it maps
// to and the reason, without the tool name or the action, which the caller
// knows and adds ("put /jobs: " + what()).
class Error : public std::runtime_error {
public:
    Error(Exit status, const std::string& why) : std::runtime_error(why), status_(status) {}
    Exit status() const { return status_; }

private:
    Exit status_;
};

// An Error built from errno: ENOENT maps to Exit::missing, the rest to
// Exit::failure.
Error system_error(int err, const std::string& context = {});

}  // namespace prockit
