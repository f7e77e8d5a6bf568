#include "pool_limits.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <string>

#include "deadline.h"
#include "diag.h"
#include "pool_options.h"
#include "progress_bar.h"

namespace prockit {

// Each running job holds up to five descriptors: the write end of its
// --pipe input, the read ends of its two output pipes, and a file for each
// stream whose output outgrows memory (three with --line-buffer, which
// keeps no file; one with -u).
// Starting one briefly needs two more (the job's ends of its pipes), and
// /dev/null and the input's duplicate are opened once, later. So that no
// job fails for want of one, -j is cut to what RLIMIT_NOFILE leaves after
// the descriptors already open and those, as GNU parallel does.
unsigned fit_slots_to_descriptors(unsigned slots, const PoolOptions& opt) {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return slots;
    long open = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (const dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') ++open;
        ::closedir(d);
        --open;  // the directory's own
    } else {
        open = 16;  // no /proc: a guess on the safe side
    }
    constexpr long kReserve = 2 + 1 + 1;  // a starting job's pipe ends, /dev/null, the input's duplicate
    long per_job = opt.ungroup ? 1 : opt.line_buffer ? 3 : 5;
    long room = static_cast<long>(std::min<rlim_t>(rl.rlim_cur, LONG_MAX / 2)) - open - kReserve;
    long fit = std::max(0L, room / per_job);
    if (fit >= static_cast<long>(slots)) return slots;
    if (fit == 0)
        throw Error(Exit::failure, "not enough file descriptors to run a job (ulimit -n " +
                                       std::to_string(rl.rlim_cur) + ", " + std::to_string(open) + " open)");
    warn("-j %u: only enough file descriptors for %ld job%s at a time (ulimit -n %llu)", slots, fit,
         fit == 1 ? "" : "s", static_cast<unsigned long long>(rl.rlim_cur));
    return static_cast<unsigned>(fit);
}

long user_processes() {
    DIR* d = ::opendir("/proc");
    if (!d) return -1;
    long n = 0;
    while (const dirent* e = ::readdir(d)) {
        if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
        std::ifstream st(std::string("/proc/") + e->d_name + "/status");
        long threads = 1;
        bool ours = false;
        for (std::string line; std::getline(st, line);) {
            if (line.rfind("Uid:", 0) == 0) ours = std::strtoul(line.c_str() + 4, nullptr, 10) == ::getuid();
            if (line.rfind("Threads:", 0) == 0) threads = std::atol(line.c_str() + 8);
        }
        if (ours) n += threads;
    }
    ::closedir(d);
    return n;
}

// Each job is at least one process, a job under a shell usually two (the
// shell forks its commands). Under a finite RLIMIT_NPROC (ulimit -u),
// which counts every process of the user, -j is cut to the room that the
// processes already running leave, as GNU parallel does, so that no job
// fails for want of one. Root is not held to the limit. Processes that
// come later are ProcessRoom's concern.
unsigned fit_slots_to_processes(unsigned slots, unsigned per_job) {
    rlimit rl{};
    if (::getuid() == 0 || ::getrlimit(RLIMIT_NPROC, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return slots;
    // The usual limit is far above what the whole system runs (the fourth
    // field of /proc/loadavg): then there is no need to count ours.
    std::ifstream loadavg("/proc/loadavg");
    double load;
    char slash;
    unsigned long running = 0, tasks = 0;
    if (loadavg >> load >> load >> load >> running >> slash >> tasks &&
        tasks + 2ULL * slots < static_cast<unsigned long long>(rl.rlim_cur))
        return slots;
    long used = user_processes();
    if (used < 0) return slots;
    long room = static_cast<long>(std::min<rlim_t>(rl.rlim_cur, LONG_MAX / 2)) - used;
    long fit = room / static_cast<long>(per_job);
    // Less room than one job needs: a shell job would start and then fail
    // for want of the process it forks ("Cannot fork"), not pool-run.
    if (fit < 1)
        throw Error(Exit::failure, "not enough processes to run a job (ulimit -u " + std::to_string(rl.rlim_cur) +
                                       ", " + std::to_string(used) + " in use, a job needs " +
                                       std::to_string(per_job) + ")");
    if (fit >= static_cast<long>(slots)) return slots;
    warn("-j %u: only enough processes for %ld job%s at a time (ulimit -u %llu, %ld in use)", slots, fit,
         fit == 1 ? "" : "s", static_cast<unsigned long long>(rl.rlim_cur), used);
    return static_cast<unsigned>(fit);
}

void ProcessRoom::refused(size_t running, unsigned& slots, unsigned asked, unsigned per_job, BarLine& bar) {
    double now = monotonic_seconds();
    if (running > 0) {
        delay_ = 0;
        since_ = 0;
        if (running < slots) {
            slots = std::max(1U, static_cast<unsigned>(running) / per_job);
            if (!said_) {
                bar.before_line();
                warn("-j %u: the system refused a new process (%s): running at most %u job%s at a time", asked,
                     reason(EAGAIN).c_str(), slots, slots == 1 ? "" : "s");
            }
            said_ = true;
        }
        return;
    }
    if (since_ == 0) since_ = now;
    if (now - since_ >= 3)
        throw Error(Exit::failure, "cannot start a job: " + reason(EAGAIN) + ", with no job of ours running, for 3 s");
    delay_ = delay_ == 0 ? 0.01 : std::min(1.0, delay_ * 2);
    retry_at_ = now + delay_;
}

}  // namespace prockit
