// lib/pipe_blocks: the blocks of --pipe and the parts of --pipepart, each
// case's answer as GNU parallel 20221122 gave it (`parallel --pipe -k ...
// wc -c` lists the block lengths).
#include <string>
#include <vector>

#include "pipe_blocks.h"
#include "unit.h"

using namespace prockit;

namespace {

PipeOptions pipe_opts(long long block, const char* recstart = nullptr, const char* recend = nullptr,
                      unsigned long long records = 0, bool regexp = false) {
    PipeOptions o;
    o.mode = PipeOptions::Mode::pipe;
    o.block = block;
    o.records = records;
    o.rules = record_rules(recstart, recend, regexp, false);
    return o;
}

// The block lengths, the input handed over `chunk` bytes at a time (as a
// pipe would), the header first.
std::vector<size_t> lengths(const PipeOptions& o, const std::string& in, size_t chunk = 1 << 30,
                            std::vector<long long>* grew = nullptr) {
    BlockCutter c(o);
    c.on_grow([grew](long long from, long long to) {
        if (grew) grew->insert(grew->end(), {from, to});
    });
    std::string_view rest(in);
    size_t h = c.header_length(rest, true);
    rest.remove_prefix(h == std::string_view::npos ? 0 : h);
    std::vector<size_t> out;
    size_t have = std::min(chunk, rest.size());
    while (!rest.empty()) {
        size_t n = c.cut(rest.substr(0, have), have == rest.size());
        if (n == 0) {
            if (have == rest.size()) unit::fail(__FILE__, __LINE__, "cut() wants more at the end");
            have = std::min(have + chunk, rest.size());
            continue;
        }
        out.push_back(n);
        rest.remove_prefix(n);
        have = have > n ? std::max(have - n, std::min(chunk, rest.size())) : std::min(chunk, rest.size());
    }
    return out;
}

std::string seq(int n) {
    std::string s;
    for (int i = 1; i <= n; ++i) s += std::to_string(i) + "\n";
    return s;
}

using Sizes = std::vector<size_t>;

size_t read_string(void* ctx, off_t offset, char* buf, size_t len) {
    const std::string& s = *static_cast<const std::string*>(ctx);
    if (offset >= static_cast<off_t>(s.size())) return 0;
    return s.copy(buf, len, static_cast<size_t>(offset));
}

}  // namespace

TEST("--block: the last newline within each block; the rest goes on") {
    CHECK_EQ(lengths(pipe_opts(5), seq(10)), (Sizes{4, 4, 4, 4, 5}));
}

TEST("the blocks do not depend on how the input arrives") {
    const std::string in = seq(300);
    const Sizes whole = lengths(pipe_opts(37), in);
    for (size_t chunk : {1, 2, 3, 7, 36, 37, 38, 100, 4096}) CHECK_EQ(lengths(pipe_opts(37), in, chunk), whole);
}

TEST("a record longer than the block: the block grows 1.3x+1 and stays grown") {
    std::vector<long long> grew;
    CHECK_EQ(lengths(pipe_opts(5), std::string(20, 'a') + "\nb\nc\n", 3, &grew), (Sizes{23, 2}));
    CHECK_EQ(grew, (std::vector<long long>{5, 8, 8, 12, 12, 17, 17, 24}));
}

TEST("-L N: a block ends after a multiple of N lines, --recend not looked at; -N M: M records of N lines") {
    PipeOptions o = pipe_opts(10);
    o.lines = 3;
    CHECK_EQ(lengths(o, seq(20)), (Sizes{6, 6, 6, 9, 9, 9, 6}));
    for (size_t chunk : {1, 2, 5, 11}) CHECK_EQ(lengths(o, seq(20), chunk), (Sizes{6, 6, 6, 9, 9, 9, 6}));
    o.rules = record_rules(nullptr, "x", false, false);
    CHECK_EQ(lengths(o, seq(20)), (Sizes{6, 6, 6, 9, 9, 9, 6}));
    PipeOptions n = pipe_opts(10, nullptr, nullptr, 2);
    n.lines = 3;
    std::vector<long long> grew;
    CHECK_EQ(lengths(n, seq(20), 1 << 30, &grew), (Sizes{12, 15, 18, 6}));
    PipeOptions tail = pipe_opts(3);
    tail.lines = 2;
    CHECK_EQ(lengths(tail, "a\nb\nc", 1 << 30, &grew), (Sizes{4, 1}));
}

