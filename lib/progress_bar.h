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
    bool shown() const { return shown_; }
    // Before and after `fd` is written to (`last`: the last byte written).
    void before_write(int fd);
    void wrote(int fd, char last) {
        if (same_line(fd)) at_line_start_ = last == '\n';
    }
    // Before a line of pool-run's own on standard error (warn).
    void before_line();
    // `text` as the bar; the last one ends its line.
    void draw(const std::string& text, bool last);

private:
    bool same_line(int fd) const;
    bool on_, shares_stdout_ = false, shown_ = false, at_line_start_ = true;
};

// What the bar shows: jobs done out of the total (when the source knows
// it, with an ETA), else the rate; redrawn at most 4 times a second.
class ProgressBar {
public:
    explicit ProgressBar(BarLine& line);
    // When it is next due; whether it is due now (or was cleared by output).
    double next_due() const { return next_; }
    bool due() const;
    // total: -1 when unknown.
    void draw(unsigned long long done, long long total, bool last);

private:
    BarLine& line_;
    double started_, next_ = 0;
};

}  // namespace prockit
