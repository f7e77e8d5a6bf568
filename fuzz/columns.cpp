// pool-run's columns (lib/columns.h) and record filter (lib/line_filter.h)
// over any bytes: the first byte picks the separator and the options, the
// rest is a --colsep regex and a line (split at the first NUL), or the
// records of a source (split at '\n').
// Properties: nothing crashes, a bad regex or malformed CSV is an Error;
// a CSV record read and written back (csv_record) reads as the same fields,
// and any fields written read back as themselves; a regex split without
// captures gives pieces of the line in order, and a one-character literal
// separator's pieces joined by it are the line; a trimmed field is a piece
// of the field with no white space left at the trimmed ends; the filter
// gives back the records joined as they came (--csv joins, -r drops only
// blank ones, -E stops at its record).
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "columns.h"
#include "diag.h"
#include "fuzz.h"
#include "line_filter.h"

using namespace prockit;

namespace {

std::vector<std::string> split_at(const std::string& s, char c) {
    std::vector<std::string> out(1);
    for (char x : s) {
        if (x == c) out.emplace_back();
        else out.back() += x;
    }
    return out;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
    return out;
}

void check_csv(const std::string& text, char sep) {
    // Any fields written as a record read back as themselves.
    std::vector<std::string> fields = split_at(text, '\x01');
    if (csv_fields(csv_record(fields, sep), sep) != fields) std::abort();
    try {
        std::vector<std::string> got = csv_fields(text, sep);
        if (got.empty()) std::abort();
        if (csv_fields(csv_record(got, sep), sep) != got) std::abort();
    } catch (const Error& e) {
        if (e.status() != Exit::failure) std::abort();
    }
}

void check_split(const std::string& regex, const std::string& line) {
    std::optional<ColumnSplitter> s;
    try {
        s.emplace(regex);
    } catch (const Error& e) {
        if (e.status() != Exit::usage) std::abort();
        return;
    }
    std::vector<std::string> fields = s->split(line, true);
    if (line.empty() != fields.empty()) std::abort();
    if (regex.find('(') == std::string::npos) {
        size_t at = 0;
        for (const std::string& f : fields) {
            size_t found = line.find(f, at);
            if (found == std::string::npos) std::abort();
            at = found + f.size();
        }
    }
    if (regex.size() == 1 && std::string("\\^$.|?*+()[]{}").find(regex[0]) == std::string::npos && !line.empty() &&
        join(fields, regex) != line)
        std::abort();
    std::vector<std::string> kept = s->split(line, false);
    if (kept.size() > fields.size() || (!kept.empty() && kept.back().empty())) std::abort();
}

void check_trim(const std::string& text) {
    const std::string space = " \t\n\v\f\r";
    for (Trim t : {Trim::none, Trim::left, Trim::right, Trim::both}) {
        std::string r = trimmed(text, t);
        if (text.find(r) == std::string::npos) std::abort();
        if ((t == Trim::left || t == Trim::both) && !r.empty() && space.find(r.front()) != std::string::npos) std::abort();
        if ((t == Trim::right || t == Trim::both) && !r.empty() && space.find(r.back()) != std::string::npos) std::abort();
    }
}

void check_filter(const std::string& text, uint8_t flags) {
    LineRules r;
    r.csv = flags & 1;
    r.skip_blank = flags & 2;
    std::vector<std::string> records = split_at(text, '\n');
    if (flags & 4) r.eof = records.front();
    std::vector<std::string> args = filtered(records, r);
    if (!r.skip_blank && !r.eof) {
        // Only --csv's joining: the same bytes.
        std::string want = join(records, "\n"), got = join(args, "\n");
        if (want != got) std::abort();
    }
    if (r.skip_blank)
        for (const std::string& a : args)
            if (is_blank(a)) std::abort();
    if (args.size() > records.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2 || size > 512) return 0;
    uint8_t flags = data[0];
    char sep = static_cast<char>(data[1]);
    std::string rest(reinterpret_cast<const char*>(data) + 2, size - 2);
    if (sep == '"' || sep == '\n' || sep == '\r') sep = ',';  // refused as --csv separators
    check_csv(rest, sep);
    check_trim(rest);
    // The filter warns once of a NUL (written \0), which replay would count as output.
    std::string no_nul = rest;
    for (char& c : no_nul) c = c ? c : '\x01';
    check_filter(no_nul, flags);
    // Regexes backtrack: short ones over short lines keep each run quick.
    size_t nul = rest.find('\0');
    if (nul != std::string::npos && nul <= 16 && rest.size() - nul <= 64) check_split(rest.substr(0, nul), rest.substr(nul + 1));
    if (flags & 8) {
        ColumnRules cr;
        cr.split = true;
        cr.csv = flags & 16;
        cr.csv_sep = sep;
        cr.colsep = std::string(1, sep == '\\' ? ',' : sep);
        cr.trim = static_cast<Trim>(flags >> 6);
        try {
            Columns c(cr);
            c.fields(split_at(rest.substr(0, 64), '\n'));
            c.names(rest.substr(0, 64));
        } catch (const Error& e) {
            if (e.status() != Exit::failure && e.status() != Exit::usage) std::abort();
        }
    }
    return 0;
}
