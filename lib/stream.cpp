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

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

[[noreturn]] void not_a_fifo(mode_t m) {
    throw Error(Exit::failure, std::string("refused: it is ") + file_kind(m) + ", not a FIFO" +
                                   (S_ISREG(m) ? " (name a file without fifo:)" : ""));
}

// The directory of a FIFO's path, opened once: the last component is then
// looked up in it alone, so what we check is what we open.
struct Place {
    Fd dir;
    std::string dir_path, name;
};

Place place_of(const std::string& path) {
    size_t slash = path.rfind('/');
    Place p;
    p.dir_path = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    p.name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (p.name.empty()) throw Error(Exit::usage, "the path of a FIFO cannot end in '/'");
    p.dir = Fd(::open(p.dir_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!p.dir) throw system_error(errno, "open the directory " + p.dir_path);
    return p;
}

// The rule of the kernel's fs.protected_fifos=2, kept whatever the sysctl
// says: where others may create names (a sticky directory writable by group
// or others, such as /tmp) or replace ours (one writable by others), a FIFO
// is trusted only if it is ours or the directory owner's. Elsewhere the
// directory's permissions already say who could have put it there.
void check_owner(const Place& p, const struct stat& st) {
    struct stat d = stat_of(p.dir.get());
    bool shared = (d.st_mode & S_IWOTH) || ((d.st_mode & S_ISVTX) && (d.st_mode & S_IWGRP));
    if (!shared || st.st_uid == ::geteuid() || st.st_uid == d.st_uid) return;
    throw Error(Exit::failure, "refused: the FIFO belongs to uid " + std::to_string(st.st_uid) + ", not to you, in " +
                                   p.dir_path + ", where others may make names (remove it, or use a directory of your own)");
}

// Opens the FIFO `want` by name: for reading at once, for writing once a
// reader has come (ENXIO until then: wait in short sleeps, where stop
// signals get in). The name is looked up afresh each try and may have been
// swapped in between, so what opens must still be the FIFO `probe` (an
// O_PATH descriptor of it) holds. A name gone is a FIFO removed (status 3)
// only if no name is left to it: one renamed away is a swap in progress,
// refused as one. An empty Fd if stopped.
Fd open_same_fifo(int dir, const char* name, int flags, int probe, const StopSignals* stop) {
    const struct stat want = stat_of(probe);
    for (;;) {
        Fd fd(::openat(dir, name, flags | O_NONBLOCK | O_CLOEXEC));
        if (fd) {
            // A regular file swapped in was opened without O_TRUNC and is
            // closed unwritten.
            if (!same_file(stat_of(fd.get()), want))
                throw Error(Exit::failure, "refused: the FIFO was replaced by another file while being opened");
            clear_nonblock(fd.get());
            return fd;
        }
        if (errno == ELOOP && (flags & O_NOFOLLOW))
            throw Error(Exit::failure, "refused: the FIFO was replaced by a symbolic link while being opened");
        if (errno == ENOENT) {
            if (stat_of(probe).st_nlink > 0)
                throw Error(Exit::failure, "refused: the FIFO was moved away while being opened");
            throw Error(Exit::missing, "the FIFO was removed while being opened");
        }
        if (errno != ENXIO || (flags & O_ACCMODE) != O_WRONLY) throw system_error(errno);
        if (sleep_until(Deadline::after(0.02), stop) == Wait::stopped) return Fd();
    }
}

// mkfifoat with exactly `mode`: the umask must not narrow what was asked
// for (a reader of another user given -M 0660 would be locked out), and
// mkfifoat has no way around it but this; the tools open their endpoints
// before they start any thread. False if the name exists.
bool make_fifo(const Place& p, unsigned mode) {
    mode_t old = ::umask(0);
    int r = ::mkfifoat(p.dir.get(), p.name.c_str(), static_cast<mode_t>(mode));
    int err = errno;
    ::umask(old);
    if (r == 0) return true;
    if (err != EEXIST) throw system_error(err, "make the FIFO");
    return false;
}
}  // namespace

Stream::Made::Made(int dir, std::string name, dev_t dev, ino_t ino)
    : dir_(::fcntl(dir, F_DUPFD_CLOEXEC, 0)), name_(std::move(name)), dev_(dev), ino_(ino) {}

