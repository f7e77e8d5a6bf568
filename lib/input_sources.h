// Where pool-run's records come from, as its options and operands say: the
// joblog (--retry-failed), a queue (--from), the records of standard input
// or of one -a file as they come, or the ::: groups and -a and :::: files
// read whole and combined (crossed, linked); then split into columns
// (--colsep, --csv, --trim, -N 0) and shuffled (--shuf).
#pragma once

#include <memory>

#include "job_sources.h"
#include "run_args.h"

namespace prockit {

// Opens the inputs. --header's first line of each source is read here
// (waiting for it on a stream), its names put into a.rules.column_names:
// call it before the CommandTemplate is made. Sets a.pool.null_stdin when
// standard input is an input: the jobs then read /dev/null. Malformed CSV
// in a source read whole is Error(Exit::failure) before any job runs.
std::unique_ptr<JobSource> open_inputs(RunArgs& a);

// The source again, read to its end before the first job when the
// command, --tagstring or --results needs the number of jobs ({##}, {0#},
// total_jobs()) and the source cannot say it ahead (a stream): as GNU
// parallel's total_jobs() reads it, on first use. Call it once the
// template and the output options are made.
std::unique_ptr<JobSource> counted_if_needed(std::unique_ptr<JobSource> s, const CommandTemplate& cmd, const RunArgs& a);

// --colsep, --csv and --trim as Columns' rules.
ColumnRules column_rules(const RunArgs& a);

}  // namespace prockit
