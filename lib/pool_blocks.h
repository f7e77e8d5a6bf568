// The pool's jobs made of blocks (--pipe, --pipepart): what each job is
// given (its block through its standard input, or a --cat file or a
// --fifo FIFO named by {}), and --round-robin's feeding of many blocks to
// each of the -j jobs. The bytes move in lib/pipe_feed.h.
#pragma once

#include <memory>

#include "job_sources.h"
#include "pipe_feed.h"
#include "pool_ending.h"

namespace prockit {

class PoolBlocks {
public:
    // Refuses, before any job, a TMPDIR that --cat's or --fifo's files
    // are not safe in (check_temp_dir()).
    PoolBlocks(const PipeOptions& opt, int in_fd, unsigned slots);
    // The next block into `job`: its feed, and {} for --cat and --fifo.
    JobSource::Next take(Job& job);
    bool round_robin() const { return round_robin_; }
    // --round-robin: a job whose pipe took all it was given waits for more.
    bool any_idle(const RunningJobs& jobs) const;
    // --round-robin: each block to a job whose pipe has room; with `more`
    // false (no new jobs: SIGHUP, --halt), or at the end of the input
    // (`ended` is then set), every idle pipe is closed.
    void refeed(RunningJobs& jobs, bool more, bool& ended);
    int poll_fd() const { return source_.poll_fd(); }

private:
    const PipeOptions& opt_;
    BlockSource source_;
    bool round_robin_;
};

}  // namespace prockit
