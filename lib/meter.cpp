#include "meter.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "deadline.h"

namespace prockit {

namespace {
constexpr int64_t kDrawEvery = 250'000'000;  // at most four times a second

// Shown up to 999999:59:59: an ETA under -L 1 for an -s of exabytes is far
// past what a long holds, and converting it would be undefined.
std::string clock_text(double seconds) {
    auto s = static_cast<long>(std::clamp(seconds, 0.0, 3'599'999'999.0));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    return buf;
}
}  // namespace

std::string human_bytes(double bytes) {
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    size_t u = 0;
    while (bytes >= 1024 && u + 1 < std::size(units)) {
        bytes /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", bytes, units[u]);
    return buf;
}

Meter::Meter(Options o) : opt_(o), start_ns_(monotonic_ns()) {}

double Meter::seconds() const { return static_cast<double>(monotonic_ns() - start_ns_) / 1e9; }

bool Meter::allow(size_t& want, const StopSignals* stop) {
    if (opt_.rate == 0) return true;
    // Keep to the schedule "rate bytes every second since the start", in
    // slices of a twentieth of a second, so the rate holds over any window
    // longer than that, not just on average.
    size_t slice = std::max<uint64_t>(opt_.rate / 20, 1);
    want = std::min(want, slice);
    for (;;) {
        double elapsed = static_cast<double>(monotonic_ns() - start_ns_) / 1e9;
        double allowed = static_cast<double>(opt_.rate) * elapsed + static_cast<double>(slice);
        double ahead = static_cast<double>(bytes_ + want) - allowed;
        if (ahead <= 0) return true;
        if (sleep_until(Deadline::after(ahead / static_cast<double>(opt_.rate)), stop) == Wait::stopped) return false;
    }
}

void Meter::add(uint64_t bytes, uint64_t messages) {
    bytes_ += bytes;
    messages_ += messages;
    if (!opt_.progress) return;
    int64_t now = monotonic_ns();
    if (now < next_draw_ns_) return;
    next_draw_ns_ = now + kDrawEvery;
    draw(false);
}

void Meter::finish() {
    if (opt_.progress) draw(true);
}

void Meter::draw(bool last) {
    double secs = seconds();
    double rate = secs > 0 ? static_cast<double>(bytes_) / secs : 0;
    std::string line = human_bytes(static_cast<double>(bytes_));
    if (messages_) line += "  " + std::to_string(messages_) + " msgs";
    line += "  " + clock_text(secs) + "  [" + human_bytes(rate) + "/s]";
    if (opt_.size) {
        double done = std::min(1.0, static_cast<double>(bytes_) / static_cast<double>(opt_.size));
        char pct[16];
        std::snprintf(pct, sizeof pct, "  %3.0f%%", done * 100);
        line += pct;
        if (!last && rate > 0)
            line += "  ETA " + clock_text(static_cast<double>(opt_.size - std::min(bytes_, opt_.size)) / rate);
    }
    // Pad over the previous, longer line; one write, so it is never torn.
    size_t width = line.size();
    if (width < drawn_width_) line.append(drawn_width_ - width, ' ');
    drawn_width_ = width;
    line = "\r" + line + (last ? "\n" : "");
    ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
}

std::string Meter::stats_text() const {
    double secs = seconds();
    char buf[256];
    std::snprintf(buf, sizeof buf, "%llu bytes (%s), %llu messages in %.3f s, %s/s",
                  static_cast<unsigned long long>(bytes_), human_bytes(static_cast<double>(bytes_)).c_str(),
                  static_cast<unsigned long long>(messages_), secs,
                  human_bytes(secs > 0 ? static_cast<double>(bytes_) / secs : 0).c_str());
    return buf;
}

std::string Meter::stats_json() const {
    double secs = seconds();
    char buf[256];
    std::snprintf(buf, sizeof buf, "{\"bytes\":%llu,\"messages\":%llu,\"seconds\":%.6f,\"bytes_per_second\":%.0f}",
                  static_cast<unsigned long long>(bytes_), static_cast<unsigned long long>(messages_), secs,
                  secs > 0 ? static_cast<double>(bytes_) / secs : 0.0);
    return buf;
}

}  // namespace prockit
