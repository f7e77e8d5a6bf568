// BlockCutter and file_parts over any input and separators: the blocks
// put together give the input back; every block but the last ends at a
// record boundary; the blocks do not depend on how the input is handed
// over (a few bytes at a time or all at once); and they are those of a
// plain transcription of GNU parallel's spreadstdin() loop below. The
// parts of --pipepart cover the file and are those of its
// find_split_positions(). --block sizes of any text parse or are refused
// with a usage Error.
//
// Input: NUL-separated fields: settings (bytes), --recstart, --recend,
// the data, a --block text.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "diag.h"
#include "fuzz.h"
#include "pipe_blocks.h"

using namespace prockit;

namespace {

// parallel's index(): from `pos` on; the empty string is found at
// min(pos, length); -1 for none.
long long perl_index(const std::string& s, const std::string& t, long long pos) {
    if (t.empty()) return std::min<long long>(pos, static_cast<long long>(s.size()));
    size_t i = s.find(t, static_cast<size_t>(pos));
    return i == std::string::npos ? -1 : static_cast<long long>(i);
}

// spreadstdin() with pass() and pass_n(), fixed strings, as Perl runs it.
std::vector<size_t> reference(const std::string& in, long long block, const RecordRules& r, unsigned long long n) {
    const std::string sep = r.end + r.start;
    std::vector<size_t> out;
    std::string buf;
    size_t pos = 0;
    for (;;) {
        bool written = false;
        size_t want = static_cast<size_t>(block) - buf.size() % static_cast<size_t>(block);
        size_t take = std::min(want, in.size() - pos);
        buf += in.substr(pos, take);
        pos += take;
        bool eof = take < want;
        auto emit = [&](size_t c) {
            out.push_back(c);
            buf.erase(0, c);
            written = true;
        };
        if (n > 0) {
            for (;;) {
                long long i = 0;
                for (unsigned long long k = 0; k < n && i != -1; ++k) i = perl_index(buf, sep, i + 1);
                if (i == -1 || buf.empty()) break;
                emit(static_cast<size_t>(i) + r.end.size());
            }
        } else if (!eof) {
            size_t i = sep.empty() ? buf.size() : buf.rfind(sep);
            if (i != std::string::npos && i + r.end.size() > 0) emit(i + r.end.size());
        }
        if (eof) break;
        if (!written && block < (1LL << 31) - 1)
            block = std::min<long long>(static_cast<long long>(std::ceil(static_cast<double>(block) * 1.3 + 1)),
                                        (1LL << 31) - 1);
    }
    if (!buf.empty()) out.push_back(buf.size());
    return out;
}

// The header's length, then the blocks, handed over `chunk` bytes at a time.
std::vector<size_t> cut_all(const PipeOptions& o, std::string_view in, size_t chunk) {
    BlockCutter c(o);
    c.on_grow([](long long, long long) {});
    std::vector<size_t> out;
    size_t h = c.header_length(in, true);
    if (h == std::string_view::npos || h > in.size()) std::abort();  // at the end it is known
    out.push_back(h);
    in.remove_prefix(h);
    size_t have = std::min(chunk, in.size());
    while (!in.empty()) {
        size_t n = c.cut(in.substr(0, have), have == in.size());
        if (n == 0) {
            if (have == in.size()) std::abort();  // at the end there is always a block
            have = std::min(have + chunk, in.size());
            continue;
        }
        if (n > have) std::abort();
        out.push_back(n);
        in.remove_prefix(n);
        have -= n;
        if (have == 0) have = std::min(chunk, in.size());
    }
    return out;
}

size_t read_string(void* ctx, off_t offset, char* buf, size_t len) {
    const std::string& s = *static_cast<const std::string*>(ctx);
    if (offset >= static_cast<off_t>(s.size())) return 0;
    return s.copy(buf, len, static_cast<size_t>(offset));
}

// find_split_positions(), fixed strings, the file as a string.
std::vector<off_t> reference_positions(const std::string& s, off_t start, long long block, const RecordRules& r) {
    const std::string sep = r.end + r.start;
    std::vector<off_t> pos{start};
    const off_t size = static_cast<off_t>(s.size());
    for (off_t p = start + block; p < size; p += block) {
        if (sep.empty()) {
            pos.push_back(p);
            continue;
        }
        size_t i = s.find(sep, static_cast<size_t>(p));
        if (i != std::string::npos) {
            p = static_cast<off_t>(i + r.end.size());
            pos.push_back(p);
        }
    }
    if (pos.back() != size) pos.push_back(size);
    return pos;
}

void check_parts(const std::string& data, const RecordRules& r, long long block, off_t start) {
    std::string ctx = data;
    std::vector<FilePart> parts = file_parts(static_cast<off_t>(data.size()), start, block, r, read_string, &ctx);
    std::vector<off_t> want = reference_positions(data, start, block, r);
    if (parts.size() + 1 != want.size() && !(parts.empty() && want.size() == 1)) std::abort();
    for (size_t i = 0; i < parts.size(); ++i)
        if (parts[i].offset != want[i] || parts[i].offset + parts[i].length != want[i + 1] || parts[i].length <= 0)
            std::abort();
}

const char* const kRegexes[] = {"^>", "\\n", "a|b", "x+", "(?=a)", "$", "[ab]\\n"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> f = fuzz::split_nul(std::string_view(reinterpret_cast<const char*>(data), size));
    if (f.size() < 4) return 0;
    const std::string& set = f[0];
    auto byte = [&](size_t i) { return i < set.size() ? static_cast<unsigned char>(set[i]) : 0u; };
    const std::string& in = f[3];
    if (in.size() > 4096 || f[1].size() > 4 || f[2].size() > 4) return 0;

    PipeOptions o;
    o.mode = PipeOptions::Mode::pipe;
    o.block = 1 + byte(0) % 64;
    o.records = byte(1) % 5;
    const bool regexp = byte(2) % 8 == 1;
    const char* start = byte(3) % 3 == 0 ? nullptr : f[1].c_str();
    const char* end = byte(3) % 3 == 1 ? nullptr : f[2].c_str();
    if (regexp) {
        start = byte(4) % 2 ? kRegexes[byte(5) % std::size(kRegexes)] : nullptr;
        end = byte(6) % 2 ? kRegexes[byte(7) % std::size(kRegexes)] : nullptr;
    }
    o.rules = record_rules(start, end, regexp, byte(8) % 2);
    const size_t chunk = 1 + byte(9) % 97;
    static const char* const kHeaders[] = {"", "", "", "1", ":", "2", "0", "a+", "[^\\n]*\\n"};
    o.header = kHeaders[byte(13) % std::size(kHeaders)];

    std::vector<size_t> whole = cut_all(o, in, in.size() + 1);
    std::vector<size_t> pieces = cut_all(o, in, chunk);
    if (whole != pieces) std::abort();
    size_t total = 0;
    for (size_t n : whole) total += n;
    if (total != in.size()) std::abort();
    if (!regexp && o.header.empty()) {
        std::vector<size_t> blocks(whole.begin() + 1, whole.end());  // past the header's 0
        if (reference(in, o.block, o.rules, o.records) != blocks) std::abort();
        // Every block but the last ends with --recend, --recstart after it.
        const std::string sep = o.rules.end + o.rules.start;
        size_t at = 0;
        for (size_t i = 1; i + 1 < whole.size(); ++i) {
            at += whole[i];
            if (in.compare(at - o.rules.end.size(), sep.size(), sep) != 0) std::abort();
        }
        check_parts(in, o.rules, 1 + byte(10) % 40, std::min<off_t>(byte(11) % 8, static_cast<off_t>(in.size())));
    }
    if (o.rules.remove_separators) (void)BlockCutter(o).rewrite(in);

    if (f.size() > 4) {
        try {
            long long b = parse_block_size(f[4].c_str(), byte(12) % 2);
            if (b == 0 || (b < 0 && byte(12) % 2 == 0)) std::abort();
        } catch (const Error& e) {
            if (e.status() != Exit::usage) std::abort();
        }
    }
    return 0;
}
