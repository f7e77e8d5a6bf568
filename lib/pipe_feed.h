// Feeding --pipe and --pipepart blocks into the jobs' standard input, at
// the kernel's speed.
//
// --pipe: the input is read once, into chunks of a few blocks; the cut
// (lib/pipe_blocks.h) is found in place, and each block is a view of its
// chunk, never copied again in user space: vmsplice(2) gives its pages to
// the job's pipe. Only a record cut by the end of a chunk is copied, into
// the next one. A chunk lives while a block of it does, and a block lives
// until its job has finished (a failed job's block is fed again under
// --retries), so pool-run holds about a chunk per running job: the peak
// resident memory is bounded by the block size times the job slots, not
// by the input.
//
// vmsplice lends the pages rather than copying them: the job reads the
// chunk's memory. So a block is let go only after its job has exited,
// when nothing reads the pipe any more (a background process the job left
// holding its standard input may still read it; pool-run(1) says so).
//
// --pipepart: the files are cut at offsets (file_parts()), and each part
// goes from the page cache into the job's pipe with splice(2): no byte
// passes through pool-run's memory.
//
// The jobs' pipes are written non-blocking from the pool's asio loop, so
// that a job slow to read its block never stops the others' output; each
// pipe is made as large as the block (F_SETPIPE_SZ, up to the kernel's
// /proc/sys/fs/pipe-max-size) so that a block goes in a few calls.
//
// --cat's files and --fifo's FIFOs are made, checked and opened in
// lib/pipe_temp.cpp.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "fd.h"
#include "pipe_blocks.h"

namespace prockit {

// A file of --pipepart, cut into parts at the start. A file that shrinks
// while its parts are read is said once (shrank()); one that grows is read
// to its size at the start, as GNU parallel's.
struct PartFile {
    Fd fd;
    std::string name;  // as given
    off_t size = 0;    // at the start
    bool told = false; // its shrinking has been said
    // A read of a part ended before the part did: says so, once a file.
    void shrank();
};

// One block as its job sees it: the header (--header), then the bytes.
struct Block {
    std::shared_ptr<const std::string> header;  // may be null
    std::shared_ptr<const void> owner;          // keeps `data` alive (a chunk, or `rewritten`)
    std::string_view data;                      // --pipe
    std::shared_ptr<PartFile> file;             // --pipepart: splice [offset, offset + length)
    off_t offset = 0, length = 0;
    size_t size() const {
        return (header ? header->size() : 0) + (file ? static_cast<size_t>(length) : data.size());
    }
};

// Where the blocks come from: standard input (--pipe) or the parts of the
// files (--pipepart). next() never blocks on a pipe: it reads only what
// poll says is there, and says `later` when it needs more.
class BlockSource {
public:
    enum class Next { block, later, end };
    BlockSource(const PipeOptions& opt, int in_fd, unsigned slots);
    ~BlockSource();
    BlockSource(const BlockSource&) = delete;
    BlockSource& operator=(const BlockSource&) = delete;
    Next next(std::shared_ptr<const Block>& block);
    // A descriptor to poll for more when next() said later; -1: none.
    int poll_fd() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A file named by {} for --cat (the block in it) or --fifo (a FIFO the
// pool writes the block into): mode 0600 under $TMPDIR (--tmpdir),
// removed when the last attempt of its job is done. The job runs as we do
// and may remove or replace it: the FIFO is written only while its name
// is still the FIFO made (its device and inode).
struct TempPath {
    std::string path;
    dev_t dev = 0;
    ino_t ino = 0;
    explicit TempPath(std::string p) : path(std::move(p)) {}
    ~TempPath();
    TempPath(const TempPath&) = delete;
    TempPath& operator=(const TempPath&) = delete;
};
// $TMPDIR (/tmp without it), refused (Error, one line) when another user
// could swap a file in it between our writing it and the job's reading
// it: when it, or a directory above it, is one others may write without
// the sticky bit, or one another user owns (check_owned_chain). `what`
// starts the message ("--cat").
void check_temp_dir(const char* what);
// --cat: the block written into a new file; `whole` false when a
// --pipepart file ended before the block did (it shrank).
std::shared_ptr<const TempPath> block_file(const Block& block, bool& whole);
// --fifo: a new FIFO.
std::shared_ptr<const TempPath> block_fifo();

// A job's standard input (or --fifo's FIFO) while the pool writes its
// block into it.
struct JobFeed {
    std::shared_ptr<const Block> block;
    std::shared_ptr<const TempPath> temp;  // --cat, --fifo
    std::optional<boost::asio::posix::stream_descriptor> fd;  // our write end, non-blocking
    Fd reader;  // a read end of the job's standard input, kept to see what it left unread
    std::optional<boost::asio::steady_timer> timer;  // --fifo: until the job opens it
    bool wait_posted = false;  // a wait (room in the pipe, the FIFO's reader) is queued in the loop
    bool closed = false;       // the job has exited
    size_t written = 0;        // of block->size()
    uint64_t sent = 0;         // the bytes of the blocks given it (the joblog's Send)
    bool broken = false;       // the job went without taking all of its block
    // --round-robin: the pipe stays open for the next block (idle: waiting
    // for one), and blocks are copied into it, since they are let go as
    // soon as written, before the job has read them.
    bool round_robin = false, idle = false;
    bool busy() const { return fd.has_value() || wait_posted; }
    // Its block goes through a pipe that is the job's standard input.
    bool into_stdin() const { return block && !temp; }
};

// A pipe for the job's standard input: the read end (blocking) is the
// job's, the write end (non-blocking) is the pool's, sized for `bytes`.
Pipe make_feed_pipe(size_t bytes);

// Writes as much of the block as the pipe takes, then waits in the loop
// for room, until all is written (the pipe is then closed: the job sees
// the end of its input) or the job has gone (broken). A --pipepart file
// that ends before the block does (it shrank) closes the pipe early, and
// the block is broken too: its job fails as one that left its block.
void pump_feed(JobFeed& feed);
// --fifo: opens the FIFO once the job has opened it for reading (looked
// for every few milliseconds), then pumps the block into it. A FIFO the
// job removed, or replaced (said on standard error), is given up: the
// job fails as one that left its block when it exits; nothing else is
// opened or written in its place.
void open_fifo(JobFeed& feed, boost::asio::io_context& io);
// --round-robin: the next block into an idle feed's pipe.
void refeed(JobFeed& feed, std::shared_ptr<const Block> block);
// The job has exited: the rest of its block is not written. It left its
// block (broken) when more than 64 KiB of it was not taken: what GNU
// parallel's writes into a pipe of the kernel's default size fail on
// (EPIPE), whatever size ours has and whether it or the job went first.
void close_feed(JobFeed& feed);

}  // namespace prockit
