// pool-run's input options and operands (declared in run_args.h): the
// grammar of ::: :::+ :::: ::::+ (or --arg-sep's and --arg-file-sep's
// strings), -d's escapes, and what -n/-N/-m/-X/--xargs/-s and --colsep,
// --csv, --header, --trim settle between them, as GNU parallel settles it.
#include <cctype>
#include <climits>

#include "columns.h"
#include "diag.h"
#include "parse.h"
#include "run_args.h"
#include "text.h"

namespace prockit {

namespace {

enum class Sep { none, args, files };

// What an operand is: a separator (and whether it links), or not one. The
// file separator first: when the two are the same, parallel reads files.
Sep separator(const RunArgs& a, const std::string& op, bool& linked) {
    linked = !op.empty() && op.back() == '+';
    std::string bare = linked ? op.substr(0, op.size() - 1) : op;
    if (op == a.arg_file_sep || (linked && bare == a.arg_file_sep)) {
        linked = op != a.arg_file_sep;
        return Sep::files;
    }
    if (op == a.arg_sep || (linked && bare == a.arg_sep)) {
        linked = op != a.arg_sep;
        return Sep::args;
    }
    return Sep::none;
}

// Perl's "\NNN" (up to three octal digits) or "\N": the character it
// stands for, UTF-8 encoded past 0377 as Perl prints it; "\8" is "8".
std::string octal_escape(std::string_view digits) {
    size_t n = 0;
    unsigned v = 0;
    while (n < digits.size() && n < 3 && digits[n] >= '0' && digits[n] <= '7') v = v * 8 + static_cast<unsigned>(digits[n++] - '0');
    if (n == 0) return std::string(digits);
    std::string out;
    if (v < 0x80) {
        out += static_cast<char>(v);
    } else {
        out += static_cast<char>(0xC0 | (v >> 6));
        out += static_cast<char>(0x80 | (v & 0x3F));
    }
    return out + std::string(digits.substr(n));
}

// One of unquote_printf's passes: each backslash followed by `digits`
// decimal digits replaced (Perl's s/\\(\d{N})/.../ge, left to right).
std::string replace_digits(const std::string& s, size_t digits) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        bool hit = s[i] == '\\' && i + digits < s.size();
        for (size_t k = 1; hit && k <= digits; ++k) hit = std::isdigit(static_cast<unsigned char>(s[i + k]));
        if (!hit) {
            out += s[i++];
            continue;
        }
        out += octal_escape(std::string_view(s).substr(i + 1, digits));
        i += digits + 1;
    }
    return out;
}

// --csv's separator: --colsep's one character (\t read as a TAB).
char csv_separator(const std::string& colsep) {
    std::string c = unquote_delimiter(colsep);
    if (c.size() != 1 || c[0] == '"' || c[0] == '\n' || c[0] == '\r')
        throw Error(Exit::usage, "invalid --colsep '" + colsep + "' with --csv: expected one character other than '\"', CR and LF");
    return c[0];
}

// -L N and -l[N]: parallel's max_lines. Without --pipe, N records a job
// unless -n/-N say (-L 0 is -n 0), and a record that ends in white space
// goes on into the next; with --pipe, a block is a multiple of N lines
// (N records with -N: N times that many).
void settle_lines(RunArgs& a) {
    if (!a.lines_l && !a.lines_L) return;
    const PipeOptions::Mode mode = a.pool.pipe.mode;
    if (mode == PipeOptions::Mode::part)
        throw Error(Exit::usage, "--pipepart is incompatible with --max-replace-args, --max-lines, and -L.");
    unsigned long long lines = a.lines_L ? *a.lines_L : *a.lines_l;  // -L is read after -l
    if (mode == PipeOptions::Mode::pipe) {
        a.pool.pipe.lines = lines;
        return;
    }
    a.continue_lines = lines > 0;
    // max_number_of_args ||= max_lines, -l first; -N after them wins.
    if (!a.max_replace && (!a.max_args || *a.max_args == 0)) a.max_args = a.lines_l ? *a.lines_l : *a.lines_L;
}

void settle_batch(RunArgs& a) {
    Batch& b = a.pool.batch;
    bool multi = a.multi_m || a.multi_x || a.multi_xargs;
    // As parallel: -n 0 reads one input per job and gives it none; with
    // -m/-X/--xargs the line's length alone bounds a job, as without -n.
    a.no_args = a.max_args && *a.max_args == 0;
    b.max_args = a.max_args && *a.max_args > 0 ? *a.max_args : multi ? 0 : 1;
    b.spread = a.multi_m || a.multi_x;
    b.max_chars = a.max_chars.value_or(0);
    b.limit_length = multi || b.max_chars > 0 || b.max_args != 1;
    // parallel's ContextReplace: -X, and -N even with -m; -L unless -m or --xargs.
    a.rules.context = a.multi_x || a.max_replace || (a.lines_L && !a.multi_m && !a.multi_xargs);
}

}  // namespace

