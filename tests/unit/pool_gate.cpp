// lib/pool_limits: the measures --memfree and --noswap read, from the text
// of /proc/meminfo and /proc/vmstat.
#include "pool_limits.h"
#include "unit.h"

#include <memory>
#include <vector>

using namespace prockit;

TEST("memory_free: MemFree + Buffers + Cached + SwapCached in bytes, as GNU parallel counts it") {
    const char* meminfo =
        "MemTotal:        8000000 kB\n"
        "MemFree:          100000 kB\n"
        "MemAvailable:    5000000 kB\n"
        "Buffers:            2000 kB\n"
        "Cached:           300000 kB\n"
        "SwapCached:           40 kB\n"
        "Active:          1000000 kB\n";
    CHECK_EQ(memory_free(meminfo), (100000ULL + 2000 + 300000 + 40) * 1024);
}

TEST("memory_free: no field found is 0 (nothing is held back), a malformed number is skipped") {
    CHECK_EQ(memory_free(""), 0ULL);
    CHECK_EQ(memory_free("MemFree: x kB\nCached: 5 kB"), 5ULL * 1024);
}

TEST("swap_counts: pswpin and pswpout, not their prefixes' neighbours") {
    SwapCounts c = swap_counts("pgpgin 10\npswpin 7\npswpout 9\npswpin_extra 1\n");
    CHECK_EQ(c.in, 7ULL);
    CHECK_EQ(c.out, 9ULL);
    SwapCounts none = swap_counts("nr_free_pages 3\n");
    CHECK_EQ(none.in, 0ULL);
    CHECK_EQ(none.out, 0ULL);
}

namespace {
struct FakeJob {
    struct {
        unsigned long long seq;
    } input;
    bool exited = false;
    unsigned term_step = 0;
};
}  // namespace

TEST("MemoryGuard: the youngest job not already ended or being ended is the one to end") {
    std::vector<std::unique_ptr<FakeJob>> jobs;
    CHECK(MemoryGuard::youngest(jobs) == nullptr);
    for (unsigned long long seq : {3ULL, 7ULL, 5ULL}) jobs.push_back(std::make_unique<FakeJob>(FakeJob{{seq}}));
    CHECK_EQ(MemoryGuard::youngest(jobs)->input.seq, 7ULL);
    jobs[1]->term_step = 1;  // 7 is being ended already
    CHECK_EQ(MemoryGuard::youngest(jobs)->input.seq, 5ULL);
    jobs[2]->exited = true;
    CHECK_EQ(MemoryGuard::youngest(jobs)->input.seq, 3ULL);
}

TEST("MemoryGuard: short below half of --memfree, looked at once a second, never without --memfree") {
    MemoryGuard off(0);
    CHECK(!off.short_now(1, 10));
    CHECK_EQ(off.next_check(), -1.0);
    MemoryGuard g(1000);
    CHECK(!g.short_now(500, 10));   // half exactly is enough
    CHECK(g.short_now(499, 11));    // a second since the look before
    CHECK(!g.short_now(1, 11.5));   // within the second
    CHECK_EQ(g.next_check(), 12.0);
    CHECK(g.short_now(1, 12));
    CHECK(!g.short_now(0, 13));     // no reading: nothing is ended
}
