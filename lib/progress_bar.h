// pool-run's --bar: a progress line on standard error, and the rule that
// keeps it from overwriting a job's output.
//
// Whatever else is written to that terminal (or file) -- a job's output, on
// stderr or on a stdout that is the same file -- first clears the bar,
// which is drawn again after it, on a line of its own: no line of a job is
// overwritten by the bar.
#pragma once

#include <string>
#include <string_view>

namespace prockit {

class BarLine {
public:
    explicit BarLine(bool on);
    bool on() const { return on_; }
    // SIGUSR2 turns it on or off as the run goes.
    void set_on(bool on);
    bool shown() const { return shown_; }
    // Before and after `fd` is written to (`last`: the last byte written).
    void before_write(int fd);
    void wrote(int fd, char last) {
        if (same_line(fd)) at_line_start_ = last == '\n';
    }
    // Before a line of pool-run's own on standard error (warn).
    void before_line();
    // `text` as the bar; the last one ends its line. `erase`: what is left
    // of a longer line before is cleared (parallel's --progress does not).
    void draw(const std::string& text, bool last, bool erase = true);

private:
    bool same_line(int fd) const;
    bool on_ = false, shares_stdout_ = false, shown_ = false, at_line_start_ = true;
};

// What the bar shows: jobs done out of the total (when the source knows
// it, with an ETA), else the rate; redrawn at most 4 times a second.
// With --progress (and --eta), GNU parallel's lines instead: a header
// naming the computer (local), its CPUs and jobs at a time, then
// "local:RUNNING/DONE/100%/AVGs", after "ETA: Ns Left: N AVG: N.NNs  ".
class ProgressBar {
public:
    enum class Style { bar, progress, eta };
    explicit ProgressBar(BarLine& line, Style style = Style::bar);
    // --progress: the header, once the jobs at a time are known.
    void start(unsigned cpus, unsigned slots);
    // SIGUSR2, as GNU parallel's: --progress off, or on (with its header).
    void toggle(unsigned cpus, unsigned slots);
    // When it is next due; whether it is due now (or was cleared by output).
    double next_due() const { return next_; }
    bool due() const;
    // total: -1 when unknown.
    void draw(unsigned long long done, unsigned running, long long total, bool last);

private:
    std::string bar_text(unsigned long long done, long long total) const;
    std::string progress_text(unsigned long long done, unsigned running, long long total);

    BarLine& line_;
    Style style_;
    double started_, next_ = 0;
    // --eta, as parallel's compute_eta: from the first job done on, smoothed.
    double first_done_ = 0, smoothed_ = 0;
    long long last_eta_ = 0;
};

}  // namespace prockit
