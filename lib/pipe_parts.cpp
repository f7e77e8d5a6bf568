// --pipepart's parts of a file (lib/pipe_blocks.h), as GNU parallel's
// pipepart_setup() and find_split_positions() place them.
#include <string>
#include <string_view>

#include "pipe_blocks.h"
#include "record_search.h"

namespace prockit {

namespace {
// parallel reads 2^17 bytes at a time after each nominal boundary ("the
// optimal dd blocksize"); with --regexp it takes the last boundary of what
// it has read, so the chunk is part of the rule.
constexpr size_t kChunk = 131072;

// The cut after `pos` (the first boundary in what is read from there on;
// with --regexp the last in the first chunk that holds one), or -1.
off_t boundary_after(const RecordSearch& search, off_t pos, ReadAt read_at, void* ctx) {
    std::string buf;
    for (off_t at = pos;;) {
        size_t old = buf.size();
        buf.resize(old + kChunk);
        size_t got = 0;
        while (got < kChunk) {
            size_t n = read_at(ctx, at + static_cast<off_t>(got), buf.data() + old + got, kChunk - got);
            if (n == 0) break;
            got += n;
        }
        buf.resize(old + got);
        if (got == 0) return -1;
        // A fixed boundary may straddle the chunks: search again from just
        // before the new bytes (parallel searches the whole buffer again).
        size_t back = search.separator_size() - 1;
        size_t from = search.regexp() || old < back ? 0 : old - back;
        size_t cut = search.part_cut(std::string_view(buf).substr(from));
        if (cut != std::string_view::npos) return pos + static_cast<off_t>(from + cut);
        at += static_cast<off_t>(got);
        if (got < kChunk) return -1;
    }
}
}  // namespace

long long part_block(const PipeOptions& opt, unsigned long long total_size, unsigned job_slots) {
    long long block = opt.block_given ? opt.block : -10;
    if (opt.round_robin) block = -1;
    if (block > 0) return block;
    double per = static_cast<double>(total_size) / (job_slots ? job_slots : 1) / static_cast<double>(-block);
    return 1 + static_cast<long long>(per);
}

std::vector<FilePart> file_parts(off_t size, off_t start, const PipeOptions& opt, unsigned job_slots, ReadAt read_at,
                                 void* ctx) {
    return file_parts(size, start, part_block(opt, static_cast<unsigned long long>(size), job_slots), opt.rules,
                      read_at, ctx);
}

// find_split_positions(): nominal boundaries every `block` bytes after
// `start`, each moved forward to the record boundary after it; the next
// nominal one counts from where the last moved to.
std::vector<FilePart> file_parts(off_t size, off_t start, long long block, const RecordRules& rules, ReadAt read_at,
                                 void* ctx) {
    RecordSearch search(rules);
    std::vector<off_t> pos{start};
    bool none_left = false;  // a search ran to the end: every later one would
    for (off_t p = start + block; p < size && !none_left; p += block) {
        if (search.anywhere()) {
            pos.push_back(p);
            continue;
        }
        off_t cut = boundary_after(search, p, read_at, ctx);
        if (cut < 0) {
            none_left = true;
            continue;
        }
        p = cut;
        pos.push_back(p);
    }
    if (pos.back() != size) pos.push_back(size);
    std::vector<FilePart> parts;
    for (size_t i = 0; i + 1 < pos.size(); ++i)
        if (pos[i + 1] > pos[i]) parts.push_back({pos[i], pos[i + 1] - pos[i]});
    return parts;
}

}  // namespace prockit
