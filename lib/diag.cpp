#include "diag.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "fd.h"
#include "text.h"

namespace prockit {

namespace {
const char* g_program = "prockit";
int g_usage_status = 2;

// For check_stdout_at_exit(): what it ends with, and whether flush_stdout()
// already reported a loss.
int g_stdout_status = code(Exit::failure);
std::string (*g_stdout_context)() = nullptr;
bool g_stdout_reported = false;

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
    if (err == EPIPE) exit_broken_pipe();
    std::string where = g_stdout_context ? g_stdout_context() : std::string();
    if (!where.empty()) where += ": ";
    warn("%swrite standard output: %s", where.c_str(), reason(err).c_str());
    std::_Exit(g_stdout_status);
}

void vwarn(const char* fmt, va_list ap) {
    // A message may quote a name or a command from someone else: escaped,
    // it stays one line and sends no control to the terminal. One fprintf
    // per piece would let another process's line interleave with ours on a
    // shared stderr; make the whole line first, then write once. Fixed
    // buffers: the message may be that memory ran out.
    char message[4096], line[4096];
    int m = std::vsnprintf(message, sizeof message, fmt, ap);
    if (m < 0) return;
    int n = std::snprintf(line, sizeof line, "%s: ", g_program);
    if (n < 0) return;
    size_t len = std::min(sizeof line - 1, static_cast<size_t>(n));
    len += escape_text(std::string_view(message, std::min(sizeof message - 1, static_cast<size_t>(m))), line + len,
                       sizeof line - 1 - len);
    line[len] = '\n';
    std::fwrite(line, 1, len + 1, stderr);
    std::fflush(stderr);
}
}  // namespace

void set_program_name(const char* name) { g_program = name; }

void set_usage_status(int status) { g_usage_status = status; }
int usage_status() { return g_usage_status; }

const char* program_name() { return g_program; }

void warn(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
}

void die(Exit status, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
    std::exit(code(status));
}

void usage_error(const char* usage, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
    std::fputs(usage, stderr);
    std::exit(g_usage_status);
}

void check_stdout_at_exit(int status, std::string (*context)()) {
    static bool registered = false;
    g_stdout_status = status;
    g_stdout_context = context;
    if (!registered) std::atexit(stdout_check_at_exit);
    registered = true;
}

void flush_stdout() {
    const int err = flush_stdout_error();
    if (err == 0) return;
    if (err == EPIPE) exit_broken_pipe();
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
