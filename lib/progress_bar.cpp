#include "progress_bar.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

BarLine::BarLine(bool on) : on_(on) {
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

void BarLine::draw(const std::string& text, bool last) {
    put(std::string(shown_ || at_line_start_ ? "\r" : "\n") + text + "\033[K" + (last ? "\n" : ""));
    shown_ = !last;
    at_line_start_ = true;
}

ProgressBar::ProgressBar(BarLine& line) : line_(line), started_(monotonic_seconds()) {}

// Drawn again at once after output cleared it.
bool ProgressBar::due() const { return line_.on() && (monotonic_seconds() >= next_ || !line_.shown()); }

void ProgressBar::draw(unsigned long long done, long long total, bool last) {
    if (!line_.on()) return;
    next_ = monotonic_seconds() + 0.25;
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
    line_.draw(line, last);
}

}  // namespace prockit
