// Zombies followed from one scan to the next (zombie-watch -i): which
// appeared, which are still there and for how long, which have gone.
//
// A zombie is known by its pid and start time, so that a pid reused between
// two scans is a new zombie, not an old one still there.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "proc.h"

namespace prockit {

class ZombieSightings {
public:
    // One zombie in one scan's report. `event` is "present" (a single scan),
    // "appeared", "still" or "gone"; `seen` is how long it has been seen.
    struct Sighting {
        const Zombie* zombie;
        const char* event;
        double seen;
    };

    // `watching`: scans follow one another (else every zombie is "present").
    explicit ZombieSightings(bool watching) : watching_(watching) {}

    // The report of a scan made at `now` (seconds, monotonic) that found
    // `zombies`: those found, in pid order, then those gone since the last
    // scan. Valid until the next call.
    const std::vector<Sighting>& scan(const std::vector<Zombie>& zombies, double now);

private:
    using Key = std::pair<pid_t, uint64_t>;  // pid and start time
    using Seen = std::map<Key, std::pair<double, Zombie>>;  // first seen, last state
    bool watching_;
    Seen known_, previous_;
    std::vector<Sighting> report_;
};

}  // namespace prockit
