// Where pool-run's jobs come from: the JobSource interface the pool asks
// for the next record, the four sources behind it (input records, the
// cross product of ::: groups, a queue, a joblog's failed jobs), and the
// three that rework another's records (columns, --shuf, counted).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "columns.h"
#include "line_filter.h"

namespace prockit {

class Queue;

// Where jobs come from. next() gives the next job's inputs, or says why not.
class JobSource {
public:
    enum class Next { job, later, end };
    virtual ~JobSource() = default;
    virtual Next next(std::vector<std::string>& args) = 0;
    // A descriptor to poll for more (or -1), and how long to wait at most
    // before asking again (ms, -1: no limit), when next() said later.
    virtual int poll_fd() const { return -1; }
    virtual int poll_ms() const { return -1; }
    // The total number of jobs, when known in advance (for --bar).
    virtual long long total() const { return -1; }
    // Called when the job made from these inputs has finished (after its
    // retries), or was skipped.
    virtual void finished(const std::vector<std::string>& /*args*/) {}
    // The joblog's Seq for the job next() gave last: 0 for its number in
    // this run, or the one it had in the joblog it comes from.
    virtual unsigned long long joblog_seq() const { return 0; }
};

// Records of a descriptor (lines, -0 or -d records), read as they come,
// through the filter (-E, -r, --csv's records over several lines); `rest`
// is what was read of it already (past --header's line).
std::unique_ptr<JobSource> records_source(int fd, LineFilter filter, std::string rest = {});
// Input sources read whole (::: groups, -a and :::: files): their cross
// product, the last varying fastest, where a source linked to the one
// before it (:::+, ::::+) moves with it, as far as the shorter goes; with
// link_all (--link) all move together as far as the longest goes, the
// shorter ones starting over. An empty source makes no jobs.
std::unique_ptr<JobSource> combined_source(std::vector<std::vector<std::string>> sources, std::vector<bool> linked,
                                           bool link_all);
// Each record of `inner` split into columns and trimmed (--colsep, --csv,
// --trim), or emptied (-N 0). `map_back`: finished() gives `inner` the
// record it gave (a queue's message), not the columns.
std::unique_ptr<JobSource> columns_source(std::unique_ptr<JobSource> inner, const ColumnRules& rules, bool no_args,
                                          bool map_back);
// --shuf: every record of `inner`, read to its end first, in a random order.
std::unique_ptr<JobSource> shuffled_source(std::unique_ptr<JobSource> inner);
// Every record of `inner`, read to its end first, in order: its total()
// is then known ({##}, total_jobs() of a stream).
std::unique_ptr<JobSource> counted_source(std::unique_ptr<JobSource> inner);
// Messages of a queue, each marked done when its job has finished; ends at
// the end-of-stream marker, or after idle_s seconds without a message.
std::unique_ptr<JobSource> queue_source(std::unique_ptr<Queue> q, double idle_s);
// --retry-failed: the commands that a joblog has as failed (by the last
// line of each Seq), each a job under its Seq, in the order of their Seqs.
// A log that cannot be read or is malformed is an Error naming it.
std::unique_ptr<JobSource> joblog_failed_source(const std::string& joblog);

}  // namespace prockit