unsigned long long parse_unit_count(const char* text, const char* what) {
    std::string t = text, digits = t;
    unsigned long long unit = 1;
    size_t at = t.find_first_not_of("0123456789");
    if (at != std::string::npos && at > 0) {
        std::string suffix = t.substr(at);
        static const std::string kinds = "kmgtp";
        size_t k = kinds.find(static_cast<char>(std::tolower(static_cast<unsigned char>(suffix[0]))));
        bool binary = std::isupper(static_cast<unsigned char>(suffix[0])) || suffix.size() == 2;
        if (k != std::string::npos && (suffix.size() == 1 || (suffix.size() == 2 && std::tolower(suffix[1]) == 'i'))) {
            for (size_t i = 0; i <= k; ++i) unit *= binary ? 1024 : 1000;
            digits = t.substr(0, at);
        }
    }
    unsigned long long n = parse_count(digits.c_str(), what, 0, ULLONG_MAX / unit);
    return n * unit;
}

void parse_max_lines(RunArgs& a, const std::optional<std::string>& value) {
    if (value && *value == "-0") {  // -l -0: Getopt::Long took -0 for -l's number
        a.lines_l = 1;
        if (!a.delim_given) a.delim = std::string(1, '\0');
        return;
    }
    unsigned long long n = value ? parse_unit_count(value->c_str(), "--max-lines") : 0;
    a.lines_l = n == 0 ? 1 : n;
}

// Perl's passes in parallel's order: \t \n \r, then \NNN, then \N.
std::string unquote_delimiter(const std::string& text) {
    std::string s = replace_all(replace_all(replace_all(text, "\\t", '\t'), "\\n", '\n'), "\\r", '\r');
    s = replace_digits(replace_digits(s, 3), 1);
    return s;
}

void settle_inputs(RunArgs& a) {
    if (a.delim.empty()) throw Error(Exit::usage, "invalid -d '': the delimiter is empty");
    bool colsep_given = a.colsep.has_value();
    if (a.csv && !a.colsep) a.colsep = ",";
    if (a.header && !a.colsep) a.colsep = "\t";
    // --colsep implies --trim lr; --csv's and --header's default separators do not.
    if (a.trim) parse_trim(*a.trim);
    else if (colsep_given) a.trim = "lr";
    if (a.csv) csv_separator(*a.colsep);
    if (a.colsep) ColumnSplitter check(*a.colsep);  // an invalid regex: refused before any job
    settle_lines(a);
    settle_batch(a);
}

// Each separator starts a group: ::: one of the words after it, :::: one
// per FILE after it (an empty one for none); a '+' links each to the
// source before it.
void parse_operands(RunArgs& a, const std::vector<std::string>& operands) {
    bool keep_files = !a.pool.retry_failed;
    bool separated = false, files = false, file_pending = false, linked = false;
    for (const std::string& op : operands) {
        bool plus = false;
        Sep sep = separator(a, op, plus);
        if (sep != Sep::none) {
            if (file_pending) a.groups.push_back(InputGroup{{}, "", false, linked});
            separated = true;
            linked = plus;
            files = file_pending = sep == Sep::files;
            if (!files) a.groups.push_back(InputGroup{{}, "", false, linked});
        } else if (!separated) {
            a.command.push_back(op);
        } else if (files) {
            if (keep_files) a.groups.push_back(InputGroup{{}, op, true, linked});
            file_pending = false;
        } else {
            a.groups.back().args.push_back(op);
        }
    }
    if (file_pending) a.groups.push_back(InputGroup{{}, "", false, linked});
    if (a.pool.retry_failed) a.command.clear();
}

void check_sources(const RunArgs& a) {
    if (a.from && (!a.groups.empty() || !a.arg_files.empty()))
        throw Error(Exit::usage, "--from excludes :::, :::: and -a");
    if (a.from && a.pool.retry_failed)
        throw Error(Exit::usage, "--retry-failed takes its jobs from the joblog: it excludes --from");
    if (a.idle_given && !a.from) throw Error(Exit::usage, "--idle needs --from QUEUE");
    // A queue has no end to shuffle up to, and no first line to name columns.
    if (a.from && a.shuf) throw Error(Exit::usage, "--shuf reads every input first: it excludes --from");
    if (a.from && a.skip_first_line)
        throw Error(Exit::usage, "--skip-first-line drops the first line of the first input source: it excludes --from");
    if (a.from && a.header) throw Error(Exit::usage, "--header reads a first line of each input source: it excludes --from");
}

}  // namespace prockit
