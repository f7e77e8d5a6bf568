#include "record_search.h"

#include <boost/regex.hpp>
#include <cstring>
#include <map>
#include <stdexcept>

#include "diag.h"

namespace prockit {

namespace {
using Flags = boost::regex_constants::syntax_option_type;
// Perl's defaults: ^ and $ at the ends of the string (Boost's default is
// /m), . not a newline (Boost's default is /s).
constexpr Flags kPerl = boost::regex::perl | boost::regex::no_mod_s | boost::regex::no_mod_m;
constexpr Flags kPerlM = boost::regex::perl | boost::regex::no_mod_s;         // /m
constexpr Flags kPerlS = boost::regex::perl | boost::regex::mod_s | boost::regex::no_mod_m;  // /s

boost::regex compile(const std::string& pattern, Flags flags) {
    try {
        return boost::regex(pattern, flags);
    } catch (const boost::regex_error& e) {
        throw Error(Exit::usage, "--regexp: invalid --recstart or --recend: " + std::string(e.what()));
    }
}

// Boost gives up on a match that backtracks too much (a runtime_error);
// Perl would only be slow: say it as the failure it is here.
template <class F>
auto guarded(F f) -> decltype(f()) {
    try {
        return f();
    } catch (const std::runtime_error& e) {
        if (dynamic_cast<const Error*>(&e)) throw;
        throw Error(Exit::failure, "--regexp: " + std::string(e.what()));
    }
}

using Match = boost::match_results<const char*>;

// A match of `re` starting exactly at `at` in [begin, end); its length, or
// npos. The bytes before `at` are seen (^ and \b after them).
size_t match_at(const boost::regex& re, const char* begin, const char* at, const char* end) {
    Match m;
    auto flags = boost::match_continuous | (at > begin ? boost::match_prev_avail : boost::match_default);
    if (!boost::regex_search(at, end, m, re, flags)) return std::string_view::npos;
    return static_cast<size_t>(m.length(0));
}

// The largest position p at which `re` matches in buf: p + its length,
// or npos. As parallel's greedy ^((?s:.)*RE)RS.
size_t last_match_end(const boost::regex& re, std::string_view buf) {
    const char* b = buf.data();
    for (size_t p = buf.size() + 1; p-- > 0;) {
        size_t n = match_at(re, b, b + p, b + buf.size());
        if (n != std::string_view::npos) return p + n;
    }
    return std::string_view::npos;
}
}  // namespace

struct RecordSearch::Regexes {
    std::string rs, re;            // (?:(?-x:...)) as parallel wraps them
    boost::regex boundary_m;       // RE(?=RS) as in spreadstdin (/m)
    boost::regex boundary_s;       // RE(?=RS) as in find_split_positions (/s)
    boost::regex garbage;          // the bytes before the first record
    boost::regex starts;           // ^RS
    boost::regex all_seps, lead, trail;  // remove_rec_sep's three
    mutable std::map<unsigned long long, boost::regex> records;  // by -N

    Regexes(const std::string& start, const std::string& end)
        : rs("(?:(?-x:" + start + "))"),
          re("(?:(?-x:" + end + "))"),
          boundary_m(compile(re + "(?=" + rs + ")", kPerlM)),
          boundary_s(compile(re + "(?=" + rs + ")", kPerlS)),
          garbage(compile("((?:(?!" + re + rs + ")(?s:.))*?" + re + ")(?=" + rs + ")", kPerlM)),
          starts(compile(rs, kPerl)),
          all_seps(compile(re + rs, kPerlM)),
          lead(compile(rs, kPerlS)),
          // Perl's $ without /m is the end or before a final newline: the
          // lookahead says which; /m lets a $ that ends RE match there too.
          trail(compile(re + "(?=\\n?\\z)", boost::regex::perl | boost::regex::mod_s)) {}

