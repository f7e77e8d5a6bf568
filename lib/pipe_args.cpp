#include "pipe_args.h"

#include <algorithm>

#include "diag.h"
#include "pipe_blocks.h"
#include "run_args.h"

namespace prockit {

namespace {
constexpr long long kMaxPipeBlock = (1LL << 31) - 1;
}  // namespace

bool parse_pipe_option(RunArgs& a, int c, const char* arg) {
    PipeArgs& p = a.pipe;
    switch (c) {
        case kPipe: p.pipe = true; break;
        case kPipePart: p.part = true; break;
        case kBlock: p.block = arg; break;
        case kRecStart: p.recstart = arg; break;
        case kRecEnd: p.recend = arg; break;
        case kRegexp: p.regexp = true; break;
        case kRemoveRecSep: p.remove = true; break;
        case kRoundRobin: p.round_robin = true; break;
        case kCat: p.cat = true; break;
        case kFifo: p.fifo = true; break;
        default: return false;
    }
    return true;
}

void settle_pipe(RunArgs& a) {
    const PipeArgs& p = a.pipe;
    PipeOptions& o = a.pool.pipe;
    // As parallel: --cat and --fifo imply --pipe unless --pipepart.
    if (p.part) o.mode = PipeOptions::Mode::part;
    else if (p.pipe || p.cat || p.fifo) o.mode = PipeOptions::Mode::pipe;
    if (o.mode == PipeOptions::Mode::none) return;
    o.rules = record_rules(p.recstart ? p.recstart->c_str() : nullptr, p.recend ? p.recend->c_str() : nullptr,
                           p.regexp, p.remove);
    o.round_robin = p.round_robin;
    o.feed = p.cat ? PipeOptions::Feed::cat : p.fifo ? PipeOptions::Feed::fifo : PipeOptions::Feed::stdin_pipe;
    const bool part = o.mode == PipeOptions::Mode::part;
    // Perl's truth: --block 0 (or '') is no --block at all.
    if (p.block && !p.block->empty() && *p.block != "0") {
        o.block = parse_block_size(p.block->c_str(), part);
        o.block_given = true;
        if (!part && o.block > kMaxPipeBlock) {
            warn("--blocksize >= 2G causes problems. Using 2G-1.");
            o.block = kMaxPipeBlock;
        }
    }
    // -n and -N both set parallel's max_number_of_args: records per block.
    if (a.max_args && !part) o.records = *a.max_args;
    if (!part) {
        a.max_args.reset();
        a.max_replace = false;
    }
    if (a.header) {
        o.header = *a.header;
        a.header.reset();
    }
    // parallel --pipe reads standard input whatever -a, ::: or :::: say.
    if (part) o.files = a.arg_files;
}

void settle_pipe_files(RunArgs& a) {
    PipeOptions& o = a.pool.pipe;
    if (o.mode != PipeOptions::Mode::part) return;
    auto is_file = [](const InputGroup& g) { return g.from_file; };
    for (const InputGroup& g : a.groups)
        if (is_file(g)) o.files.push_back(g.file);
    a.groups.erase(std::remove_if(a.groups.begin(), a.groups.end(), is_file), a.groups.end());
    a.arg_files.clear();
    if (o.files.empty()) throw Error(Exit::usage, "--pipepart reads parts of files: give them with -a FILE or :::: FILE");
    o.skip_first_line = a.skip_first_line;
}

void check_pipe(const RunArgs& a) {
    const PipeArgs& p = a.pipe;
    const PipeOptions& o = a.pool.pipe;
    if (p.cat && p.fifo) throw Error(Exit::usage, "--fifo cannot be combined with --cat.");
    if (p.round_robin && a.pool.retries > 1) throw Error(Exit::usage, "--retries cannot be combined with --roundrobin.");
    if (o.mode == PipeOptions::Mode::part && a.max_replace)
        throw Error(Exit::usage, "--pipepart is incompatible with --max-replace-args, --max-lines, and -L.");
    // Without --pipe, --block, --recend... are ignored, values unchecked, as
    // parallel ignores them: PARALLEL='--block 10M' must not break a run
    // that cuts nothing (settle_pipe reads them only under --pipe).
}

}  // namespace prockit
