#include "pipe_feed.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "diag.h"

namespace prockit {

namespace {

// A buffer the input is read into; the blocks cut from it are views of it.
struct Chunk {
    explicit Chunk(size_t n) : bytes(std::make_unique_for_overwrite<char[]>(n)), cap(n) {}
    std::unique_ptr<char[]> bytes;
    size_t cap;
};

// The kernel's limit on a pipe's size for an unprivileged process.
size_t pipe_max_size() {
    static const size_t max = [] {
        std::ifstream f("/proc/sys/fs/pipe-max-size");
        size_t n = 0;
        return f >> n && n > 0 ? n : size_t{1} << 20;
    }();
    return max;
}

// The header at `from` in `fd` (at most 1 MiB of it is looked at).
std::shared_ptr<const std::string> file_header(const BlockCutter& cutter, int fd, off_t from, off_t size) {
    std::string buf(static_cast<size_t>(std::min<off_t>(size - from, off_t{1} << 20)), '\0');
    ssize_t n = retry_eintr([&] { return ::pread(fd, buf.data(), buf.size(), from); });
    if (n < 0) throw system_error(errno, "read");
    buf.resize(static_cast<size_t>(n));
    size_t len = cutter.header_length(buf, from + static_cast<off_t>(buf.size()) == size);
    if (len == 0 || len == std::string_view::npos) return nullptr;
    return std::make_shared<const std::string>(buf.substr(0, len));
}

size_t read_at(void* ctx, off_t offset, char* buf, size_t len) {
    ssize_t n = retry_eintr([&] { return ::pread(*static_cast<int*>(ctx), buf, len, offset); });
    if (n < 0) throw system_error(errno, "read");
    return static_cast<size_t>(n);
}

// --skip-first-line: the length of the file's first line, its newline
// included (the whole file when it has none), as parallel's pipepart_setup.
off_t first_line_length(int fd, off_t size) {
    char buf[4096];
    for (off_t at = 0; at < size;) {
        size_t n = read_at(&fd, at, buf, sizeof buf);
        if (n == 0) break;
        if (const void* nl = std::memchr(buf, '\n', n)) return at + (static_cast<const char*>(nl) - buf) + 1;
        at += static_cast<off_t>(n);
    }
    return size;
}

}  // namespace

struct BlockSource::Impl {
    Impl(const PipeOptions& o, int in_fd, unsigned slots) : opt(o), cutter(o), fd(in_fd) {
        struct stat st = stat_of(fd);
        regular = S_ISREG(st.st_mode);
        if (opt.mode == PipeOptions::Mode::part) plan_parts(slots);
    }

