#include "prometheus.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "diag.h"
#include "fd.h"
#include "text.h"

namespace prockit {

std::string prometheus_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (size_t i = 0; i < value.size();) {
        const char c = value[i];
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else if (size_t n = utf8_length(value, i); n > 0) {
            out.append(value.substr(i, n));
            i += n;
            continue;
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD, the replacement character
        }
        ++i;
    }
    return out;
}

namespace {

// A new file next to `path`, "DIR/.NAME.PID-N": made exclusively, never
// through a link; another name is tried while one exists already.
Fd create_temporary(const std::string& path, std::string& tmp) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    for (unsigned attempt = 0; attempt < 100; ++attempt) {
        char suffix[48];
        std::snprintf(suffix, sizeof suffix, ".%d-%lx", static_cast<int>(getpid()),
                      static_cast<unsigned long>(now.tv_nsec) + attempt);
        tmp = dir + "." + name + suffix;
        int fd = retry_eintr(
            [&] { return ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644); });
        if (fd >= 0) return Fd(fd);
        if (errno != EEXIST) throw system_error(errno, "create " + tmp);
    }
    throw Error(Exit::failure, "create " + tmp + ": 100 names in a row exist already");
}

}  // namespace

void replace_file(const std::string& path, std::string_view content) {
    if (path.empty() || path.back() == '/') throw Error(Exit::failure, "'" + path + "' names no file");
    // rename(2) replaces whatever has the name: run as root against
    // /dev/full, it once made the machine's device a file. Only a file (or
    // a link, replaced and not followed) is ours to replace.
    struct stat st{};
    if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        throw Error(Exit::failure, std::string("not a regular file (") + file_kind(st.st_mode) +
                                       "): refused, it would be replaced");
    std::string tmp;
    Fd fd = create_temporary(path, tmp);
    try {
        // 0644 exactly, whatever the umask: the collector must read it.
        if (::fchmod(fd.get(), 0644) != 0) throw system_error(errno, "chmod " + tmp);
        if (!write_all(fd.get(), content)) throw system_error(errno, "write " + tmp);
        if (retry_eintr([&] { return ::fsync(fd.get()); }) != 0) throw system_error(errno, "sync " + tmp);
        if (::close(fd.release()) != 0) throw system_error(errno, "close " + tmp);
        if (::rename(tmp.c_str(), path.c_str()) != 0) throw system_error(errno, "rename " + tmp);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
}

}  // namespace prockit
