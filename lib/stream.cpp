#include "stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "deadline.h"
#include "diag.h"

namespace prockit {

namespace {
void clear_nonblock(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags != -1 && (flags & O_NONBLOCK)) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

// A FIFO opened for writing fails with ENXIO until a reader opens it; wait
// for one in short sleeps, where stop signals get in. -1 if stopped.
int open_fifo_for_writing(const std::string& path, const StopSignals* stop) {
    for (;;) {
        int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0 || errno != ENXIO) return fd;
        if (sleep_until(Deadline::after(0.02), stop) == Wait::stopped) return -2;
    }
}
}  // namespace

Stream::Stream(int fd, Fd owned, std::string name, std::string remove_on_close)
    : fd_(fd), owned_(std::move(owned)), name_(std::move(name)), remove_(std::move(remove_on_close)) {
    struct stat st{};
    if (fd_ >= 0 && ::fstat(fd_, &st) == 0) {
        pipe_ = S_ISFIFO(st.st_mode);
        regular_ = S_ISREG(st.st_mode);
    }
}

Stream::Stream(Stream&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), owned_(std::move(o.owned_)), name_(std::move(o.name_)),
      remove_(std::move(o.remove_)), pipe_(o.pipe_), regular_(o.regular_) {
    o.remove_.clear();
}

Stream::~Stream() {
    if (!remove_.empty()) ::unlink(remove_.c_str());
}

Stream Stream::open(const Endpoint& e, Direction d, const StopSignals* stop) {
    const bool reading = d == Direction::source;
    switch (e.kind) {
        case EndpointKind::stdio:
            return Stream(reading ? STDIN_FILENO : STDOUT_FILENO, Fd(), reading ? "standard input" : "standard output",
                          "");
        case EndpointKind::fd:
            if (::fcntl(e.fd, F_GETFD) == -1) throw Error(Exit::missing, "descriptor " + std::to_string(e.fd) + " is not open");
            return Stream(e.fd, Fd(), e.str(), "");
        case EndpointKind::fifo: {
            std::string made;
            struct stat st{};
            if (::stat(e.path.c_str(), &st) == -1) {
                if (errno != ENOENT) throw system_error(errno);
                if (::mkfifo(e.path.c_str(), 0666) == -1) throw system_error(errno, "make the FIFO");
                made = e.path;
            } else if (!S_ISFIFO(st.st_mode)) {
                throw Error(Exit::failure, "not a FIFO (name a file without fifo:)");
            }
            int fd = reading ? ::open(e.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)
                             : open_fifo_for_writing(e.path, stop);
            if (fd == -2) return Stream(-1, Fd(), e.str(), made);
            if (fd < 0) {
                int err = errno;
                if (!made.empty()) ::unlink(made.c_str());
                throw system_error(err);
            }
            clear_nonblock(fd);
            return Stream(fd, Fd(fd), e.str(), made);
        }
        case EndpointKind::file: {
            // O_NONBLOCK so that a path naming a FIFO does not hang in open.
            int flags = reading ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC;
            int fd = ::open(e.path.c_str(), flags | O_NONBLOCK | O_CLOEXEC, 0666);
            if (fd < 0 && errno == ENXIO && !reading) fd = open_fifo_for_writing(e.path, stop);
            if (fd == -2) return Stream(-1, Fd(), e.path, "");
            if (fd < 0) throw system_error(errno);
            clear_nonblock(fd);
            return Stream(fd, Fd(fd), e.path, "");
        }
        case EndpointKind::mq:
        case EndpointKind::shm:
        case EndpointKind::redis: break;
    }
    throw Error(Exit::usage, e.str() + " is a queue, not a byte stream");
}

}  // namespace prockit