    // --pipepart: every part of every file, in order, planned at the
    // start; --block -N counts the files' sizes together, as parallel.
    void plan_parts(unsigned slots) {
        std::vector<std::shared_ptr<PartFile>> files;
        unsigned long long total = 0;
        for (const std::string& name : opt.files) {
            auto f = std::make_shared<PartFile>();
            f->fd = Fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC));
            if (!f->fd) throw Error(Exit::missing, name + ": " + reason(errno));
            struct stat st = stat_of(f->fd.get());
            if (!S_ISREG(st.st_mode))
                throw Error(Exit::failure, name + ": --pipepart needs a regular file, not " + file_kind(st.st_mode));
            f->name = name;
            f->size = st.st_size;
            total += static_cast<unsigned long long>(st.st_size);
            files.push_back(std::move(f));
        }
        long long block = part_block(opt, total, slots);
        for (const auto& file : files) {
            int raw = file->fd.get();
            off_t first = opt.skip_first_line ? first_line_length(raw, file->size) : 0;
            auto head = file_header(cutter, raw, first, file->size);
            off_t start = first + (head ? static_cast<off_t>(head->size()) : 0);
            for (const FilePart& p : file_parts(file->size, start, block, opt.rules, read_at, &raw)) {
                auto b = std::make_shared<Block>();
                b->header = head;
                b->file = file;
                b->offset = p.offset;
                b->length = p.length;
                parts.push_back(std::move(b));
            }
        }
    }

    std::string_view held() const { return {chunk->bytes.get() + begin, end - begin}; }

    // Reads once into the chunk, when poll says there is something (or the
    // input is a file); false: nothing now. A chunk with too little room
    // left for what the cutter wants is followed by a new one, which gets
    // the bytes not yet cut: the only copy of a byte pool-run makes.
    bool read_more() {
        if (!regular) {
            pollfd p{fd, POLLIN, 0};
            if (retry_eintr([&] { return ::poll(&p, 1, 0); }) == 0) return false;
        }
        size_t want = std::max(cutter.wanted(), size_t{64} << 10);
        if (!chunk || end == chunk->cap || chunk->cap - begin < want + (want >> 2)) {
            auto next = std::make_shared<Chunk>(std::max(2 * want, size_t{1} << 20));
            if (chunk) std::copy(chunk->bytes.get() + begin, chunk->bytes.get() + end, next->bytes.get());
            end -= begin;
            begin = 0;
            chunk = std::move(next);
        }
        ssize_t n = read_some(fd, chunk->bytes.get() + end, chunk->cap - end);
        if (n < 0) throw system_error(errno, "read the input");
        if (n == 0) eof = true;
        end += static_cast<size_t>(n);
        return true;
    }

    Next next_part(std::shared_ptr<const Block>& block) {
        if (next_index == parts.size()) return Next::end;
        block = std::move(parts[next_index++]);
        return Next::block;
    }

    Next next(std::shared_ptr<const Block>& block) {
        if (opt.mode == PipeOptions::Mode::part) return next_part(block);
        while (!header_known) {
            size_t len = chunk ? cutter.header_length(held(), eof) : std::string_view::npos;
            if (len != std::string_view::npos) {
                if (len > 0) header = std::make_shared<const std::string>(held().substr(0, len));
                begin += len;
                header_known = true;
            } else if (!read_more()) {
                return Next::later;
            }
        }
        for (;;) {
            size_t c = chunk && (eof || end - begin >= cutter.wanted()) ? cutter.cut(held(), eof) : 0;
            if (c > 0) return give(block, c);
            if (eof) return Next::end;
            if (!read_more()) return Next::later;
        }
    }

    Next give(std::shared_ptr<const Block>& block, size_t len) {
        auto b = std::make_shared<Block>();
        b->header = header;
        std::string_view bytes = held().substr(0, len);
        if (cutter.rewrites()) {
            auto text = std::make_shared<const std::string>(cutter.rewrite(bytes));
            b->data = *text;
            b->owner = std::move(text);
        } else {
            b->data = bytes;
            b->owner = chunk;
        }
        begin += len;
        block = std::move(b);
        return Next::block;
    }

    const PipeOptions& opt;
    BlockCutter cutter;
    int fd;
    bool regular = false, eof = false, header_known = false;
    std::shared_ptr<Chunk> chunk;
    size_t begin = 0, end = 0;  // the chunk's bytes not yet cut
    std::shared_ptr<const std::string> header;
    std::vector<std::shared_ptr<const Block>> parts;
    size_t next_index = 0;
};

BlockSource::BlockSource(const PipeOptions& opt, int in_fd, unsigned slots)
    : impl_(std::make_unique<Impl>(opt, in_fd, slots)) {}
BlockSource::~BlockSource() = default;

BlockSource::Next BlockSource::next(std::shared_ptr<const Block>& block) { return impl_->next(block); }

int BlockSource::poll_fd() const { return impl_->opt.mode == PipeOptions::Mode::pipe && !impl_->regular ? impl_->fd : -1; }

// What a pipe holds by default, and so GNU parallel's, for close_feed().
constexpr size_t kParallelPipe = size_t{64} << 10;

