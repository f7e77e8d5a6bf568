// Diagnostics: one vocabulary for every tool.
//
//     shq: get /jobs: queue does not exist
//
// The program name is set once, by the tool's main, and every message is
// one line on stderr of the form "TOOL: ACTION OBJECT: reason".
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include "exit.h"

namespace prockit {

// What the tool is doing, for every diagnostic said while it does it.
//
//     Context verb("get");           // shq: get: ...
//     Context::set_object("/jobs");  // shq: get /jobs: ...
//
// While a Context lives, warn() and die() put its text after "TOOL: ", and
// an Error thrown takes it along (Error::context()), so that die(error),
// called wherever the Error is caught, says what was being done when it
// went wrong. Contexts nest, the inner one said last, after ": "
// ("--from /jobs: recover"). Misuse (usage_error, Options::fail) is said in
// the words of the command line and takes none.
class Context {
public:
    explicit Context(std::string what);
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    // The innermost context acts on `object` from now on: "get" reads
    // "get /jobs"; a later call names the next object instead (rm removes
    // one queue after another).
    static void set_object(const std::string& object);

    // "get /jobs", or "" outside every Context.
    static std::string text();
    // The same into buf, as much as fits, without allocating (for a message
    // that memory ran out); returns its length.
    static size_t text(char* buf, size_t size);

private:
    std::string what_, object_;
    Context* outer_;
};

// Runs f() in Context(what): an Error escaping it says what was being done.
template <class F>
auto with_context(std::string what, F&& f) -> decltype(f()) {
    Context c(std::move(what));
    return f();
}

// Sets the name printed before every diagnostic.
void set_program_name(const char* name);
const char* program_name();

// Prints "TOOL: [CONTEXT: ]<formatted>" and a newline on stderr.
void warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// warn(), then exit with the given status.
[[noreturn]] void die(Exit status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

class Error;
// "TOOL: CONTEXT: REASON" for an Error (its context as it was thrown,
// however far it has come since), then exit with its status.
[[noreturn]] void die(const Error& e);

// Ends the process as signal `sig` ends it (default action, unblocked,
// raised), so that the parent sees the real cause; exits 128+N should the
// signal not kill. A stop signal (lib/signals.h) and a reader that went
// away (SIGPIPE, as cat ends) end a tool so.
[[noreturn]] void die_of_signal(int sig);

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
// after (--help) and every return from main. A Context still alive at exit
// (one that die() or --help's exit left) is named; main's own are gone by
// then, so a tool that prints through stdio within a Context calls
// flush_stdout() before it leaves it. A reader that went away (EPIPE) ends
// the tool as SIGPIPE would, quietly: die_of_signal(SIGPIPE).
void check_stdout_at_exit(int status = code(Exit::failure));

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
// to and the reason (what()), without the tool name or the action: those
// are the Context's, which the Error carries (context()), or the caller's
// to add ("put /jobs: " + what()).
class Error : public std::runtime_error {
public:
    Error(Exit status, const std::string& why)
        : std::runtime_error(why), status_(status), context_(Context::text()) {}
    Exit status() const { return status_; }
    // The Context's text where it was thrown: "" outside every Context.
    const std::string& context() const { return context_; }
    // "CONTEXT: REASON", or the reason alone: what die(e) says after "TOOL: ".
    std::string message() const { return context_.empty() ? what() : context_ + ": " + what(); }

private:
    Exit status_;
    std::string context_;
};

// An Error built from errno: ENOENT maps to Exit::missing, the rest to
// Exit::failure.
Error system_error(int err, const std::string& context = {});

}  // namespace prockit
