// Monitoring-plugin thresholds (the Nagios plugin guidelines' ranges), so a
// tool drops into Nagios, Icinga or a cron check as it is.
//
//     10       alert outside 0..10         10:      alert below 10
//     ~:10     alert above 10              10:20    alert outside 10..20
//     @10:20   alert inside 10..20 (@ inverts any range)
#pragma once

#include <string>

namespace prockit {

class Range {
public:
    // Throws prockit::Error(Exit::usage) naming the text when it is not a range.
    static Range parse(const std::string& text);

    bool alerts(double value) const;
    const std::string& text() const { return text_; }

private:
    std::string text_;
    double low_ = 0, high_ = 0;
    bool low_infinite_ = false, high_infinite_ = true, inside_ = false;
};

// The plugin states and the exit statuses they go with.
enum class PluginState { ok = 0, warning = 1, critical = 2, unknown = 3 };
const char* plugin_state_name(PluginState s);

}  // namespace prockit
