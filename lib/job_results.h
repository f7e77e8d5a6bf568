// GNU parallel's --results and --files, copied from its source (Job::
// openoutputfiles, args_as_dirname, print_csv, combine_ref, print_json):
//
//   --results DIR        DIR/1/VALUE/2/VALUE/{seq,stdout,stderr}: a name
//                        (the input source's number, or its --header name)
//                        and a value per field, sorted by name; in a name
//                        or value \ / TAB NUL are written \\ \_ \t \0 and
//                        (unlike parallel) `.` and `..` as \. and \.\.;
//                        a value is cut to NAME_MAX bytes, as parallel.
//   --results TEMPLATE   with replacement strings: the expanded name is the
//                        stdout file (and NAME.err, NAME.seq), or ending in
//                        / the directory of seq, stdout, stderr.
//   --results X.csv, X.tsv, X.json (-.csv... on stdout): one record a job,
//                        Seq Host Starttime JobRuntime Send Receive Exitval
//                        Signal Command V1..Vn Stdout Stderr.
//   --files              stdout in $TMPDIR/parXXXXX.par, left for the user.
//
// Nothing of a job's output goes to pool-run's stdout then, but the names
// of the files with --files. The formatters are pure, for tests and fuzzing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "joblog.h"

namespace prockit {

enum class ResultsKind { dir, csv, tsv, json };
// By NAME's ending, in any case, as parallel tells them.
ResultsKind results_kind(std::string_view name);

// DIR's subdirectory for a job: its fields, each after its name.
std::string results_subdir(const std::vector<std::vector<std::string>>& records, const std::vector<std::string>& header);

// What a record of the .csv/.tsv/.json file says of a job.
struct ResultRow {
    JoblogRecord job;
    std::vector<std::string> values;  // all fields of all records
    std::string out, err;
};
// A field of a .csv (sep ',') or .tsv ('\t') record, quoted when it holds
// a quote, a blank, the separator or a NUL.
std::string csv_field(std::string_view v, char sep);
// The header line: V1..Vn, or the --header names.
std::string csv_header(size_t values, const std::vector<std::string>& header, char sep);
std::string csv_line(const ResultRow& r, char sep);
std::string json_line(const ResultRow& r);

// A new file $TMPDIR/parXXXXX.par (mode 0600, made with O_EXCL): its name;
// `fd` its descriptor. Throws Error on failure.
std::string make_par_file(int& fd);

// Refuses (Error) a NAME template's expansion `name` that climbs out with
// more `..` than the template `tmpl` has, or is absolute when it is not.
void check_results_name(const std::string& tmpl, const std::string& name);

}  // namespace prockit
