// The pool's side of GNU parallel's joblog (the format is lib/joblog.h):
// writing a line per finished job, and --resume / --resume-failed, which
// read the log of an earlier run before any job and skip what it has done.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "command_template.h"
#include "fd.h"
#include "joblog.h"

namespace prockit {

class BarLine;
struct PoolOptions;

class JoblogWriter {
public:
    // --joblog FILE: truncated, or appended to when the run resumes an
    // earlier one (the header is written to a new or empty log only).
    // Nothing without --joblog, or with --dry-run.
    // `--joblog -` is standard output, as GNU parallel's: the header now,
    // each line after its job's output (the pool puts it there).
    explicit JoblogWriter(const PoolOptions& opt);
    bool on() const { return static_cast<bool>(fd_) || to_stdout_; }
    bool to_stdout() const { return to_stdout_; }
    void write(const JoblogRecord& r);

private:
    std::string path_;
    Fd fd_;
    bool to_stdout_ = false;
};

// Whether a command of the joblog is the job's: the same command, or one
// that holds each of the job's inputs (as written, or quoted for the
// shell), since the command may have changed and the inputs not.
bool logged_as(const std::string& logged, const std::string& command, const JobInput& in);

class ResumeLog {
public:
    // Reads the log with --resume or --resume-failed (else has nothing).
    // A log that cannot be read is no log yet (GNU parallel's rule: a first
    // run with --resume runs everything); one that is malformed is an
    // Error naming the bad line.
    explicit ResumeLog(const PoolOptions& opt);
    // Whether the log has the job as done (--resume) or done well
    // (--resume-failed); warns once (clearing `bar`) when it looks like
    // another job.
    bool skip(const CommandTemplate& cmd, const JobInput& in, BarLine& bar);

private:
    bool resume_ = false;  // --resume, not --resume-failed
    std::string path_;
    // What the joblog has of each Seq (the command too, to tell when the
    // jobs of this run are not the log's); each is forgotten once asked.
    std::map<uint64_t, JoblogJob> logged_;
    bool said_mismatch_ = false;
};

}  // namespace prockit
