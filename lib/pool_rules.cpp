#include "pool_rules.h"

#include <algorithm>

namespace prockit {

Halt::When HaltRule::check(bool failed, int status, const Tally& t) {
    if (h_.when == Halt::When::never || status_ >= 0) return Halt::When::never;
    if (failed == h_.on_success) return Halt::When::never;
    double n = static_cast<double>(h_.on_success ? t.succeeded : t.failed);
    double limit = h_.percent ? h_.count / 100.0 * static_cast<double>(t.done) : h_.count;
    if (h_.percent ? n < limit || t.done < 3 : n < limit) return Halt::When::never;
    status_ = h_.on_success ? 0 : status;
    return h_.when;
}

int HaltRule::status(const Tally& t) const {
    if (status_ >= 0) return status_;
    return t.failed > 100 ? 101 : static_cast<int>(t.failed);
}

double JobTimeout::limit() const {
    if (seconds_ > 0) return seconds_;
    if (percent_ > 0 && runtimes_.size() >= 3) return median_ * percent_ / 100;
    return 0;
}

void JobTimeout::succeeded(double runtime) {
    constexpr size_t kWindow = 999;
    if (runtimes_.size() < kWindow) runtimes_.push_back(runtime);
    else runtimes_[next_++ % kWindow] = runtime;
    std::vector<double> sorted = runtimes_;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
    median_ = sorted[sorted.size() / 2];
}

}  // namespace prockit