TEST("the last record may lack its --recend; what is left at the end is one block") {
    CHECK_EQ(lengths(pipe_opts(1 << 20), "a\nb"), (Sizes{3}));
    CHECK_EQ(lengths(pipe_opts(4), "ab\ncd\nef"), (Sizes{3, 3, 2}));
}

TEST("-N: records per block, the first counted from the second byte") {
    CHECK_EQ(lengths(pipe_opts(1 << 20, nullptr, nullptr, 1), "\na\nb\nc\n"), (Sizes{3, 2, 2}));
    CHECK_EQ(lengths(pipe_opts(1 << 20, nullptr, "\\0", 2), std::string("a\0bb\0ccc\0", 9)), (Sizes{5, 4}));
}

TEST("-N with --recend '': N bytes, and the rest of each --block round") {
    std::string abc = "abcdefghijklmnopqrstuvwxyz";
    CHECK_EQ(lengths(pipe_opts(10, nullptr, "", 3), abc), (Sizes{3, 3, 3, 1, 3, 3, 3, 1, 3, 3}));
}

TEST("--recstart and --recend: a boundary is the one followed by the other") {
    CHECK_EQ(lengths(pipe_opts(8, ">", ""), ">a\nAC\n>b\nGT\nTT\n>c\nG\n"), (Sizes{6, 9, 5}));
}

TEST("--regexp: --recstart '^>', by -N and by --block") {
    const std::string fasta = ">a\nAC\n>b\nGT\nTT\n>c\nG\n";
    CHECK_EQ(lengths(pipe_opts(1 << 20, "^>", nullptr, 1, true), fasta), (Sizes{6, 9, 5}));
    CHECK_EQ(lengths(pipe_opts(8, "^>", nullptr, 0, true), fasta), (Sizes{6, 9, 5}));
    // Bytes before the first record are a record of their own.
    CHECK_EQ(lengths(pipe_opts(1 << 20, "^>", nullptr, 2, true), "x" + fasta), (Sizes{7, 14}));
}

TEST("wanted(): the buffer cut() needs, a multiple of the block") {
    BlockCutter c(pipe_opts(5));
    CHECK_EQ(c.wanted(), size_t{5});
    CHECK_EQ(c.cut("1\n2", false), size_t{0});
    CHECK_EQ(c.cut("1\n2\n3", false), size_t{4});
    CHECK_EQ(c.wanted(), size_t{5});
    CHECK_EQ(c.block_size(), 5LL);
}

TEST("--header N, :, REGEX: its length, or npos while more may come") {
    PipeOptions o = pipe_opts(1 << 20);
    o.header = "2";
    CHECK_EQ(BlockCutter(o).header_length("h1\nh2\n1\n", false), size_t{6});
    CHECK_EQ(BlockCutter(o).header_length("h1\nh", false), std::string_view::npos);
    CHECK_EQ(BlockCutter(o).header_length("h1\n", true), size_t{0});
    o.header = ":";
    CHECK_EQ(BlockCutter(o).header_length("h1\nh2\n", false), size_t{3});
    o.header = "0";  // false in Perl: none
    CHECK_EQ(BlockCutter(o).header_length("h1\n", false), size_t{0});
    o.header = "#.*\\n";
    CHECK_EQ(BlockCutter(o).header_length("#x\ny\n", false), size_t{3});
    CHECK_EQ(BlockCutter(o).header_length("y\n", true), size_t{0});
    o.header = "(";
    try {
        BlockCutter bad(o);
        CHECK(!"a bad --header regex is refused");
    } catch (const Error& e) {
        CHECK_EQ(e.status(), Exit::usage);
        CHECK_EQ(std::string(e.what()).substr(0, 14), "--header '(': ");
    }
}

TEST("--header that never matches: parallel read it all, one block") {
    PipeOptions o = pipe_opts(17, nullptr, "ab");
    o.header = "a+";
    const std::string in = "bax\nb\naxxbbbxaa\naa\n\nabxb\n\nb\n\nx\nxx\nxab\nbb\nabbxba\n";
    CHECK_EQ(lengths(o, in), (Sizes{in.size()}));
}