Pipe make_feed_pipe(size_t bytes) {
    Pipe p = make_pipe();
    // As large as the block (the kernel rounds up to pages), so that a
    // block goes in one call when the job reads as fast; a refusal (the
    // user's pipe-user-pages-soft quota) leaves the default 64 KiB.
    size_t want = std::min(bytes, pipe_max_size());
    if (want > (size_t{64} << 10)) ::fcntl(p.write.get(), F_SETPIPE_SZ, static_cast<int>(want));
    ::fcntl(p.write.get(), F_SETFL, O_NONBLOCK);
    return p;
}

namespace {

// One call moving the next bytes of the block into the pipe (`copy`:
// written, not lent).
ssize_t move_some(const Block& b, size_t written, int pipe, bool copy) {
    size_t hs = b.header ? b.header->size() : 0;
    iovec iov{};
    if (written < hs) {
        iov = {const_cast<char*>(b.header->data() + written), hs - written};
    } else if (b.file) {
        loff_t off = b.offset + static_cast<off_t>(written - hs);
        size_t left = static_cast<size_t>(b.length) - (written - hs);
        return ::splice(b.file->fd.get(), &off, pipe, nullptr, left, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
    } else {
        iov = {const_cast<char*>(b.data.data() + (written - hs)), b.data.size() - (written - hs)};
    }
    return copy ? ::write(pipe, iov.iov_base, iov.iov_len) : ::vmsplice(pipe, &iov, 1, SPLICE_F_NONBLOCK);
}

}  // namespace

// SIGPIPE is ignored while the pool runs (run_pool's SigpipeAsEpipe,
// lib/signals.h): a --fifo job that went before its block is EPIPE here.
void pump_feed(JobFeed& feed) {
    const size_t total = feed.block->size();
    while (feed.fd && feed.written < total) {
        ssize_t n = move_some(*feed.block, feed.written, feed.fd->native_handle(), feed.round_robin);
        if (n > 0) {
            feed.written += static_cast<size_t>(n);
        } else if (n == 0 && feed.block->file) {
            feed.block->file->shrank();  // what it has is fed, and the job fails
            feed.broken = true;
            break;
        } else if (errno == EAGAIN) {
            feed.wait_posted = true;
            feed.fd->async_wait(boost::asio::posix::stream_descriptor::wait_write, [&feed](const boost::system::error_code& ec) {
                feed.wait_posted = false;
                if (!ec && feed.fd) pump_feed(feed);
            });
            return;
        } else if (errno == EPIPE) {
            feed.broken = true;
            break;
        } else if (errno != EINTR) {
            throw system_error(errno, "feed a block to a job");
        }
    }
    if (feed.round_robin && !feed.broken && feed.fd) {
        feed.idle = true;
        feed.block.reset();
        return;
    }
    feed.fd.reset();  // all written (or the job has gone): the job sees the end of its input
}

void refeed(JobFeed& feed, std::shared_ptr<const Block> block) {
    feed.idle = false;
    if (!block) {
        feed.fd.reset();  // the input has ended
        return;
    }
    feed.sent += block->size();
    feed.block = std::move(block);
    feed.written = 0;
    pump_feed(feed);
}

void close_feed(JobFeed& feed) {
    feed.closed = true;
    if (feed.timer) feed.timer->cancel();
    feed.idle = false;
    size_t unwritten = feed.block ? feed.block->size() - feed.written : 0;
    if (feed.reader) {
        if (unwritten + bytes_unread(feed.reader.get()) > kParallelPipe) feed.broken = true;
        feed.reader.reset();
    } else if (unwritten > 0) {
        feed.broken = true;  // --fifo: the job went before the block did
    }
    feed.fd.reset();
}

void PartFile::shrank() {
    if (told) return;
    told = true;
    struct stat st{};
    std::string now = ::fstat(fd.get(), &st) == 0 ? std::to_string(st.st_size) : "fewer";
    warn("%s: file shrank from %lld to %s bytes while being read", name.c_str(), static_cast<long long>(size),
         now.c_str());
}

}  // namespace prockit
