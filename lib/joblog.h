// GNU parallel's joblog, read back for --resume, --resume-failed and
// --retry-failed.
//
//     Seq  Host  Starttime  JobRuntime  Send  Receive  Exitval  Signal  Command
//
// one tab-separated line per job after that header. The file may have been
// written by another program, cut short, or edited, so every field used is
// checked: a bad line is an Error naming its number, never a guess. The
// parsers take text, not a file, so that a fuzz target can call them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace prockit {

struct JoblogEntry {
    uint64_t seq = 0;          // the job's sequence number, from 1
    bool succeeded = false;    // Exitval 0 and Signal 0
    std::string_view command;  // the Command field, a view into the line given
};

// What a whole joblog says of one job: its last line decides (a job run
// again by --resume-failed or --retry-failed is logged again).
struct JoblogJob {
    bool succeeded = false;
    std::string command;
    bool operator==(const JoblogJob&) const = default;
};

// What pool-run logs of one job.
struct JoblogRecord {
    uint64_t seq = 0;
    double start = 0, runtime = 0;  // seconds since the epoch; seconds
    uint64_t sent = 0;              // bytes of input given (--pipe)
    uint64_t received = 0;          // bytes of output
    int exitval = 0, signal = 0;    // Exitval is -1 for a job ended by --timeout
    std::string command;
};

// The header line, and a record's line, each with its newline. A newline
// in the command is written as a NUL, as GNU parallel writes it, so that
// one job is one line; the runtime is to the millisecond below, in ten
// columns, as parallel's.
std::string joblog_header();
std::string joblog_line(const JoblogRecord& r);

// Line `number` (from 1) of a joblog, without its newline. Line 1 must be
// the header (nothing is returned for it); every other line an entry.
// Throws Error(Exit::failure, "line N: reason").
std::optional<JoblogEntry> parse_joblog_line(std::string_view line, uint64_t number);

// A whole joblog, by seq, each command as it ran (a NUL read back as the
// newline it stands for, as --retry-failed runs it in parallel). Throws
// as above.
std::map<uint64_t, JoblogJob> parse_joblog(std::string_view text);

// The Command field pool-run writes for a command: one line, each newline
// a NUL.
std::string joblog_command(std::string command);

}  // namespace prockit
