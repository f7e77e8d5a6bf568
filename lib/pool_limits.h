// How many jobs the pool runs at a time: -j, cut at the start to what the
// descriptor and process limits leave (as GNU parallel does), and cut again
// when the kernel refuses a process, so that no job fails for the pool's
// own want of either.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace prockit {

class BarLine;
class JobSource;
struct PoolOptions;

// -j cut to RLIMIT_NOFILE (ulimit -n): `slots`, or fewer with a warning.
// Throws when not even one job fits.
unsigned fit_slots_to_descriptors(unsigned slots, const PoolOptions& opt);

// Throws the Error of fit_slots_to_descriptors when not even one job fits
// (pool-run's own descriptors, made before it, ran out: EMFILE).
[[noreturn]] void too_few_descriptors();

// -j cut to RLIMIT_NPROC (ulimit -u), for jobs of `per_job` processes each.
unsigned fit_slots_to_processes(unsigned slots, unsigned per_job);

// The processes of our real user, threads included, as RLIMIT_NPROC
// counts them; -1 if /proc cannot say.
long user_processes();

// fork refused with EAGAIN: the user's process limit (ulimit -u) or the
// system's. With jobs running, the job waits for one of them to end, and
// the pool keeps to the number running from then on, as GNU parallel
// does (half that for jobs under a shell, which forks their commands),
// rather than fail jobs it could run later. With none running it is tried
// again after 10 ms, doubling to 1 s, for 3 s in all.
class ProcessRoom {
public:
    // A start was refused with `running` jobs running: may cut `slots`
    // (saying so once), or throw after 3 s with none running.
    void refused(size_t running, unsigned& slots, unsigned asked, unsigned per_job, BarLine& bar);
    // A job started: the kernel has room again.
    void started() { since_ = 0; }
    // With no job running, when to try again.
    double retry_at() const { return retry_at_; }

private:
    double retry_at_ = 0, delay_ = 0, since_ = 0;
    bool said_ = false;
};

// --memfree and --noswap, as GNU parallel: no job starts while the memory
// free (its measure: MemFree + Buffers + Cached + SwapCached of
// /proc/meminfo) is below SIZE, or while the machine swaps both in and out
// (pswpin and pswpout of /proc/vmstat both grew over the last second).
// `inner`'s records wait meanwhile: the source says "later" and is asked
// again after 10 ms, doubling to 1 s. A machine whose swapping is not known
// yet (the first second) is taken as not swapping (GNU waits for its first
// measure).
std::unique_ptr<JobSource> gated_source(std::unique_ptr<JobSource> inner, const PoolOptions& opt);

// The measures, from the files' text: bytes free (0 if not found), and the
// pages swapped in and out since boot.
unsigned long long memory_free(std::string_view meminfo);
struct SwapCounts {
    unsigned long long in = 0, out = 0;
};
SwapCounts swap_counts(std::string_view vmstat);

// --memfree SIZE, as GNU parallel's kill_youngster_if_not_enough_mem: with
// less than half of SIZE free, the youngest running job (the highest number
// not already being ended) is ended as --timeout ends one; it fails, and
// runs again only under --retries, as in parallel. At most one a second, so
// that what its end frees is measured before the next is chosen.
class MemoryGuard {
public:
    explicit MemoryGuard(unsigned long long memfree) : memfree_(memfree) {}
    // When the pool is to wake to look again; -1: never (no --memfree).
    double next_check() const { return memfree_ ? checked_ + 1 : -1; }
    // Whether a job is to be ended now, given the memory free then (a
    // reading of 0, which cannot be, ends none).
    bool short_now(unsigned long long free, double now) {
        if (!memfree_ || now < checked_ + 1) return false;
        checked_ = now;
        return free > 0 && free < memfree_ / 2;
    }
    bool on() const { return memfree_ > 0; }
    // The reading short_now wants: /proc/meminfo's, as memory_free counts it.
    static unsigned long long read_free();

    // The youngest of `jobs` not yet being ended, or null.
    template <class Jobs>
    static auto youngest(const Jobs& jobs) -> decltype(&*jobs.front()) {
        decltype(&*jobs.front()) pick = nullptr;
        for (const auto& j : jobs)
            if (!j->exited && j->term_step == 0 && (!pick || j->input.seq > pick->input.seq)) pick = &*j;
        return pick;
    }

private:
    unsigned long long memfree_;
    double checked_ = 0;
};

}  // namespace prockit
