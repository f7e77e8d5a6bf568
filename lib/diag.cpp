#include "diag.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "text.h"

namespace prockit {

namespace {
const char* g_program = "prockit";
int g_usage_status = 2;

// For check_stdout_at_exit(): what it ends with, and whether flush_stdout()
// already reported a loss.
int g_stdout_status = code(Exit::failure);
bool g_stdout_reported = false;

// The innermost Context alive, which links to the ones around it.
thread_local Context* g_context = nullptr;

// Appends to buf[0..size) at `at`, as far as it fits; returns the new end.
size_t append(char* buf, size_t size, size_t at, std::string_view s) {
    size_t n = std::min(s.size(), size - at);
    std::memcpy(buf + at, s.data(), n);
    return at + n;
}

// "TOOL: [CONTEXT: ]MESSAGE" and a newline on stderr.
void vsay(std::string_view context, const char* fmt, va_list ap) {
    // A message may quote a name or a command from someone else: escaped,
    // it stays one line and sends no control to the terminal. One fprintf
    // per piece would let another process's line interleave with ours on a
    // shared stderr; make the whole line first, then write once. Fixed
    // buffers: the message may be that memory ran out.
    char message[4096], line[4096];
    size_t m = 0;
    if (!context.empty()) {
        m = append(message, sizeof message - 1, m, context);
        m = append(message, sizeof message - 1, m, ": ");
    }
    int f = std::vsnprintf(message + m, sizeof message - m, fmt, ap);
    if (f < 0) return;
    m = std::min(sizeof message - 1, m + static_cast<size_t>(f));
    int n = std::snprintf(line, sizeof line, "%s: ", g_program);
    if (n < 0) return;
    size_t len = std::min(sizeof line - 1, static_cast<size_t>(n));
    len += escape_text(std::string_view(message, m), line + len, sizeof line - 1 - len);
    line[len] = '\n';
    std::fwrite(line, 1, len + 1, stderr);
    std::fflush(stderr);
}

void say(std::string_view context, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void say(std::string_view context, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsay(context, fmt, ap);
    va_end(ap);
}

// Flushes stdout; 0 if everything written to it arrived, else the errno
// of the loss. A write that failed inside an earlier printf left only the
// error flag (fflush has nothing left to write and succeeds): errno, set
// by that write, is still the best account of it (EIO if it was cleared).
int flush_stdout_error() {
    if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return 0;
    return errno != 0 ? errno : EIO;
}

// An atexit handler must not call exit() again: _Exit ends the process.
void stdout_check_at_exit() {
    const int err = flush_stdout_error();
    if (err == 0 || g_stdout_reported) return;
    if (err == EPIPE) die_of_signal(SIGPIPE);
    warn("write standard output: %s", reason(err).c_str());
    std::_Exit(g_stdout_status);
}

}  // namespace

Context::Context(std::string what) : what_(std::move(what)), outer_(g_context) { g_context = this; }

Context::~Context() { g_context = outer_; }

void Context::set_object(const std::string& object) {
    if (g_context) g_context->object_ = object;
}

std::string Context::text() {
    char buf[1024];
    return std::string(buf, text(buf, sizeof buf));
}

size_t Context::text(char* buf, size_t size) {
    size_t at = 0;
    // Outermost first: walk to it, then write on the way back in.
    auto write = [&](auto& self, const Context* c) -> void {
        if (!c) return;
        self(self, c->outer_);
        if (c->what_.empty() && c->object_.empty()) return;
        if (at > 0) at = append(buf, size, at, ": ");
        at = append(buf, size, at, c->what_);
        if (!c->what_.empty() && !c->object_.empty()) at = append(buf, size, at, " ");
        at = append(buf, size, at, c->object_);
    };
    write(write, g_context);
    return at;
}

void set_program_name(const char* name) { g_program = name; }

void set_usage_status(int status) { g_usage_status = status; }
int usage_status() { return g_usage_status; }

const char* program_name() { return g_program; }

void warn(const char* fmt, ...) {
    char context[1024];
    va_list ap;
    va_start(ap, fmt);
    vsay({context, Context::text(context, sizeof context)}, fmt, ap);
    va_end(ap);
}

void die(Exit status, const char* fmt, ...) {
    char context[1024];
    va_list ap;
    va_start(ap, fmt);
    vsay({context, Context::text(context, sizeof context)}, fmt, ap);
    va_end(ap);
    std::exit(code(status));
}

void die(const Error& e) {
    say(e.context(), "%s", e.what());
    std::exit(code(e.status()));
}

void die_of_signal(int sig) {
    ::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    std::_Exit(code(Exit::signal_base) + sig);
}

void usage_error(const char* usage, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsay({}, fmt, ap);
    va_end(ap);
    std::fputs(usage, stderr);
    std::exit(g_usage_status);
}

void check_stdout_at_exit(int status) {
    static bool registered = false;
    g_stdout_status = status;
    if (!registered) std::atexit(stdout_check_at_exit);
    registered = true;
}

void flush_stdout() {
    const int err = flush_stdout_error();
    if (err == 0) return;
    if (err == EPIPE) die_of_signal(SIGPIPE);
    g_stdout_reported = true;
    throw Error(Exit::failure, "write standard output: " + reason(err));
}

std::string reason(int err) {
    std::string s = std::strerror(err);
    // "No such file or directory" reads oddly mid-sentence; lower-case the
    // first letter unless the second is upper-case too (an acronym).
    if (s.size() > 1 && s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z'))
        s[0] = static_cast<char>(s[0] - 'A' + 'a');
    return s;
}

Error system_error(int err, const std::string& context) {
    std::string why = context.empty() ? reason(err) : context + ": " + reason(err);
    return Error(err == ENOENT ? Exit::missing : Exit::failure, why);
}

}  // namespace prockit
