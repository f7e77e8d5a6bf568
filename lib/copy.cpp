#include "copy.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <span>

#include "diag.h"
#include "fd.h"

namespace prockit {

namespace {
constexpr size_t kBuffer = 128 * 1024;  // as cat's

enum class Step { go, idle, stopped };

// Before reading a stream that may block, wait in poll, where stop signals
// and the idle timeout get in.
Step wait_readable(const Stream& in, const CopyOptions& opt) {
    if (!in.may_block()) return opt.stop && opt.stop->received() ? Step::stopped : Step::go;
    switch (wait_fd(in.fd(), POLLIN, opt.idle.deadline(), opt.stop)) {
        case Wait::ready: return Step::go;
        case Wait::timed_out: return Step::idle;
        case Wait::stopped: return Step::stopped;
    }
    return Step::go;
}

[[noreturn]] void io_error(const char* action, const Stream& s, int err) {
    if (err == EPIPE) die_of_signal(SIGPIPE);
    throw system_error(err, std::string(action) + " " + s.name());
}

// Larger pipes mean fewer trips through the kernel and fewer wakeups; up
// to what an unprivileged user may set (/proc/sys/fs/pipe-max-size), at
// most 1 MiB. In bench/pipe-cat's chain, on a CPU with 2 MiB of L2, 1 MiB
// pipes beat 512 and 256 KiB ones and the 64 KiB default was three times
// slower: the wakeups saved outweigh the larger cache footprint.
size_t grow_pipe(const Stream& s) {
    if (!s.is_pipe()) return 0;
    static const long max = [] {
        long v = 1 << 20;
        std::ifstream in("/proc/sys/fs/pipe-max-size");
        in >> v;
        return std::min(v, 1L << 20);
    }();
    int size = ::fcntl(s.fd(), F_GETPIPE_SZ);
    if (size < max) size = std::max(size, ::fcntl(s.fd(), F_SETPIPE_SZ, static_cast<int>(max)));
    return size > 0 ? static_cast<size_t>(size) : 0;
}

// Lowers want to what the rate limit lets go now; false if stopped.
bool allow(const CopyOptions& opt, size_t& want) { return !opt.meter || opt.meter->allow(want, opt.stop); }

void count(const CopyOptions& opt, uint64_t bytes) {
    if (opt.meter) opt.meter->add(bytes);
}

// nullopt-like: `refused` means the kernel would not do it this way at all.
enum class Fast { done_end, done_count, done_idle, done_stopped, refused };

// Chunks counted by -c are a byte budget: the fast paths can keep to it.
// A budget past 2^64 - 1 bytes is no limit (the product must not wrap: -c
// 2^63 -B 2 once came to 0 bytes).
uint64_t byte_budget(const CopyOptions& opt) {
    if (!opt.chunk || opt.max_records > UINT64_MAX / opt.chunk) return UINT64_MAX;
    return opt.max_records * opt.chunk;
}

// Moves bytes with one kernel call, move(want), until the input ends:
// splice(2) or copy_file_range(2). refused(errno) says the kernel will not
// do it this way for these two (checked before anything moved).
//
// Poll first, then move: the poll is where stop signals and -t get in, and
// a splice from a terminal or socket may block whatever SPLICE_F_NONBLOCK
// says. Splicing first and polling only on EAGAIN was tried and measured
// in bench/pipe-cat's chain: 45% more context switches and splices (the
// splice right after a full one finds the input empty or the output full,
// or moves a sliver) and no faster; the poll costs one syscall a MiB.
template <class Move, class Refused>
Fast kernel_loop(const Stream& in, const Stream& out, const CopyOptions& opt, uint64_t& left, size_t chunk,
                 Move move, Refused refused) {
    bool moved = false;
    for (;;) {
        if (left == 0) return Fast::done_count;
        switch (wait_readable(in, opt)) {
            case Step::go: break;
            case Step::idle: return Fast::done_idle;
            case Step::stopped: return Fast::done_stopped;
        }
        size_t want = static_cast<size_t>(std::min<uint64_t>(chunk, left));
        if (!allow(opt, want)) return Fast::done_stopped;
        ssize_t n = move(want);
        if (n > 0) {
            // Pipes are grown only once this works: read and write through
            // a pipe larger than the cache would be slower than cat.
            if (!moved) chunk = std::max({grow_pipe(in), grow_pipe(out), chunk});
            moved = true;
            left -= static_cast<uint64_t>(n);
            count(opt, static_cast<uint64_t>(n));
            continue;
        }
        if (n == 0) return Fast::done_end;
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
            // The output is full (or the input emptied by someone else):
            // wait for room where stop signals get in; the loop re-polls input.
            if (out.may_block() && wait_fd(out.fd(), POLLOUT, Deadline::never(), opt.stop) == Wait::stopped)
                return Fast::done_stopped;
            continue;
        }
        if (!moved && refused(errno)) return Fast::refused;
        io_error("write", out, errno);
    }
}

Fast splice_loop(const Stream& in, const Stream& out, const CopyOptions& opt, uint64_t& left) {
    return kernel_loop(
        in, out, opt, left, 64 * 1024,
        [&](size_t want) {
            return ::splice(in.fd(), nullptr, out.fd(), nullptr, want,
                            SPLICE_F_MOVE | SPLICE_F_MORE | SPLICE_F_NONBLOCK);
        },
        [](int err) { return err == EINVAL || err == ENOSYS || err == EOPNOTSUPP; });
}

Fast copy_file_range_loop(const Stream& in, const Stream& out, const CopyOptions& opt, uint64_t& left) {
    return kernel_loop(
        in, out, opt, left, 1 << 20,
        [&](size_t want) { return ::copy_file_range(in.fd(), nullptr, out.fd(), nullptr, want, 0); },
        [](int err) { return err == EXDEV || err == EINVAL || err == ENOSYS || err == EOPNOTSUPP || err == EBADF; });
}

CopyEnd fast_end(Fast f) {
    switch (f) {
        case Fast::done_count: return CopyEnd::count;
        case Fast::done_idle: return CopyEnd::idle;
        case Fast::done_stopped: return CopyEnd::stopped;
        case Fast::done_end:
        case Fast::refused: break;
    }
    return CopyEnd::end;
}

// The plain way, which also counts records for max_records.
CopyEnd read_write_loop(const Stream& in, const Stream& out, const CopyOptions& opt) {
    // Page-aligned, as cat's: the kernel copies into it markedly faster
    // than into a buffer that starts 16 bytes into a page (as malloc's do).
    std::unique_ptr<char, decltype(&std::free)> mem(static_cast<char*>(std::aligned_alloc(4096, kBuffer)), &std::free);
    if (!mem) throw Error(Exit::failure, "out of memory");
    std::span<char> buf(mem.get(), kBuffer);
    uint64_t records = 0, partial = 0;  // partial: bytes of the chunk being counted
    for (;;) {
        switch (wait_readable(in, opt)) {
            case Step::go: break;
            case Step::idle: return CopyEnd::idle;
            case Step::stopped: return CopyEnd::stopped;
        }
        size_t want = buf.size();
        if (!allow(opt, want)) return CopyEnd::stopped;
        ssize_t n = read_some(in.fd(), buf.data(), want);
        if (n < 0) io_error("read", in, errno);
        if (n == 0) return CopyEnd::end;
        auto len = static_cast<size_t>(n);
        bool reached = false;
        // Counting records: cut the block after the one that completes it.
        for (size_t at = 0; opt.max_records && at < len && !reached;) {
            if (opt.chunk) {
                size_t take = std::min<uint64_t>(len - at, opt.chunk - partial);
                partial += take;
                at += take;
                if (partial < opt.chunk) continue;
                partial = 0;
            } else {
                const void* hit = std::memchr(buf.data() + at, opt.delim, len - at);
                if (!hit) break;
                at = static_cast<size_t>(static_cast<const char*>(hit) - buf.data()) + 1;
            }
            if (++records == opt.max_records) {
                len = at;
                reached = true;
            }
        }
        if (!write_stream(out, std::string_view(buf.data(), len), opt.stop)) return CopyEnd::stopped;
        count(opt, len);
        if (reached) return CopyEnd::count;
    }
}
}  // namespace

bool write_stream(const Stream& out, std::string_view data, const StopSignals* stop) {
    // A write that cannot block (a regular file) need not let signals in.
    if (write_unless_stopped(out.fd(), data, out.may_block() ? stop : nullptr)) return true;
    if (errno == EINTR) return false;
    io_error("write", out, errno);
}

CopyResult copy_bytes(const Stream& in, const Stream& out, const CopyOptions& opt) {
    // Lines and NUL records must be seen to be counted; bytes need not.
    if (!opt.max_records || opt.chunk) {
        uint64_t left = byte_budget(opt);
        if (in.is_pipe() || out.is_pipe()) {
            Fast f = splice_loop(in, out, opt, left);
            if (f != Fast::refused) return {fast_end(f), "splice"};
        }
        if (in.is_regular() && out.is_regular()) {
            Fast f = copy_file_range_loop(in, out, opt, left);
            if (f != Fast::refused) return {fast_end(f), "copy_file_range"};
        }
    }
    return {read_write_loop(in, out, opt), "read/write"};
}

}  // namespace prockit
