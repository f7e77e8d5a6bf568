// File descriptors: an owning handle, pipes, and read/write loops that
// survive EINTR and partial transfers.
#pragma once

#include <sys/stat.h>

#include <cerrno>
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace prockit {

// Calls f() again while it fails with EINTR. The one place a prockit tool
// retries an interrupted system call; signal handlers only set flags, so a
// retry is always safe.
template <class F>
auto retry_eintr(F f) {
    for (;;) {
        auto r = f();
        if (!(r == -1 && errno == EINTR)) return r;
    }
}

// Owns one descriptor and closes it exactly once.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) reset(std::exchange(o.fd_, -1));
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

struct Pipe {
    Fd read;
    Fd write;
};

// pipe2(O_CLOEXEC | extra_flags); throws prockit::Error on failure.
Pipe make_pipe(int extra_flags = 0);

// Reads up to len bytes, retrying EINTR. Returns the count (0 at end of
// file) or -1 with errno set.
ssize_t read_some(int fd, void* buf, size_t len);
// What a pipe (or socket) holds unread now (FIONREAD); 0 on error.
size_t bytes_unread(int fd);
// Appends what is left of fd to `out`, to its end of file. Returns true,
// or false with errno set (what was read before the error is appended).
bool read_to_end(int fd, std::string& out);

// Writes all of data, retrying EINTR and partial writes. Returns true, or
// false with errno set (EPIPE when the reader has gone away).
bool write_all(int fd, std::string_view data);

// fstat(2), throwing prockit::Error ("fstat: reason") on failure.
struct stat stat_of(int fd);

// What a file of this mode is, for a refusal: "a directory", "a FIFO",
// "a symbolic link", "a socket", "a device", "a regular file".
const char* file_kind(mode_t mode);

}  // namespace prockit
