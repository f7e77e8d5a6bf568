#include "pool_limits.h"

#include <dirent.h>
#include <fcntl.h>
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

namespace {

// The descriptors open now. /proc/self/fd takes one to read: with none
// left (EMFILE), those below the limit are asked for one by one instead.
long open_descriptors(rlim_t limit) {
    if (DIR* d = ::opendir("/proc/self/fd")) {
        long open = 0;
        while (const dirent* e = ::readdir(d))
            if (e->d_name[0] != '.') ++open;
        ::closedir(d);
        return open - 1;  // the directory's own
    }
    if (limit > 65536) return 16;  // no /proc: a guess on the safe side
    long open = 0;
    for (int fd = 0; fd < static_cast<int>(limit); ++fd)
        if (::fcntl(fd, F_GETFD) != -1) ++open;
    return open;
}

Error too_few(rlim_t limit, long open) {
    std::string n = limit == RLIM_INFINITY ? "unlimited" : std::to_string(limit);
    return Error(Exit::failure,
                 "not enough file descriptors to run a job (ulimit -n " + n + ", " + std::to_string(open) + " open)");
}

}  // namespace

void too_few_descriptors() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) rl.rlim_cur = RLIM_INFINITY;
    throw too_few(rl.rlim_cur, open_descriptors(rl.rlim_cur));
}

// A running job holds the read ends of its two output pipes (none with
// -u) and a file for each stream whose output outgrows memory (none when
// --line-buffer writes it as it comes, unless -k keeps it for its turn or
// --results or --files want it whole); with --pipe and --pipepart, the
// write end of its input too (its pipe, or --fifo's FIFO; --cat's file is
// closed before the job starts). Starting one, or writing its --results,
// briefly takes up to three more (the job's ends of its pipes; a
// directory and a file), and /dev/null, the input's duplicate and
// --pipepart's files are opened once, later. So that no job fails for
// want of one, -j is cut to what RLIMIT_NOFILE leaves after the
// descriptors already open and those, as GNU parallel does.
unsigned fit_slots_to_descriptors(unsigned slots, const PoolOptions& opt) {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return slots;
    long open = open_descriptors(rl.rlim_cur);
    const PipeOptions& pipe = opt.pipe;
    long per_job = 0;
    if (!opt.ungroup) {
        bool kept = !opt.line_buffer || opt.keep_order || opt.output.files || !opt.output.results.empty();
        per_job = 2 + (kept ? 2 : 0);
    }
    if (pipe.mode != PipeOptions::Mode::none && pipe.feed != PipeOptions::Feed::cat) ++per_job;
    long reserve = 3 + 1 + 1 + (pipe.mode == PipeOptions::Mode::part ? static_cast<long>(pipe.files.size()) : 0);
    long room = static_cast<long>(std::min<rlim_t>(rl.rlim_cur, LONG_MAX / 2)) - open - reserve;
    if (room < per_job) throw too_few(rl.rlim_cur, open);
    if (per_job == 0) return slots;  // -u: jobs hold nothing of ours
    long fit = room / per_job;
    if (fit >= static_cast<long>(slots)) return slots;
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
