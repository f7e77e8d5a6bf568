// pool-run's columns: an input line split into fields by --colsep REGEX
// (as Perl's `split /REGEX/, $line, -1`, which GNU parallel calls) or read
// as a CSV record (--csv), each field then trimmed of white space (--trim).
// Pure functions of strings, so that fuzz/columns.cpp reaches them.
//
// CSV is read as parallel reads it through Text::CSV (binary => 1): a field
// is unquoted (no '"' in it) or quoted ('"' doubled inside, any byte,
// newlines included); after a closing quote comes the separator or the end.
// An unquoted newline ends the record (what follows is ignored, as
// Text::CSV does). One difference, RFC 4180's: a record may end in "\r"
// (a CRLF file), which Text::CSV refuses.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace prockit {

enum class Trim { none, left, right, both };
// --trim n|l|r|lr|rl; anything else is Error(Exit::usage).
Trim parse_trim(const std::string& text);
// `s` without the white space (Perl's \s: space, \t \n \v \f \r) --trim removes.
std::string trimmed(std::string_view s, Trim t);
bool is_blank(std::string_view s);

// The fields of one CSV record; a malformed one is Error(Exit::failure)
// naming what is wrong ("quoted field not terminated").
std::vector<std::string> csv_fields(std::string_view record, char sep);
// The record that csv_fields reads back as `fields` (quoted where needed).
std::string csv_record(const std::vector<std::string>& fields, char sep);
// True if the line leaves a quoted field open: an odd number of '"', the
// test by which parallel reads the next line into the same record.
bool csv_open(std::string_view line);

// --colsep's regular expression (ECMAScript, which agrees with Perl's for
// the classes, alternations and repetitions separators use).
class ColumnSplitter {
public:
    // An invalid expression is Error(Exit::usage) naming it.
    explicit ColumnSplitter(const std::string& regex);
    // Perl's split with limit -1 (keep_trailing) or 0: a match may not be
    // empty where the previous one ended, captured groups are fields too,
    // and "" gives no field.
    std::vector<std::string> split(std::string_view line, bool keep_trailing) const;

private:
    std::regex re_;
};

// How an input record's fields become a job's: each split into columns
// (--colsep, --csv), each column trimmed.
struct ColumnRules {
    bool split = false;  // --colsep or --csv given (or --header's default TAB)
    bool csv = false;
    std::string colsep;  // the regex (--header splits by it, even with --csv)
    char csv_sep = ',';  // --csv's separator: --colsep's one character
    Trim trim = Trim::none;
};

class Columns {
public:
    explicit Columns(const ColumnRules& r);
    // The record's fields, each split and trimmed, in order (an empty field
    // stays one empty field). Malformed CSV is Error(Exit::failure).
    std::vector<std::string> fields(const std::vector<std::string>& record) const;
    // --header: the names in a source's first line, split by --colsep as
    // parallel splits them (a regex, trailing empty names dropped).
    std::vector<std::string> names(std::string line) const;
    bool changes_fields() const { return rules_.split || rules_.trim != Trim::none; }

private:
    ColumnRules rules_;
    ColumnSplitter splitter_;
};

}  // namespace prockit
