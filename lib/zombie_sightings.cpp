#include "zombie_sightings.h"

namespace prockit {

const std::vector<ZombieSightings::Sighting>& ZombieSightings::scan(const std::vector<Zombie>& zombies, double now) {
    Seen current;
    for (const Zombie& z : zombies) {
        Key key{z.proc.pid, z.proc.start_ticks};
        auto old = known_.find(key);
        double first = old == known_.end() ? now : old->second.first;
        current.emplace(key, std::make_pair(first, z));
    }
    // The last scan's zombies stay for the gone ones to point into.
    previous_ = std::move(known_);
    known_ = std::move(current);
    report_.clear();
    for (auto& [key, value] : known_) {
        const char* event = !watching_ ? "present" : previous_.count(key) ? "still" : "appeared";
        report_.push_back({&value.second, event, now - value.first});
    }
    for (auto& [key, value] : previous_)
        if (!known_.count(key)) report_.push_back({&value.second, "gone", now - value.first});
    return report_;
}

}  // namespace prockit
