// How --pipe and --pipepart cut their input into blocks at record
// boundaries, as GNU parallel cuts it: pure, so that the rules are unit
// tested and fuzzed apart from the pipes that carry the blocks.
//
// A record boundary is where --recend is followed by --recstart (with
// --regexp: where a match of the one is followed by a match of the other).
// A block ends at the last boundary within --block bytes, or after -N
// records; a record longer than the block is never split: it makes a
// block of its own, however long. The input's last record may lack its
// --recend; it is a record all the same.
//
// Byte for byte GNU parallel's blocks (its spreadstdin()): parallel fills
// its buffer up to the next multiple of --block, cuts once at the last
// boundary in it (with -N: as many N-record blocks as it holds, counting
// the first record from its second byte, so that an empty first record
// joins the next one), keeps the rest for the next round, grows the block
// by 1.3x + 1 (up to 2 GiB - 1, with a warning) after a round that cut
// nothing, and passes what is left at the end of the input as the last
// block, uncut. BlockCutter replays those rounds on the caller's buffer,
// whatever sizes the caller reads in, so the blocks do not depend on how
// the pipe delivered the bytes.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace prockit {

struct RecordRules {
    std::string start;             // --recstart: "" for none
    std::string end = "\n";        // --recend (escapes already undone)
    bool regexp = false;           // --regexp: start and end are Perl-like regexes
    bool remove_separators = false;  // --remove-rec-sep: both taken out of each block
};

// --recstart/--recend as parallel reads them (null: not given): neither
// given is --recend '\n'; --recstart alone is --recend ''; without
// --regexp the escapes \0 \r \n \t \' \" \\ are undone; with --regexp,
// --recend '' alone matches any one byte.
RecordRules record_rules(const char* recstart, const char* recend, bool regexp, bool remove_separators);

// What --pipe and --pipepart ask of the pool.
struct PipeOptions {
    enum class Mode { none, pipe, part } mode = Mode::none;
    long long block = 1024 * 1024;  // --block bytes; with --pipepart, -N: N blocks per job slot
    bool block_given = false;
    RecordRules rules;
    unsigned long long records = 0;  // -N with --pipe: records per block; 0: by --block
    unsigned long long lines = 0;    // -L N with --pipe: records of N lines (-N: N records of them)
    std::string header;              // --header with --pipe: N (lines) or a regex; "": none
    bool round_robin = false;        // --round-robin: one job a slot, each fed many blocks
    enum class Feed { stdin_pipe, cat, fifo } feed = Feed::stdin_pipe;  // --cat, --fifo
    std::vector<std::string> files;  // --pipepart: the -a / :::: files, in order
    bool skip_first_line = false;    // --pipepart --skip-first-line: each file's first line is left out
};

// Cuts a stream (--pipe), block after block. `buf` always starts where the
// last block ended (or, for the first, after the header): a call that
// returns N > 0 means the caller takes those N bytes; a call that returns
// 0 takes nothing and is asked again with buf grown.
class BlockCutter {
public:
    explicit BlockCutter(const PipeOptions& opt);
    ~BlockCutter();
    BlockCutter(BlockCutter&&) noexcept;
    // The length of the next block at the start of buf; 0 when buf holds
    // no whole block yet and the input goes on (read more, then ask again).
    // At eof a non-empty buf is always one or more blocks. Not const: it
    // keeps parallel's rounds (and the block size, which grows).
    size_t cut(std::string_view buf, bool eof);
    // How many bytes buf must hold before cut() can answer without eof:
    // size the read buffer by it (it grows with the block).
    size_t wanted() const;
    // --block as it is now (it grows past records longer than it).
    long long block_size() const;
    // Called when the block grows (by default: parallel's warning through
    // warn()); a fuzz target or a test sets its own.
    void on_grow(std::function<void(long long from, long long to)> fn);
    // The length of the header (--header) at the start of the input; 0 for
    // none; std::string_view::npos when more input is needed to know.
    size_t header_length(std::string_view buf, bool eof) const;
    // The block as the job is to see it (--remove-rec-sep applied), when
    // that differs from the bytes; false: feed the bytes as they are.
    bool rewrites() const;
    std::string rewrite(std::string_view block) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// One block of a file for --pipepart: [offset, offset + length).
struct FilePart {
    off_t offset;
    off_t length;
    bool operator==(const FilePart&) const = default;
};

// The parts of a file of `size` bytes from `start` (past the header), each
// ending at a record boundary: nominal boundaries every --block bytes (or
// size / (N * job_slots) for --block -N), each moved forward to the next
// record boundary found by reading around it with `read_at` (pread-like:
// fills up to len bytes at offset, returns how many). Empty parts are
// dropped.
using ReadAt = size_t (*)(void* ctx, off_t offset, char* buf, size_t len);
std::vector<FilePart> file_parts(off_t size, off_t start, const PipeOptions& opt, unsigned job_slots, ReadAt read_at,
                                 void* ctx);
// The same with the part size given: with several files, parallel sizes
// --block -N by all of them together (part_block), then cuts each file.
std::vector<FilePart> file_parts(off_t size, off_t start, long long block, const RecordRules& rules, ReadAt read_at,
                                 void* ctx);
// The bytes per part of --pipepart: --block, or with --block -N (the
// default is -10; --round-robin makes it -1) 1 + total / job_slots / N.
long long part_block(const PipeOptions& opt, unsigned long long total_size, unsigned job_slots);

// --block SIZE: parallel's suffixes (k 1000, K 1024, ... up to P); with
// --pipepart, -N is allowed. A bad size is an Error (255) naming it.
long long parse_block_size(const char* text, bool pipepart);

}  // namespace prockit
