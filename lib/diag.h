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
