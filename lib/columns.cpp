// GCC 12 with -fsanitize=address,undefined reports -Wmaybe-uninitialized
// inside libstdc++'s <regex> (_NFA::_M_insert_subexpr_begin/end, a
// std::function move) as instantiated here: a false positive of that
// compiler, silenced for <regex> only, which must therefore come first.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <regex>
#pragma GCC diagnostic pop
#endif

#include "columns.h"

#include <algorithm>

#include "diag.h"

namespace prockit {

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

// A CSV field that csv_record must quote to be read back the same.
bool needs_quotes(const std::string& f, char sep) {
    return f.find_first_of(std::string("\"\r\n") + sep) != std::string::npos;
}

// What follows a closing quote at `at`: true at the end of the record
// (the end, a newline, or "\r" then one of those); false at the separator.
bool at_record_end(std::string_view r, size_t at) {
    if (at == r.size() || r[at] == '\n') return true;
    return r[at] == '\r' && (at + 1 == r.size() || r[at + 1] == '\n');
}

[[noreturn]] void bad_csv(const char* what) { throw Error(Exit::failure, std::string("malformed CSV: ") + what); }
}  // namespace

Trim parse_trim(const std::string& t) {
    if (t == "n") return Trim::none;
    if (t == "l") return Trim::left;
    if (t == "r") return Trim::right;
    if (t == "lr" || t == "rl") return Trim::both;
    throw Error(Exit::usage, "invalid --trim '" + t + "': expected n, l, r, lr or rl");
}

std::string trimmed(std::string_view s, Trim t) {
    if (t == Trim::left || t == Trim::both)
        while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    if (t == Trim::right || t == Trim::both)
        while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

bool is_blank(std::string_view s) { return std::all_of(s.begin(), s.end(), is_space); }

bool csv_open(std::string_view line) { return std::count(line.begin(), line.end(), '"') % 2 == 1; }

// A state machine over the record, one field at a time.
std::vector<std::string> csv_fields(std::string_view r, char sep) {
    std::vector<std::string> fields(1);
    size_t i = 0;
    for (;;) {
        std::string& f = fields.back();
        if (i < r.size() && r[i] == '"') {
            for (++i;; ++i) {
                if (i == r.size()) bad_csv("quoted field not terminated");
                if (r[i] != '"') {
                    f += r[i];
                } else if (i + 1 < r.size() && r[i + 1] == '"') {
                    f += '"';
                    ++i;
                } else {
                    break;
                }
            }
            ++i;  // past the closing quote
            if (at_record_end(r, i)) return fields;
            if (r[i] != sep) bad_csv("text after a closing quote");
        } else {
            for (; i < r.size() && r[i] != sep && !at_record_end(r, i); ++i) {
                if (r[i] == '"') bad_csv("quote in an unquoted field");
                if (r[i] == '\r') bad_csv("carriage return in an unquoted field");
                f += r[i];
            }
            if (i == r.size() || r[i] != sep) return fields;
        }
        ++i;  // past the separator
        fields.emplace_back();
    }
}

std::string csv_record(const std::vector<std::string>& fields, char sep) {
    std::string out;
    for (size_t k = 0; k < fields.size(); ++k) {
        if (k) out += sep;
        const std::string& f = fields[k];
        if (!needs_quotes(f, sep)) {
            out += f;
            continue;
        }
        out += '"';
        for (char c : f) out += c == '"' ? std::string("\"\"") : std::string(1, c);
        out += '"';
    }
    return out;
}

ColumnSplitter::ColumnSplitter(const std::string& regex) {
    try {
        // libstdc++'s breadth-first executor (its __polynomial flag): time linear in the line for
        // any regex, where the backtracking one is exponential for (a*)*b -- and a job source runs
        // with stop signals blocked, so a split that never ends could not be stopped.
        re_ = std::regex(regex, std::regex::ECMAScript | std::regex_constants::__polynomial);
    } catch (const std::regex_error& e) {
        throw Error(Exit::usage, "invalid --colsep '" + regex + "': " + e.what());
    }
}

// Perl's pp_split: each match must end past where the last one ended
// (regexec's minend of 1), so an empty match where the previous ended is
// passed over for a longer one there or any one further on.
std::vector<std::string> ColumnSplitter::split(std::string_view line, bool keep_trailing) const {
    std::vector<std::string> out;
    if (line.empty()) return out;
    const char* begin = line.data();
    const char* end = begin + line.size();
    const char* s = begin;
    size_t matches = 0;
    while (s < end) {
        std::cmatch m;
        auto prev = s > begin ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
        bool found = std::regex_search(s, end, m, re_,
                                       prev | std::regex_constants::match_continuous | std::regex_constants::match_not_null);
        if (!found) found = std::regex_search(s + 1, end, m, re_, std::regex_constants::match_prev_avail);
        if (!found) break;
        ++matches;
        out.emplace_back(s, m[0].first);
        for (size_t g = 1; g < m.size(); ++g) out.push_back(m[g].matched ? m[g].str() : std::string());
        s = m[0].second;
    }
    if (s < end || matches) out.emplace_back(s, end);
    if (!keep_trailing)
        while (!out.empty() && out.back().empty()) out.pop_back();
    return out;
}

Columns::Columns(const ColumnRules& r) : rules_(r), splitter_(r.split && !r.csv ? r.colsep : std::string()) {}

std::vector<std::string> Columns::fields(const std::vector<std::string>& record) const {
    std::vector<std::string> out;
    for (const std::string& f : record) {
        if (!rules_.split || f.empty()) {
            out.push_back(f);
            continue;
        }
        std::vector<std::string> cols = rules_.csv ? csv_fields(f, rules_.csv_sep) : splitter_.split(f, true);
        for (std::string& c : cols) out.push_back(std::move(c));
    }
    if (rules_.trim != Trim::none)
        for (std::string& f : out) f = trimmed(f, rules_.trim);
    return out;
}

std::vector<std::string> Columns::names(std::string line) const {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return ColumnSplitter(rules_.colsep).split(line, false);
}

}  // namespace prockit