    const boost::regex& n_records(unsigned long long n) const {
        auto it = records.find(n);
        if (it == records.end()) {
            std::string one = rs + "(?:(?!" + re + rs + ")(?s:.))*?" + re;
            it = records.emplace(n, compile("((?:" + one + "){" + std::to_string(n) + "})(?=" + rs + ")", kPerlM))
                     .first;
        }
        return it->second;
    }
};

RecordSearch::RecordSearch(const RecordRules& rules)
    : regexp_(rules.regexp),
      sep_(rules.end + rules.start),
      end_len_(rules.end.size()),
      start_(rules.start),
      end_(rules.end) {
    if (regexp_) re_ = std::make_unique<Regexes>(rules.start, rules.end);
}
RecordSearch::~RecordSearch() = default;
RecordSearch::RecordSearch(RecordSearch&&) noexcept = default;

size_t RecordSearch::last_cut(std::string_view buf) const {
    if (regexp_) {
        size_t end = guarded([&] { return last_match_end(re_->boundary_m, buf); });
        return end == std::string_view::npos ? 0 : end;
    }
    if (sep_.empty()) return buf.size();  // rindex($buf, "") is the length
    size_t i;
    if (sep_.size() == 1) {
        const void* hit = memrchr(buf.data(), sep_[0], buf.size());
        if (!hit) return 0;
        i = static_cast<size_t>(static_cast<const char*>(hit) - buf.data());
    } else {
        i = buf.rfind(sep_);
        if (i == std::string_view::npos) return 0;
    }
    return i + end_len_;
}

size_t RecordSearch::nth_cut(std::string_view buf, unsigned long long n) const {
    if (buf.empty() || n == 0) return 0;
    if (regexp_) {
        return guarded([&] {
            Match m;
            const char* b = buf.data();
            if (!boost::regex_search(b, b + buf.size(), m, re_->n_records(n), boost::match_continuous)) return size_t{0};
            return static_cast<size_t>(m.length(1));
        });
    }
    // nindex(): each search starts one byte after the last hit (the first
    // at byte 1), so hits may overlap and a boundary at byte 0 is skipped.
    if (sep_.empty()) return n < buf.size() ? static_cast<size_t>(n) : buf.size();
    size_t i = 0;
    for (unsigned long long k = 0; k < n; ++k) {
        if (i + 1 >= buf.size()) return 0;
        if (sep_.size() == 1) {
            const void* hit = std::memchr(buf.data() + i + 1, sep_[0], buf.size() - i - 1);
            if (!hit) return 0;
            i = static_cast<size_t>(static_cast<const char*>(hit) - buf.data());
        } else {
            i = buf.find(sep_, i + 1);
            if (i == std::string_view::npos) return 0;
        }
    }
    return i + end_len_;
}

size_t RecordSearch::garbage_cut(std::string_view buf) const {
    if (!regexp_) return 0;
    return guarded([&] {
        const char* b = buf.data();
        const char* e = b + buf.size();
        Match m;
        if (boost::regex_search(b, e, m, re_->starts, boost::match_continuous)) return size_t{0};
        if (!boost::regex_search(b, e, m, re_->garbage, boost::match_continuous)) return size_t{0};
        return static_cast<size_t>(m.length(1));
    });
}

size_t RecordSearch::part_cut(std::string_view buf) const {
    if (regexp_) return guarded([&] { return last_match_end(re_->boundary_s, buf); });
    size_t i = buf.find(sep_);
    return i == std::string_view::npos ? i : i + end_len_;
}

std::string RecordSearch::remove(std::string_view block) const {
    if (regexp_) {
        return guarded([&] {
            std::string s = boost::regex_replace(std::string(block), re_->all_seps, "",
                                                 boost::regex_constants::format_literal);
            Match m;
            const char* b = s.data();
            if (boost::regex_search(b, b + s.size(), m, re_->lead, boost::match_continuous))
                s.erase(0, static_cast<size_t>(m.length(0)));
            b = s.data();
            if (boost::regex_search(b, b + s.size(), m, re_->trail))
                s.erase(static_cast<size_t>(m.position(size_t{0})), static_cast<size_t>(m.length(0)));
            return s;
        });
    }
    std::string s;
    s.reserve(block.size());
    if (sep_.empty()) {
        s = block;
    } else {
        for (size_t at = 0;;) {
            size_t hit = block.find(sep_, at);
            s.append(block.substr(at, hit == std::string_view::npos ? std::string_view::npos : hit - at));
            if (hit == std::string_view::npos) break;
            at = hit + sep_.size();
        }
    }
    if (!start_.empty() && std::string_view(s).starts_with(start_)) s.erase(0, start_.size());
    if (!end_.empty()) {
        // Perl's $ is the end or just before a final newline: the leftmost
        // of the two places where --recend ends wins.
        size_t n = end_.size();
        if (s.size() > n && s.back() == '\n' && s.compare(s.size() - 1 - n, n, end_) == 0)
            s.erase(s.size() - 1 - n, n);
        else if (std::string_view(s).ends_with(end_))
            s.erase(s.size() - n);
    }
    return s;
}

std::string unescape_record_separator(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        static constexpr char kNames[] = "0rnt'\"\\";
        static constexpr char kBytes[] = {'\0', '\r', '\n', '\t', '\'', '"', '\\'};
        const char* named = i + 1 < text.size() && text[i] == '\\' ? std::strchr(kNames, text[i + 1]) : nullptr;
        if (!named || text[i + 1] == '\0') {
            out += text[i];
            continue;
        }
        out += kBytes[named - kNames];
        ++i;
    }
    return out;
}

}  // namespace prockit
