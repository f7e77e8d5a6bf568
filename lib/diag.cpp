#include "diag.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace prockit {

namespace {
const char* g_program = "prockit";
int g_usage_status = 2;

void vwarn(const char* fmt, va_list ap) {
    // One fprintf per piece would let another process's line interleave with
    // ours on a shared stderr; format the whole line first, then write once.
    char line[4096];
    int n = std::snprintf(line, sizeof line, "%s: ", g_program);
    if (n < 0) return;
    int m = std::vsnprintf(line + n, sizeof line - static_cast<size_t>(n), fmt, ap);
    if (m < 0) return;
    size_t len = std::min(sizeof line - 2, static_cast<size_t>(n) + static_cast<size_t>(m));
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
