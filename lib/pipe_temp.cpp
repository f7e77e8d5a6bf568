// --cat's files and --fifo's FIFOs (lib/pipe_feed.h): made in a TMPDIR
// where no other user can swap them, and a FIFO written only while its
// name is still the FIFO made for the job.
#include "pipe_feed.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>

#include "diag.h"
#include "owned_path.h"

namespace prockit {

namespace {

bool is_made(const struct stat& st, const TempPath& t) {
    return S_ISFIFO(st.st_mode) && st.st_uid == ::geteuid() && st.st_dev == t.dev && st.st_ino == t.ino;
}

// The FIFO made for a job, as open_made_fifo() finds it.
enum class FifoState { opened, no_reader, gone, replaced, failed };

// The FIFO made for the job, opened for writing (into `fd`) once the job
// has opened it for reading. Something else in its place (the job's, or
// another user's where one could write) is never opened for writing,
// unless it looked like ours just before (then it is closed unwritten).
// failed: errno says why.
FifoState open_made_fifo(const TempPath& t, Fd& fd) {
    struct stat st{};
    if (::lstat(t.path.c_str(), &st) != 0) return errno == ENOENT ? FifoState::gone : FifoState::failed;
    if (!is_made(st, t)) return FifoState::replaced;
    // Non-blocking for writing: ENXIO while no one has it open for
    // reading. Opened O_RDWR instead, it would take the block before the
    // job came, and lose it if we closed it first. O_NOFOLLOW and the
    // fstat: what was swapped in since the lstat is not written either.
    fd = Fd(::open(t.path.c_str(), O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        switch (errno) {
            case ENXIO: case EINTR: return FifoState::no_reader;
            case ENOENT: return FifoState::gone;
            case ELOOP: return FifoState::replaced;
            default: return FifoState::failed;
        }
    }
    if (::fstat(fd.get(), &st) != 0 || !is_made(st, t)) {
        fd.reset();
        return FifoState::replaced;
    }
    return FifoState::opened;
}

}  // namespace

void open_fifo(JobFeed& feed, boost::asio::io_context& io) {
    if (feed.closed) return;
    Fd fd;
    const std::string& path = feed.temp->path;
    switch (open_made_fifo(*feed.temp, fd)) {
        case FifoState::opened:
            feed.fd.emplace(io, fd.release());
            return pump_feed(feed);
        case FifoState::no_reader: break;
        case FifoState::failed:
            // The system's own shortage fails the run, as elsewhere; what
            // the job did to its FIFO (its mode...) fails the job alone.
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM) throw system_error(errno, "open " + path);
            warn("--fifo: %s: %s: its block is not written", path.c_str(), reason(errno).c_str());
            feed.broken = true;
            return;
        case FifoState::replaced:
            warn("--fifo: %s is no longer the FIFO made for its job: its block is not written", path.c_str());
            [[fallthrough]];
        case FifoState::gone:
            // The job fails when it exits, as one that left its block (a
            // removed FIFO is the job's doing, as a block left unread);
            // the run goes on.
            feed.broken = true;
            return;
    }
    if (!feed.timer) feed.timer.emplace(io);
    feed.timer->expires_after(std::chrono::milliseconds(5));
    feed.wait_posted = true;
    feed.timer->async_wait([&feed, &io](const boost::system::error_code& ec) {
        feed.wait_posted = false;
        if (!ec) open_fifo(feed, io);
    });
}

TempPath::~TempPath() { ::unlink(path.c_str()); }

namespace {

// A new file $TMPDIR/parXXXXX made by `make`, as GNU parallel names its files.
std::shared_ptr<TempPath> temp_path(const char* what, const std::function<bool(const std::string&)>& make) {
    return std::make_shared<TempPath>(make_par_name(what, "", make));
}

}  // namespace

void check_temp_dir(const char* what) {
    std::string dir = temp_dir();
    check_owned_chain(dir, std::string(what) + ": TMPDIR " + dir, "not a place for the jobs' files");
}

std::shared_ptr<const TempPath> block_file(const Block& b, bool& whole) {
    whole = true;
    Fd out;
    auto temp = temp_path("--cat", [&](const std::string& name) {
        out = Fd(::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        return bool(out);
    });
    bool ok = !b.header || write_all(out.get(), *b.header);
    if (ok && !b.file) ok = write_all(out.get(), b.data);
    for (off_t off = b.offset, end = b.offset + b.length; ok && b.file && off < end;) {
        ssize_t n = ::sendfile(out.get(), b.file->fd.get(), &off, static_cast<size_t>(end - off));
        if (n == 0) {  // the file is shorter than when it was cut
            b.file->shrank();
            whole = false;
            break;
        }
        ok = n > 0 || errno == EINTR;
    }
    if (!ok) throw system_error(errno, "--cat: write " + temp->path);
    return temp;
}

std::shared_ptr<const TempPath> block_fifo() {
    auto t = temp_path("--fifo", [](const std::string& name) { return ::mkfifo(name.c_str(), 0600) == 0; });
    // What open_fifo() writes into: the FIFO made now, in a directory
    // where only we can replace it (check_temp_dir()) and before its job
    // runs.
    struct stat st{};
    if (::lstat(t->path.c_str(), &st) != 0) throw system_error(errno, "--fifo: " + t->path);
    t->dev = st.st_dev;
    t->ino = st.st_ino;
    return t;
}

}  // namespace prockit
