// lib/pool_limits: the measures --memfree and --noswap read, from the text
// of /proc/meminfo and /proc/vmstat.
#include "pool_limits.h"
#include "unit.h"

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
