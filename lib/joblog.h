// GNU parallel's joblog, read back for --resume and --resume-failed.
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
#include <string_view>

namespace prockit {

struct JoblogEntry {
    uint64_t seq = 0;        // the job's sequence number, from 1
    bool succeeded = false;  // Exitval 0 and Signal 0
};

// Line `number` (from 1) of a joblog, without its newline. Line 1 must be
// the header (nothing is returned for it); every other line an entry.
// Throws Error(Exit::failure, "line N: reason").
std::optional<JoblogEntry> parse_joblog_line(std::string_view line, uint64_t number);

// A whole joblog: seq -> succeeded, the last line of a seq deciding (a job
// run again by --resume-failed is logged again). Throws as above.
std::map<uint64_t, bool> parse_joblog(std::string_view text);

}  // namespace prockit
