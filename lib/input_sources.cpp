#include "input_sources.h"

#include <unistd.h>

#include "diag.h"
#include "endpoint.h"
#include "input_files.h"
#include "queue.h"
#include "queue_factory.h"
#include "text.h"

namespace prockit {

namespace {

// --header NAME-LINE: the names of a source's columns, after those of the
// sources before it; --header 0: a file source's name is its path.
void add_names(RunArgs& a, const Columns& cols, const std::string& first_line) {
    for (std::string& n : cols.names(first_line)) a.rules.column_names.push_back(std::move(n));
}

// Every record of a source read whole is read as CSV once before any job
// runs, so that a malformed one stops the run before it starts.
void check_csv(const std::vector<std::string>& records, const ColumnRules& rules, const std::string& source) {
    Columns cols(rules);
    for (size_t i = 0; i < records.size(); ++i) {
        try {
            cols.fields({records[i]});
        } catch (const Error& e) {
            throw Error(e.status(), source + ": record " + std::to_string(i + 1) + ": " + e.message() + ": " +
                                        escape_text(records[i]));
        }
    }
}

// ::: arguments as GNU parallel reads them: written to a file, each
// followed by the delimiter, and read back as records of it. So -d
// splits them too (-d _ ::: a_b_ is a, b and an empty one), and by
// default a newline in an argument does.
std::vector<std::string> as_records(const std::vector<std::string>& args, const std::string& delim) {
    std::string all;
    for (const std::string& arg : args) all.append(arg).append(delim);
    std::vector<std::string> records;
    size_t start = 0;
    for (size_t at; (at = all.find(delim, start)) != std::string::npos; start = at + delim.size())
        records.push_back(all.substr(start, at - start));
    // A delimiter that overlaps itself (-d aa, ::: a) may leave a tail.
    if (start < all.size()) records.push_back(all.substr(start));
    return records;
}

std::unique_ptr<JobSource> stream_source(RunArgs& a) {
    int fd = a.arg_files.size() == 1 ? InputFile(a.arg_files[0]).release() : STDIN_FILENO;
    a.pool.null_stdin = fd == STDIN_FILENO;
    std::string rest;
    if (a.skip_first_line) read_first_record(fd, a.delim, rest);
    if (a.header && *a.header != "0")
        if (auto first = read_first_record(fd, a.delim, rest)) add_names(a, Columns(column_rules(a)), *first);
    if (a.header && *a.header == "0" && !a.arg_files.empty()) a.rules.column_names.push_back(a.arg_files[0]);
    return records_source(fd, LineFilter(line_rules(a)), std::move(rest));
}

// -a files are input sources before the ::: groups, as in GNU parallel
// (whose :::+ after an -a links the wrong sources: here it links the
// source it follows).
std::unique_ptr<JobSource> whole_sources(RunArgs& a) {
    std::vector<std::vector<std::string>> sources;
    std::vector<bool> linked;
    std::vector<std::string> names;
    for (const std::string& f : a.arg_files) {
        sources.push_back(read_records(f, a.delim));
        linked.push_back(false);
        names.push_back(f);
    }
    for (InputGroup& g : a.groups) {
        sources.push_back(g.from_file ? std::move(g.args) : as_records(g.args, a.delim));
        linked.push_back(g.linked);
        names.push_back(g.from_file ? g.file : std::string());
    }
    a.pool.null_stdin = InputFile::stdin_taken();
    // --skip-first-line: parallel reads one record of its first input source's file.
    if (a.skip_first_line && !sources.empty() && !sources[0].empty()) sources[0].erase(sources[0].begin());
    Columns cols(column_rules(a));
    for (size_t i = 0; i < sources.size(); ++i) {
        std::vector<std::string>& s = sources[i];
        if (a.header && *a.header == "0") {
            a.rules.column_names.push_back(names[i]);
        } else if (a.header && !s.empty()) {
            add_names(a, cols, s.front());
            s.erase(s.begin());
        }
        s = filtered(std::move(s), line_rules(a));
        if (a.csv) check_csv(s, column_rules(a), names[i].empty() ? "input source " + std::to_string(i + 1) : names[i]);
    }
    return combined_source(std::move(sources), linked, a.link);
}

}  // namespace

ColumnRules column_rules(const RunArgs& a) {
    ColumnRules r;
    r.split = a.colsep.has_value();
    r.csv = a.csv;
    r.colsep = a.colsep.value_or("");
    if (a.csv) r.csv_sep = unquote_delimiter(r.colsep).at(0);  // one character: settle_inputs checked
    r.trim = a.trim ? parse_trim(*a.trim) : Trim::none;
    return r;
}

std::unique_ptr<JobSource> counted_if_needed(std::unique_ptr<JobSource> s, const CommandTemplate& cmd, const RunArgs& a) {
    const OutputOptions& out = a.pool.output;
    bool needed = cmd.needs_total() || (out.tag && out.tag->needs_total()) ||
                  (out.results_template && out.results_template->needs_total());
    // A queue has no end to read up to: its total stays unknown (0).
    if (!needed || a.from || s->total() >= 0) return s;
    return counted_source(std::move(s));
}

std::unique_ptr<JobSource> open_inputs(RunArgs& a) {
    if (a.pool.retry_failed) return joblog_failed_source(a.pool.joblog);
    std::unique_ptr<JobSource> s;
    if (a.from) {
        Endpoint e = parse_queue(a.from->c_str());
        // The consumer of what it takes is this pool-run, not its parent.
        s = with_context("--from " + e.str(), [&] { return queue_source(open_queue(e, {Access::read, getpid()}), a.idle); });
    } else if (a.groups.empty() && a.arg_files.size() <= 1) {
        s = stream_source(a);
    } else {
        s = whole_sources(a);
    }
    ColumnRules rules = column_rules(a);
    if (rules.split || rules.trim != Trim::none || a.no_args)
        s = columns_source(std::move(s), rules, a.no_args, a.from.has_value());
    if (a.shuf) s = shuffled_source(std::move(s));
    return s;
}

}  // namespace prockit
