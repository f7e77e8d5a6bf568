// lib/zombie_sightings: zombies followed from scan to scan.
#include <string>
#include <vector>

#include "unit.h"
#include "zombie_sightings.h"

using namespace prockit;

namespace {
Zombie zombie(pid_t pid, uint64_t start) {
    Zombie z;
    z.proc.pid = pid;
    z.proc.start_ticks = start;
    z.proc.state = 'Z';
    return z;
}
// "PID:EVENT:SEEN" for each sighting.
std::vector<std::string> report(ZombieSightings& s, const std::vector<Zombie>& zombies, double now) {
    std::vector<std::string> out;
    for (const auto& x : s.scan(zombies, now))
        out.push_back(std::to_string(x.zombie->proc.pid) + ":" + x.event + ":" + std::to_string(static_cast<int>(x.seen)));
    return out;
}
using V = std::vector<std::string>;
}  // namespace

TEST("one scan: every zombie present, in pid order") {
    ZombieSightings s(false);
    CHECK_EQ(report(s, {zombie(30, 1), zombie(7, 1)}, 100), (V{"7:present:0", "30:present:0"}));
}

TEST("watching: appeared, still (seen since), gone") {
    ZombieSightings s(true);
    CHECK_EQ(report(s, {zombie(7, 1)}, 10), (V{"7:appeared:0"}));
    CHECK_EQ(report(s, {zombie(7, 1), zombie(8, 1)}, 15), (V{"7:still:5", "8:appeared:0"}));
    CHECK_EQ(report(s, {zombie(8, 1)}, 20), (V{"8:still:5", "7:gone:10"}));
    CHECK_EQ(report(s, {}, 21), (V{"8:gone:6"}));
    CHECK_EQ(report(s, {}, 22), V{});
}

TEST("a pid reused with another start time is a new zombie, the old one gone") {
    ZombieSightings s(true);
    report(s, {zombie(7, 1)}, 10);
    CHECK_EQ(report(s, {zombie(7, 2)}, 12), (V{"7:appeared:0", "7:gone:2"}));
}

TEST("one that left and came back is seen anew") {
    ZombieSightings s(true);
    report(s, {zombie(7, 1)}, 0);
    report(s, {}, 5);
    CHECK_EQ(report(s, {zombie(7, 1)}, 9), (V{"7:appeared:0"}));
}
