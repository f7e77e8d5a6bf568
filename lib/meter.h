// Counting what a transfer moved: a pv-like progress line on stderr, a rate
// limit, and the final statistics.
#pragma once

#include <cstdint>
#include <string>

#include "signals.h"

namespace prockit {

class Meter {
public:
    struct Options {
        uint64_t rate = 0;      // bytes per second; 0: no limit
        bool progress = false;  // draw the progress line
        uint64_t size = 0;      // expected bytes, for percent and ETA; 0: unknown
    };
    explicit Meter(Options o);

    // The size to expect when none was given (pv takes a regular file's):
    // 0 leaves it unknown.
    void expect(uint64_t size) {
        if (!opt_.size) opt_.size = size;
    }

    // Under the rate limit, lowers `want` to what may go now, sleeping until
    // that much may go. False if a stop signal came while sleeping.
    bool allow(size_t& want, const StopSignals* stop);
    void add(uint64_t bytes, uint64_t messages = 0);
    // Ends the progress line (drawing it a last time).
    void finish();

    double seconds() const;
    std::string stats_text() const;
    std::string stats_json() const;

private:
    void draw(bool last);

    Options opt_;
    int64_t start_ns_;
    int64_t next_draw_ns_ = 0;
    uint64_t bytes_ = 0, messages_ = 0;
    size_t drawn_width_ = 0;
};

// "1.50 GiB", "512 B": bytes for a person.
std::string human_bytes(double bytes);

}  // namespace prockit
