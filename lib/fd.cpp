#include "fd.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "diag.h"

namespace prockit {

void Fd::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);  // Linux releases the fd even on EINTR: never retry close.
    fd_ = fd;
}

Pipe make_pipe(int extra_flags) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | extra_flags) == -1) throw system_error(errno, "pipe");
    return Pipe{Fd(fds[0]), Fd(fds[1])};
}

ssize_t read_some(int fd, void* buf, size_t len) {
    return retry_eintr([&] { return ::read(fd, buf, len); });
}

size_t bytes_unread(int fd) {
    int n = 0;
    return ::ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? static_cast<size_t>(n) : 0;
}

bool read_to_end(int fd, std::string& out) {
    char buf[8192];
    for (ssize_t n; (n = read_some(fd, buf, sizeof buf)) != 0;) {
        if (n < 0) return false;
        out.append(buf, static_cast<size_t>(n));
    }
    return true;
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = retry_eintr([&] { return ::write(fd, data.data(), data.size()); });
        if (n < 0) return false;
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

struct stat stat_of(int fd) {
    struct stat st{};
    if (::fstat(fd, &st) == -1) throw system_error(errno, "fstat");
    return st;
}

const char* file_kind(mode_t mode) {
    if (S_ISREG(mode)) return "a regular file";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISLNK(mode)) return "a symbolic link";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    return "a device";
}

}  // namespace prockit