TEST("--remove-rec-sep: every boundary, then --recstart first and --recend last (Perl's $)") {
    PipeOptions o = pipe_opts(1 << 20);
    o.rules.remove_separators = true;
    CHECK(BlockCutter(o).rewrites());
    CHECK_EQ(BlockCutter(o).rewrite("a\nb\n"), "ab");
    o.rules = record_rules("S", "E", false, true);
    CHECK_EQ(BlockCutter(o).rewrite("SaE\nSbE\nScE"), "aE\nSbE\nSc");
    CHECK_EQ(BlockCutter(o).rewrite("SaESbE\n"), "ab\n");
    o.rules = record_rules(nullptr, "\\n", false, true);
    CHECK(!BlockCutter(pipe_opts(5)).rewrites());
    o.rules = record_rules("^S", "E$", true, true);
    CHECK_EQ(BlockCutter(o).rewrite("SaE\nSbE"), "aE\nSb");  // as Perl: E$ (no /m) only at the end
    CHECK_EQ(BlockCutter(o).rewrite("SaE\nSbE\n"), "aE\nSb\n");
}

TEST("record_rules: parallel's defaults and escapes") {
    RecordRules r = record_rules(nullptr, nullptr, false, false);
    CHECK_EQ(r.start, "");
    CHECK_EQ(r.end, "\n");
    r = record_rules(">", nullptr, false, false);
    CHECK_EQ(r.end, "");
    r = record_rules("\\t", "\\0\\r\\n\\\\\\x", false, false);
    CHECK_EQ(r.start, "\t");
    CHECK_EQ(r.end, std::string("\0\r\n\\\\x", 6));
    r = record_rules(nullptr, "\\n", true, false);
    CHECK_EQ(r.end, "\\n");
    r = record_rules(nullptr, "", true, false);
    CHECK_EQ(r.end, "(?s:.)");
}

TEST("--block: parallel's suffixes") {
    CHECK_EQ(parse_block_size("1M", false), 1048576LL);
    CHECK_EQ(parse_block_size("10k", false), 10000LL);
    CHECK_EQ(parse_block_size("1Ki", false), 1024LL);
    CHECK_EQ(parse_block_size("1ki", false), 1024LL);
    CHECK_EQ(parse_block_size("1.5K", false), 1536LL);
    CHECK_EQ(parse_block_size("2g", false), 2000000000LL);
    CHECK_EQ(parse_block_size("1T", false), 1099511627776LL);
    CHECK_EQ(parse_block_size("100", false), 100LL);
    CHECK_EQ(parse_block_size("-2", true), -2LL);
    CHECK_ERROR(parse_block_size("1KB", false), Exit::usage, "invalid --block '1KB': expected a size, such as 512k or 10M");
    CHECK_ERROR(parse_block_size("M", false), Exit::usage, "invalid --block 'M': expected a size, such as 512k or 10M");
    CHECK_ERROR(parse_block_size("-1", false), Exit::usage,
                "invalid --block '-1': --block -N (N blocks per job slot) is for --pipepart only");
    CHECK_ERROR(parse_block_size("0.5", false), Exit::usage, "invalid --block '0.5': a block is at least one byte");
}

TEST("--pipepart: parts every --block bytes, each moved to the next boundary") {
    const std::string s = seq(100);  // 292 bytes
    std::string ctx = s;
    PipeOptions o;
    o.mode = PipeOptions::Mode::part;
    o.block = 50;
    o.block_given = true;
    std::vector<FilePart> parts = file_parts(static_cast<off_t>(s.size()), 0, o, 2, read_string, &ctx);
    std::vector<off_t> len;
    for (const FilePart& p : parts) len.push_back(p.length);
    CHECK_EQ(len, (std::vector<off_t>{51, 51, 51, 51, 51, 37}));
    CHECK_EQ(parts[1].offset, off_t{51});
}

TEST("--pipepart --block -N: N parts a job slot, sized by all the files") {
    PipeOptions o;
    o.mode = PipeOptions::Mode::part;
    CHECK_EQ(part_block(o, 292, 2), 15LL);  // the default: -10
    o.block = -3;
    o.block_given = true;
    CHECK_EQ(part_block(o, 292, 2), 49LL);
    o.round_robin = true;  // one part a slot, whatever --block says
    CHECK_EQ(part_block(o, 292, 2), 147LL);
    o.round_robin = false;
    o.block = 4096;
    CHECK_EQ(part_block(o, 292, 2), 4096LL);
}

TEST("--pipepart: past the header; no boundary left, one part to the end") {
    std::string s = "h\n" + std::string(300, 'x') + "\n";
    RecordRules r;
    std::vector<FilePart> parts = file_parts(static_cast<off_t>(s.size()), 2, 10, r, read_string, &s);
    CHECK_EQ(parts.size(), size_t{1});
    CHECK(parts[0] == (FilePart{2, 301}));
    CHECK(file_parts(2, 2, 10, r, read_string, &s).empty());
}