Stream::Made::~Made() {
    if (!dir_) return;
    struct stat st{};
    if (::fstatat(dir_.get(), name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == dev_ && st.st_ino == ino_)
        ::unlinkat(dir_.get(), name_.c_str(), 0);
}

Stream::Stream(int fd, Fd owned, std::string name, Made made)
    : fd_(fd), owned_(std::move(owned)), name_(std::move(name)), made_(std::move(made)) {
    struct stat st{};
    if (fd_ >= 0 && ::fstat(fd_, &st) == 0) {
        pipe_ = S_ISFIFO(st.st_mode);
        regular_ = S_ISREG(st.st_mode);
        dev_ = st.st_dev;
        ino_ = st.st_ino;
    }
}

bool Stream::same_file(const Stream& other) const {
    return regular_ && other.regular_ && dev_ == other.dev_ && ino_ == other.ino_;
}

uint64_t Stream::size_left() const {
    struct stat st{};
    if (!regular_ || ::fstat(fd_, &st) == -1) return 0;
    off_t at = ::lseek(fd_, 0, SEEK_CUR);
    if (at < 0 || at >= st.st_size) return 0;
    return static_cast<uint64_t>(st.st_size - at);
}

void Stream::truncate() const {
    if (!regular_) return;
    if (retry_eintr([&] { return ::ftruncate(fd_, 0); }) == -1) throw system_error(errno, "truncate " + name_);
}

Stream::Stream(int fd, Fd owned, std::string name) : Stream(fd, std::move(owned), std::move(name), Made()) {}

Stream::Stream(Stream&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), owned_(std::move(o.owned_)), name_(std::move(o.name_)),
      made_(std::move(o.made_)), pipe_(o.pipe_), regular_(o.regular_), named_(o.named_), dev_(o.dev_), ino_(o.ino_) {}

Stream::~Stream() = default;

// fifo:PATH: made if missing, never followed if a symbolic link, refused if
// not a FIFO or planted by another user (see stream.h).
Stream Stream::open_fifo(const Endpoint& e, bool reading, unsigned mode, const StopSignals* stop) {
    Place p = place_of(e.path);
    bool created = make_fifo(p, mode);
    Fd probe(::openat(p.dir.get(), p.name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!probe) throw system_error(errno);
    struct stat st = stat_of(probe.get());
    if (!S_ISFIFO(st.st_mode)) not_a_fifo(st.st_mode);
    check_owner(p, st);
    Made made = created ? Made(p.dir.get(), p.name, st.st_dev, st.st_ino) : Made();
    Fd fd = open_same_fifo(p.dir.get(), p.name.c_str(), (reading ? O_RDONLY : O_WRONLY) | O_NOFOLLOW, probe.get(), stop);
    int raw = fd ? fd.get() : -1;
    return Stream(raw, std::move(fd), e.str(), std::move(made));
}

Stream Stream::open(const Endpoint& e, Direction d, const StopSignals* stop, unsigned fifo_mode) {
    const bool reading = d == Direction::source;
    switch (e.kind) {
        case EndpointKind::stdio:
            return Stream(reading ? STDIN_FILENO : STDOUT_FILENO, Fd(), reading ? "standard input" : "standard output");
        case EndpointKind::fd:
            if (::fcntl(e.fd, F_GETFD) == -1) throw Error(Exit::missing, "descriptor " + std::to_string(e.fd) + " is not open");
            return Stream(e.fd, Fd(), e.str());
        case EndpointKind::fifo:
            return open_fifo(e, reading, fifo_mode, stop);
        case EndpointKind::file: {
            // O_NONBLOCK so that a path naming a FIFO does not hang in open.
            // No O_TRUNC: the caller looks at the file first (see Direction).
            int flags = reading ? O_RDONLY : O_WRONLY | O_CREAT | (d == Direction::append ? O_APPEND : 0);
            Fd fd(::open(e.path.c_str(), flags | O_NONBLOCK | O_CLOEXEC, 0666));
            if (!fd && errno == ENXIO && !reading) {
                // A FIFO with no reader yet. The path is followed as a shell's
                // `>` would, once: the writer then waits for that FIFO alone.
                Fd probe(::open(e.path.c_str(), O_PATH | O_CLOEXEC));
                if (!probe) throw system_error(errno);
                struct stat st = stat_of(probe.get());
                if (!S_ISFIFO(st.st_mode)) throw system_error(ENXIO);
                fd = open_same_fifo(AT_FDCWD, e.path.c_str(), O_WRONLY, probe.get(), stop);
                if (!fd) return Stream(-1, Fd(), e.path);
            }
            if (!fd) throw system_error(errno);
            clear_nonblock(fd.get());
            int raw = fd.get();
            Stream s(raw, std::move(fd), e.path);
            s.named_ = true;
            return s;
        }
        default: break;  // a queue (Endpoint::is_queue()): lib/queue_factory.h opens those
    }
    throw Error(Exit::usage, e.str() + " is a queue, not a byte stream");
}

}  // namespace prockit
