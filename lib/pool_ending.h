// How the pool ends its jobs: --timeout, --termseq (by default TERM,
// --term-grace, KILL), a stop signal, --halt now. Each step signals the
// job's whole process group; a job whose process has exited is not done
// while its group still lives and steps are left, as in GNU parallel (a
// background child may ignore SIGINT and outlive the shell).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "command_template.h"
#include "pool_job.h"
#include "pool_options.h"
#include "pool_rules.h"
#include "progress_bar.h"

namespace prockit {

using RunningJobs = std::vector<std::unique_ptr<Job>>;

class JobEnder {
public:
    JobEnder(const PoolOptions& opt, const CommandTemplate& cmd, BarLine& bar_line);
    // Jobs over --timeout: the first step, with a warning; and the next
    // steps of those being ended that are due.
    void end_overdue(RunningJobs& jobs, double limit, double now);
    // Every running job not yet being ended: its first step.
    void end_all(RunningJobs& jobs);
    // One job's first step, unless it is being ended (--memfree's youngest).
    void end(Job& j);
    // The jobs that are done, out of `jobs`, each to `finished`.
    void sweep(RunningJobs& jobs, const std::function<void(std::unique_ptr<Job>)>& finished) const;
    // Whether the job is still being ended (its group lives, steps are left).
    bool still_ending(const Job& j) const;

private:
    void step(Job& j, double now);

    const CommandTemplate& cmd_;
    BarLine& bar_line_;
    std::vector<TermStep> steps_;
};

}  // namespace prockit
