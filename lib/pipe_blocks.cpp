#include "pipe_blocks.h"

#include <boost/regex.hpp>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "diag.h"
#include "parse.h"
#include "record_search.h"

namespace prockit {

namespace {
// parallel caps a growing block (and a --pipe --block) at 2 GiB - 1: "2GB
// causes problems" in Perl's sysread.
constexpr long long kMaxBlock = (1LL << 31) - 1;

// The next block size after a round that cut nothing: ceil(1.3 x + 1).
long long grown(long long block) {
    double next = std::ceil(static_cast<double>(block) * 1.3 + 1);
    return next >= static_cast<double>(kMaxBlock) ? kMaxBlock : static_cast<long long>(next);
}

void warn_grow(long long from, long long to) {
    warn("a record was longer than %lld. Increasing to --blocksize %lld.", from, to);
}
}  // namespace

RecordRules record_rules(const char* recstart, const char* recend, bool regexp, bool remove_separators) {
    RecordRules r;
    r.regexp = regexp;
    r.remove_separators = remove_separators;
    if (!recstart && !recend) recend = "\n";
    r.start = recstart ? recstart : "";
    r.end = recend && (recstart || regexp || *recend) ? recend : "";
    if (recend && !recstart && regexp && !*recend) r.end = "(?s:.)";
    if (!regexp) {
        r.start = unescape_record_separator(r.start);
        r.end = unescape_record_separator(r.end);
    }
    return r;
}

struct BlockCutter::Impl {
    RecordSearch search;
    unsigned long long records;
    unsigned long long lines;
    long long block;
    std::string header;
    std::optional<boost::regex> header_re;
    bool remove;
    std::function<void(long long, long long)> grow = warn_grow;
    // parallel's round: its buffer holds `held` bytes from the block start;
    // `filled` once read up to the multiple of the block (or the end).
    size_t held = 0;
    bool filled = false, wrote = false, at_eof = false, garbage_read = false;
    // --header that never matched: parallel read the whole input looking
    // for it, so its first round holds all of it, at the end.
    mutable bool swallowed = false;

    explicit Impl(const PipeOptions& opt)
        // -L N -N M: M records of N lines, parallel's (start..*?end){n*l}.
        : search(opt.rules), records(opt.lines ? opt.records * opt.lines : opt.records), lines(opt.lines),
          block(opt.block), header(opt.header),
          remove(opt.rules.remove_separators) {
        // --pipepart's --block -N is per file (part_block): here only the header is read.
        if (block < 1 && opt.mode == PipeOptions::Mode::part) block = 1024 * 1024;
        if (block < 1) throw Error(Exit::usage, "--block " + std::to_string(block) + ": a block is at least one byte");
        if (!header.empty() && header != "0" && header != ":" &&
            header.find_first_not_of("0123456789") != std::string::npos) {
            try {
                header_re.emplace(header, boost::regex::perl | boost::regex::no_mod_s | boost::regex::no_mod_m);
            } catch (const boost::regex_error& e) {
                throw Error(Exit::usage, "--header '" + header + "': " + e.what());
            }
        }
    }

