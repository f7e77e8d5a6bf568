#include "pool_ending.h"

#include <signal.h>

#include <cmath>

#include "deadline.h"
#include "diag.h"
#include "text.h"

namespace prockit {

JobEnder::JobEnder(const PoolOptions& opt, const CommandTemplate& cmd, BarLine& bar_line)
    : cmd_(cmd), bar_line_(bar_line),
      steps_(opt.termseq.empty() ? std::vector<TermStep>{{SIGTERM, opt.term_grace}, {SIGKILL, 3600}} : opt.termseq) {}

// Jobs over --timeout: the whole process group, TERM first, KILL after the grace.
void JobEnder::end_overdue(RunningJobs& jobs, double limit, double now) {
    for (auto& j : jobs) {
        if (limit > 0 && !j->timed_out && now >= JobTimeout::due(limit, j->started, j->started_epoch)) {
            j->timed_out = true;
            step(*j, now);
            // As GNU parallel's warning: the job fails whatever it exits with.
            bar_line_.before_line();
            // To the millisecond: an N% limit is a median times N (0.214328 s).
            warn("job %llu timed out after %g s and was ended: %s", j->seq(), std::round(limit * 1000) / 1000,
                 escape_text(cmd_.display(j->input)).c_str());
        } else if (j->kill_at > 0 && now >= j->kill_at) {
            step(*j, now);
        }
    }
}

void JobEnder::end_all(RunningJobs& jobs) {
    double now = monotonic_seconds();
    for (auto& j : jobs)
        if (j->term_step == 0) step(*j, now);
}

void JobEnder::end(Job& j) {
    if (j.term_step == 0) step(j, monotonic_seconds());
}

// Jobs whose process has exited and whose pipes are closed are done.
void JobEnder::sweep(RunningJobs& jobs, const std::function<void(std::unique_ptr<Job>)>& finished) const {
    for (size_t i = 0; i < jobs.size();) {
        if (!jobs[i]->done() || still_ending(*jobs[i])) {
            ++i;
            continue;
        }
        auto job = std::move(jobs[i]);
        jobs.erase(jobs.begin() + static_cast<long>(i));
        finished(std::move(job));
    }
}

// As parallel: --termseq goes on while any of the job's process group
// lives, not only its leader. A group id is not reused while a member has it.
bool JobEnder::still_ending(const Job& j) const {
    return j.term_step > 0 && j.term_step < steps_.size() && j.pid > 0 && ::kill(-j.pid, 0) == 0;
}

// The next step of ending a job's process group: --termseq's signals and
// waits; after the last, KILL again every hour, so that no job outlives the run.
void JobEnder::step(Job& j, double now) {
    static const TermStep kKill{SIGKILL, 3600};
    const TermStep& s = j.term_step < steps_.size() ? steps_[j.term_step] : kKill;
    ::kill(-j.pid, s.sig);
    j.kill_at = now + s.wait;
    ++j.term_step;
}

}  // namespace prockit
