// Where records end, for --pipe and --pipepart (lib/pipe_blocks.h): the
// searches GNU parallel makes for --recend followed by --recstart, each
// named after the one it copies. Fixed strings are searched with memchr/
// memrchr (one byte) or string_view (several): they run at memory speed.
// With --regexp, Boost.Regex in its Perl syntax stands in for Perl's
// regexes, with the same /m and /s as each of parallel's regexes has.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "pipe_blocks.h"

namespace prockit {

class RecordSearch {
public:
    explicit RecordSearch(const RecordRules& rules);
    ~RecordSearch();
    RecordSearch(RecordSearch&&) noexcept;

    bool regexp() const { return regexp_; }
    // No separator at all (fixed --recend '' and --recstart ''): records
    // end anywhere.
    bool anywhere() const { return !regexp_ && sep_.empty(); }
    // The bytes of --recend and --recstart together (fixed strings).
    size_t separator_size() const { return sep_.size(); }

    // pass(): the end of the last boundary in buf, where the block is cut;
    // 0 for none.
    size_t last_cut(std::string_view buf) const;
    // pass_n(): the cut after n records, the first counted from buf's second
    // byte (nindex); 0 when buf holds fewer.
    size_t nth_cut(std::string_view buf, unsigned long long n) const;
    // pass_n_regexps(), once at the start: the bytes before the first
    // --recstart, up to the first boundary, as a record of their own; 0
    // when buf starts with --recstart or holds no boundary.
    size_t garbage_cut(std::string_view buf) const;
    // find_split_positions(): the cut of the boundary after a nominal part
    // end (buf starts there): the first one; with --regexp the last one in
    // buf (parallel's greedy /s match). npos for none.
    size_t part_cut(std::string_view buf) const;
    // remove_rec_sep(): every boundary taken out, then --recstart at the
    // start and --recend at the end (or before a final newline: Perl's $).
    std::string remove(std::string_view block) const;

private:
    struct Regexes;
    bool regexp_;
    std::string sep_;  // --recend then --recstart, fixed strings
    size_t end_len_;
    std::string start_, end_;
    std::unique_ptr<Regexes> re_;
};

// parallel's unquoting of a fixed --recstart/--recend: \0 \r \n \t \' \"
// and \\ become the byte; any other backslash stays.
std::string unescape_record_separator(std::string_view text);

}  // namespace prockit