    // One search of parallel's pass*(): the next cut in the held bytes.
    size_t pass(std::string_view held_bytes) {
        if (records == 0 && lines > 0) return n_line_cut(held_bytes);
        if (records == 0) return at_eof ? 0 : search.last_cut(held_bytes);
        if (search.regexp() && !garbage_read) {
            garbage_read = true;
            if (size_t g = search.garbage_cut(held_bytes)) return g;
        }
        return search.nth_cut(held_bytes, records);
    }
    size_t n_line_cut(std::string_view held_bytes) const;
};

// parallel's pass_n_line_records(): the held bytes up to their last newline
// that ends a multiple of -L lines (--recend not looked at), even at the end.
size_t BlockCutter::Impl::n_line_cut(std::string_view held_bytes) const {
    unsigned long long n = 0;
    for (const char* p = held_bytes.data(); (p = static_cast<const char*>(std::memchr(p, '\n', held_bytes.data() + held_bytes.size() - p)));
         ++p)
        ++n;
    unsigned long long want = n - n % lines;
    size_t at = 0;
    for (unsigned long long k = 0; k < want; ++k) at = held_bytes.find('\n', at) + 1;
    return at;
}

BlockCutter::BlockCutter(const PipeOptions& opt) : impl_(std::make_unique<Impl>(opt)) {}
BlockCutter::~BlockCutter() = default;
BlockCutter::BlockCutter(BlockCutter&&) noexcept = default;

size_t BlockCutter::wanted() const {
    Impl& s = *impl_;
    if (s.filled) return s.held;
    size_t b = static_cast<size_t>(s.block);
    return (s.held / b + 1) * b;
}

long long BlockCutter::block_size() const { return impl_->block; }

void BlockCutter::on_grow(std::function<void(long long, long long)> fn) { impl_->grow = std::move(fn); }

// parallel's loop in spreadstdin(): fill up to the next multiple of the
// block (or to the end), pass, grow the block after a round that cut
// nothing; at the end, what is left is the last block.
size_t BlockCutter::cut(std::string_view buf, bool eof) {
    Impl& s = *impl_;
    for (;;) {
        if (!s.filled) {
            size_t target = s.swallowed ? buf.size() + 1 : wanted();
            if (buf.size() < target) {
                if (!eof) return 0;
                s.held = buf.size();
                s.at_eof = true;
            } else {
                s.held = target;
                s.at_eof = false;
            }
            s.filled = true;
            s.wrote = false;
            s.swallowed = false;
        }
        if (size_t c = s.pass(buf.substr(0, s.held))) {
            s.held -= c;
            s.wrote = true;
            if (s.records == 0) s.filled = false;  // pass() cuts once a round
            return c;
        }
        s.filled = false;
        if (s.at_eof) {
            size_t rest = s.held;
            s.held = 0;
            return rest;
        }
        if (!s.wrote && s.block < kMaxBlock) {
            long long from = s.block;
            s.block = grown(from);
            if (s.grow) s.grow(from, s.block);
        }
    }
}

size_t BlockCutter::header_length(std::string_view buf, bool eof) const {
    const std::string& h = impl_->header;
    const size_t more = eof ? 0 : std::string_view::npos;
    if (h.empty() || h == "0") return 0;  // Perl: "0" is false
    impl_->swallowed = eof;               // until a match says otherwise
    if (impl_->header_re) {
        boost::match_results<const char*> m;
        if (!boost::regex_search(buf.data(), buf.data() + buf.size(), m, *impl_->header_re, boost::match_continuous))
            return more;
        impl_->swallowed = false;
        return static_cast<size_t>(m.length(0));
    }
    // N lines (":" is one): "(.*\n)" N times.
    unsigned long long lines = h == ":" ? 1 : std::strtoull(h.c_str(), nullptr, 10);
    size_t at = 0;
    for (unsigned long long k = 0; k < lines; ++k) {
        const void* nl = std::memchr(buf.data() + at, '\n', buf.size() - at);
        if (!nl) return more;
        at = static_cast<size_t>(static_cast<const char*>(nl) - buf.data()) + 1;
    }
    impl_->swallowed = false;
    return at;
}

bool BlockCutter::rewrites() const { return impl_->remove; }

std::string BlockCutter::rewrite(std::string_view block) const { return impl_->search.remove(block); }

// multiply_binary_prefix(): a number with one suffix; Ki..Xi and K..X are
// powers of 1024, k..x powers of 1000; parallel evaluates the result as
// Perl and takes its integer part.
long long parse_block_size(const char* text, bool pipepart) {
    std::string t = text;
    auto bad = [&](const std::string& why) {
        return Error(Exit::usage, "invalid --block '" + t + "': " + why);
    };
    long double v = parse_parallel_size(text, "--block");
    if (v < 0 && !pipepart) throw bad("--block -N (N blocks per job slot) is for --pipepart only");
    if (v > -1 && v < 1) throw bad("a block is at least one byte");
    if (v >= 9.2e18L || v <= -9.2e18L) throw bad("too large");
    return static_cast<long long>(v);
}

}  // namespace prockit
