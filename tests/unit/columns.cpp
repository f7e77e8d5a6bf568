// lib/columns, lib/line_filter, lib/job_batch's default and the input
// options of lib/run_args: pool-run's inputs as GNU parallel reads them.
#include <string>
#include <vector>

#include "columns.h"
#include "job_batch.h"
#include "job_sources.h"
#include "line_filter.h"
#include "run_args.h"
#include "unit.h"

using namespace prockit;

namespace {
using Fields = std::vector<std::string>;

Fields all_records(JobSource& s) {
    Fields out;
    for (std::vector<std::string> r; s.next(r) == JobSource::Next::job;) {
        std::string line;
        for (const std::string& f : r) line += (line.empty() ? "" : " ") + f;
        out.push_back(line);
    }
    return out;
}
}  // namespace

TEST("csv: quoted fields, doubled quotes, empty fields, a newline inside quotes") {
    CHECK_EQ(csv_fields("a,\"b,c\",\"d\"\"e\"", ','), (Fields{"a", "b,c", "d\"e"}));
    CHECK_EQ(csv_fields("a,,", ','), (Fields{"a", "", ""}));
    CHECK_EQ(csv_fields("", ','), (Fields{""}));
    CHECK_EQ(csv_fields("\"a\nb\";c", ';'), (Fields{"a\nb", "c"}));
    // An unquoted newline ends the record, as Text::CSV reads it; a final CR is CRLF's.
    CHECK_EQ(csv_fields("a\nb", ','), (Fields{"a"}));
    CHECK_EQ(csv_fields("a,\"b\"\r", ','), (Fields{"a", "b"}));
}

TEST("csv: malformed records are Error(failure) naming what is wrong") {
    CHECK_ERROR(csv_fields("a,b\"c", ','), Exit::failure, "malformed CSV: quote in an unquoted field");
    CHECK_ERROR(csv_fields("\"a\"b", ','), Exit::failure, "malformed CSV: text after a closing quote");
    CHECK_ERROR(csv_fields("\"a", ','), Exit::failure, "malformed CSV: quoted field not terminated");
    CHECK_ERROR(csv_fields("a\rb", ','), Exit::failure, "malformed CSV: carriage return in an unquoted field");
}

TEST("csv: a record written by csv_record reads back as its fields") {
    for (const Fields& f : {Fields{"a"}, Fields{""}, Fields{"", ""}, Fields{"a,b", "c\"d", "e\nf", "g\r"}}) {
        CHECK_EQ(csv_fields(csv_record(f, ','), ','), f);
    }
}

TEST("--colsep splits as Perl's split /RE/, $line, -1") {
    CHECK_EQ(ColumnSplitter(",").split(",a,,b,,", true), (Fields{"", "a", "", "b", "", ""}));
    CHECK_EQ(ColumnSplitter("x*").split("axxbc", true), (Fields{"a", "b", "c", ""}));
    CHECK_EQ(ColumnSplitter("b?").split("abc", true), (Fields{"a", "c", ""}));
    CHECK_EQ(ColumnSplitter("(,)").split("a,b", true), (Fields{"a", ",", "b"}));
    CHECK_EQ(ColumnSplitter("^").split("abc", true), (Fields{"abc"}));
    CHECK_EQ(ColumnSplitter("\t").split("a\tb\t\t", false), (Fields{"a", "b"}));
    CHECK_EQ(ColumnSplitter(",").split("", true), Fields{});
    CHECK_ERROR(ColumnSplitter("a{2"), Exit::usage, "invalid --colsep 'a{2': Mismatched '{' and '}' in regular expression");
}

TEST("--trim and -r's white space are Perl's \\s") {
    CHECK_EQ(trimmed(" \t a b \n\v\f\r", Trim::both), "a b");
    CHECK_EQ(trimmed("  a  ", Trim::left), "a  ");
    CHECK_EQ(trimmed("  a  ", Trim::right), "  a");
    CHECK(is_blank(" \t\r\n\v\f"));
    CHECK(!is_blank(" x "));
    CHECK_ERROR(parse_trim("x"), Exit::usage, "invalid --trim 'x': expected n, l, r, lr or rl");
}

TEST("the record filter: --csv joins an open quote's records, -E ends, -r drops blanks") {
    LineRules r;
    r.csv = true;
    CHECK_EQ(filtered({"a,\"b", "c\",d", "e"}, r), (Fields{"a,\"b\nc\",d", "e"}));
    CHECK_EQ(filtered({"\"open", "x"}, r), (Fields{"\"open\nx"}));
    LineRules e;
    e.eof = "STOP";
    e.skip_blank = true;
    CHECK_EQ(filtered({"a", " ", "b", "STOP", "c"}, e), (Fields{"a", "b"}));
}

TEST("-d's escapes as parallel's unquote_printf; -n's unit prefixes") {
    CHECK_EQ(unquote_delimiter("\\t\\n\\r"), "\t\n\r");
    CHECK_EQ(unquote_delimiter("\\0"), std::string(1, '\0'));
    CHECK_EQ(unquote_delimiter("\\101\\1"), "A\x01");
    CHECK_EQ(unquote_delimiter("\\089"), std::string("\0" "89", 3));
    CHECK_EQ(unquote_delimiter("\\8"), "8");
    CHECK_EQ(unquote_delimiter("a\\x"), "a\\x");
    CHECK_EQ(parse_unit_count("2k", "n"), 2000u);
    CHECK_EQ(parse_unit_count("2K", "n"), 2048u);
    CHECK_EQ(parse_unit_count("1ki", "n"), 1024u);
    CHECK_EQ(parse_unit_count("1m", "n"), 1000000u);
}

TEST(":::+ and ::::+ link a group to the one before; --arg-sep respells them") {
    RunArgs a;
    parse_operands(a, {"echo", ":::", "a", ":::+", "1", "::::+", "f", "g"});
    CHECK_EQ(a.groups.size(), 4u);
    CHECK(!a.groups[0].linked);
    CHECK(a.groups[1].linked && a.groups[2].linked && a.groups[3].linked);
    RunArgs b;
    b.arg_sep = ",,";
    parse_operands(b, {"echo", ":::", ",,", "x", ",,+", "y"});
    CHECK_EQ(b.command, (Fields{"echo", ":::"}));
    CHECK_EQ(b.groups.size(), 2u);
    CHECK(b.groups[1].linked);
}

TEST("combined sources: crossed, linked as far as the shorter, --link as far as the longer") {
    auto crossed = combined_source({{"a", "b"}, {"1", "2"}}, {false, false}, false);
    CHECK_EQ(all_records(*crossed), (Fields{"a 1", "a 2", "b 1", "b 2"}));
    auto linked = combined_source({{"a", "b", "c"}, {"1", "2"}, {"x", "y"}}, {false, true, false}, false);
    CHECK_EQ(all_records(*linked), (Fields{"a 1 x", "a 1 y", "b 2 x", "b 2 y"}));
    auto link_all = combined_source({{"a", "b", "c"}, {"1", "2"}}, {}, true);
    CHECK_EQ(all_records(*link_all), (Fields{"a 1", "b 2", "c 1"}));
    CHECK_EQ(link_all->total(), 3);
    auto empty = combined_source({{"a"}, {}}, {}, true);
    CHECK_EQ(empty->total(), 0);
}

TEST("the line limits are GNU parallel's: 130329, and 63664 by default, with 4 KiB pages") {
    if (::sysconf(_SC_PAGESIZE) != 4096) return;
    CHECK_EQ(max_line_length(), 130329u);
    CHECK_EQ(default_max_chars(), 63664u);
}
