#include "progress_bar.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <cstdio>

#include "deadline.h"

namespace prockit {

namespace {
// The bar is decoration: a failed write of it is not an error of the run.
void put(std::string_view s) {
    ssize_t ignored = ::write(STDERR_FILENO, s.data(), s.size());
    (void)ignored;
}
}  // namespace

BarLine::BarLine(bool on) { set_on(on); }

void BarLine::set_on(bool on) {
    if (on_ && !on && shown_) put("\n");  // the last drawn stays, on a line of its own
    on_ = on;
    shown_ = false;
    struct stat out{}, err{};
    shares_stdout_ = on && ::fstat(STDOUT_FILENO, &out) == 0 && ::fstat(STDERR_FILENO, &err) == 0 &&
                     out.st_dev == err.st_dev && out.st_ino == err.st_ino;
}

bool BarLine::same_line(int fd) const { return on_ && (fd == STDERR_FILENO || shares_stdout_); }

void BarLine::before_write(int fd) {
    if (!shown_ || !same_line(fd)) return;
    shown_ = false;
    put("\r\033[K");
}

void BarLine::before_line() {
    before_write(STDERR_FILENO);
    wrote(STDERR_FILENO, '\n');
}

void BarLine::draw(const std::string& text, bool last, bool erase) {
    put(std::string(shown_ || at_line_start_ ? "\r" : "\n") + text + (erase ? "\033[K" : "") + (last ? "\n" : ""));
    shown_ = !last;
    at_line_start_ = true;
}

ProgressBar::ProgressBar(BarLine& line, Style style) : line_(line), style_(style), started_(monotonic_seconds()) {}

void ProgressBar::start(unsigned cpus, unsigned slots) {
    if (!line_.on() || style_ == Style::bar) return;
    line_.before_line();
    put("\nComputers / CPU cores / Max jobs to run\n1:local / " + std::to_string(cpus) + " / " + std::to_string(slots) +
        "\n\nComputer:jobs running/jobs completed/%of started jobs/Average seconds to complete\n");
}

void ProgressBar::toggle(unsigned cpus, unsigned slots) {
    line_.set_on(!line_.on());
    if (style_ == Style::bar) style_ = Style::progress;
    start(cpus, slots);
}

// Drawn again at once after output cleared it.
bool ProgressBar::due() const { return line_.on() && (monotonic_seconds() >= next_ || !line_.shown()); }

void ProgressBar::draw(unsigned long long done, unsigned running, long long total, bool last) {
    if (!line_.on()) return;
    next_ = monotonic_seconds() + 0.25;
    if (style_ == Style::bar) return line_.draw(bar_text(done, total), last);
    line_.draw(progress_text(done, running, total), last, false);
}

std::string ProgressBar::bar_text(unsigned long long done, long long total) const {
    double secs = monotonic_seconds() - started_;
    char line[160];
    if (total > 0) {
        // [#########-----------]  45% 450/1000 jobs  ETA 12s
        double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        double eta = done ? secs / static_cast<double>(done) * static_cast<double>(total - static_cast<long long>(done)) : 0;
        char bar[21];
        int filled = static_cast<int>(frac * 20);
        for (int i = 0; i < 20; ++i) bar[i] = i < filled ? '#' : '-';
        bar[20] = '\0';
        std::snprintf(line, sizeof line, "[%s] %3.0f%% %llu/%lld jobs  ETA %.0fs", bar, frac * 100, done, total, eta);
    } else {
        // Streaming input: no total to measure against.
        std::snprintf(line, sizeof line, "%llu jobs done  %.1f/s  %.0fs", done,
                      secs > 0 ? static_cast<double>(done) / secs : 0.0, secs);
    }
    return line;
}

// parallel's progress() and compute_eta(), its whole seconds included. A
// total not known (streaming input) is taken as the jobs seen so far.
std::string ProgressBar::progress_text(unsigned long long done, unsigned running, long long total) {
    double now = std::floor(monotonic_seconds()), start = std::floor(started_);
    char buf[200];
    std::string eta;
    if (style_ == Style::eta) {
        auto all = static_cast<unsigned long long>(std::max<long long>(total, 0));
        all = std::max(all, done + running);
        unsigned long long left = all - done;
        double avg = 0;
        long long this_eta = 0;
        if (done) {
            double pct = std::min(static_cast<double>(done) / static_cast<double>(all), 1.0);
            if (first_done_ == 0) first_done_ = now;
            avg = (now - first_done_) / static_cast<double>(done);
            if (smoothed_ == 0) smoothed_ = avg;
            smoothed_ = (1 - pct) * smoothed_ + pct * avg;
            this_eta = static_cast<long long>(static_cast<double>(left) * smoothed_);
            // An ETA that went up by less than 10% keeps the last one.
            if (static_cast<double>(this_eta) * 0.90 < static_cast<double>(last_eta_) && last_eta_ < this_eta) this_eta = last_eta_;
            else last_eta_ = this_eta;
        }
        std::snprintf(buf, sizeof buf, "ETA: %llds Left: %llu AVG: %.2fs  ", this_eta, left, avg);
        eta = buf;
    }
    // One computer: it started all the jobs started, 100%.
    std::snprintf(buf, sizeof buf, "local:%u/%llu/100%%/%.1fs ", running, done, done ? (now - start) / static_cast<double>(done) : 0.0);
    return eta + buf;
}

}  // namespace prockit
