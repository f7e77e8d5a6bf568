// Records into jobs, as GNU parallel's CommandLine::populate takes them:
// up to -n/-N records a job (one by default), with -m/-X/--xargs as many as
// the command line's length allows, and with -s (or either) none whose line
// would reach the limit: a job takes records while its composed line
// (CommandTemplate::display) stays shorter than max_chars. A single record
// too long for it ends the run (Error), as in parallel, one record a job too.
//
// -m and -X spread the last records evenly over the job slots, once: when
// a job would take every record left, it takes ceil(left / slots) of them,
// and each job after it no more (parallel's $already_spread).
//
// A job waits for its records (the source says "later"): parallel blocks
// reading them. The length is measured at 1, 2, 4, 8... records and then
// bisected, so that a job of n records costs O(log n) compositions, not n.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "command_template.h"
#include "job_sources.h"
#include "pool_options.h"

namespace prockit {

// What GNU parallel's probe finds the longest shell line to be (a binary
// search to within 1% of MAX_ARG_STRLEN, 32 pages): 130329 with 4 KiB
// pages, what its --max-line-length-allowed prints.
unsigned long long max_line_length();
// Its default limit: half of that, less 3000 for its wrapping: 63664.
unsigned long long default_max_chars();

class JobBatch {
public:
    // -s past the default is cut to it, with parallel's warning.
    JobBatch(JobSource& source, const Batch& opt, const CommandTemplate& cmd);
    // The next job's records into in.records; in.seq and in.slot are set
    // already (they count in the line's length). later: wait for input.
    JobSource::Next next(JobInput& in, unsigned slots);
    // The number of jobs in all, when the source knows its records (-1 if not).
    long long total() const;

private:
    bool ready(const JobInput& in);
    size_t take_count(const JobInput& in, unsigned slots);
    size_t line_length(const JobInput& in, size_t records) const;
    bool too_long(const JobInput& in, size_t records) const { return line_length(in, records) >= max_chars_; }
    bool long_record(const std::vector<std::string>& record) const;
    [[noreturn]] void refuse(const JobInput& in) const;

    JobSource& source_;
    const CommandTemplate& cmd_;
    unsigned long long max_args_;  // 0: no limit but the line's
    bool spread_, spread_done_ = false, limit_length_;
    unsigned long long max_chars_;
    std::deque<std::vector<std::string>> pending_;  // taken from the source, not yet in a job
    size_t fits_ = 0;       // records of pending_ known to fit in this job's line
    size_t checked_ = 0;    // the count last measured while taking
    bool over_ = false;     // the line is known too long with all of pending_
    bool ended_ = false;
    unsigned long long jobs_ = 0, taken_ = 0;
};

}  // namespace prockit
