// zombie-watch's following of zombies from scan to scan (lib/zombie_sightings.h)
// over any run of scans: each scan's report holds every zombie found once,
// in (pid, start time) order, as "appeared" the first scan it is in and
// "still" after, seen for as long as it has been there without a break;
// then every zombie of the scan before that is gone, in the same order,
// as its last state said. A pid with another start time is another zombie.
// A single scan (not watching) calls each zombie "present".
//
// Input: byte 0 (bit 0: watching), then scans: a count byte, then that
// many zombies of one byte each (pid 1-8 and one of two start times).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "fuzz.h"
#include "zombie_sightings.h"

using namespace prockit;

namespace {
using Key = std::pair<pid_t, uint64_t>;

void expect(const ZombieSightings::Sighting& s, const Key& key, const char* event, double seen) {
    if (s.zombie->proc.pid != key.first || s.zombie->proc.start_ticks != key.second) std::abort();
    if (std::strcmp(s.event, event) != 0 || s.seen != seen) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const bool watching = data[0] & 1;
    ZombieSightings sightings(watching);
    std::map<Key, double> known;  // the zombies of the last scan, and when each was first seen
    double now = 0;
    for (size_t i = 1; i < size && (watching || i == 1);) {
        size_t count = data[i++] % 16;
        size_t n = std::min(count, size - i);
        std::vector<Zombie> zombies(n);
        std::map<Key, double> found;
        for (size_t k = 0; k < n; ++k) {
            zombies[k].proc.pid = data[i + k] % 8 + 1;
            zombies[k].proc.start_ticks = data[i + k] >> 7;
            zombies[k].proc.state = 'Z';
            Key key{zombies[k].proc.pid, zombies[k].proc.start_ticks};
            found.emplace(key, known.count(key) ? known[key] : now);
        }
        i += n;
        const std::vector<ZombieSightings::Sighting>& report = sightings.scan(zombies, now);
        size_t gone = 0;
        for (const auto& [key, first] : known) gone += !found.count(key);
        if (report.size() != found.size() + gone) std::abort();
        size_t at = 0;
        for (const auto& [key, first] : found)
            expect(report[at++], key, !watching ? "present" : known.count(key) ? "still" : "appeared", now - first);
        for (const auto& [key, first] : known)
            if (!found.count(key)) expect(report[at++], key, "gone", now - first);
        known = std::move(found);
        now += 0.5;
    }
    return 0;
}
