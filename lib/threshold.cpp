#include "threshold.h"

#include <cmath>
#include <cstdlib>

#include "diag.h"

namespace prockit {

namespace {

// A strict decimal, as the plugin guidelines write thresholds: an optional
// minus, digits, optionally a point and more digits. strtod alone would
// also take leading spaces, hex, exponents and "inf".
bool parse_number(const std::string& s, double& out) {
    size_t i = s.size() > 1 && s[0] == '-' ? 1 : 0;
    auto digits = [&] {
        size_t from = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        return i > from;
    };
    if (!digits()) return false;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digits()) return false;
    }
    if (i != s.size()) return false;
    // Too large is refused (inf); too small to tell from 0 is 0, as meant.
    out = std::strtod(s.c_str(), nullptr);
    return std::isfinite(out);
}

}  // namespace

Range Range::parse(const std::string& text) {
    auto bad = [&] {
        return Error(Exit::usage, "invalid range '" + text + "': expected [@]START:END, N, N:, ~:N, such as 5 or 10:20");
    };
    Range r;
    r.text_ = text;
    std::string t = text;
    if (!t.empty() && t.front() == '@') {
        r.inside_ = true;
        t.erase(0, 1);
    }
    // N, or START:END where START is a number or ~ and END a number or
    // nothing (no upper bound): a bare ":" or ":N" is neither.
    size_t colon = t.find(':');
    std::string start = colon == std::string::npos ? "0" : t.substr(0, colon);
    std::string end = colon == std::string::npos ? t : t.substr(colon + 1);
    if (start == "~") {
        r.low_infinite_ = true;
    } else if (!parse_number(start, r.low_)) {
        throw bad();
    }
    if (!end.empty() || colon == std::string::npos) {
        if (!parse_number(end, r.high_)) throw bad();
        r.high_infinite_ = false;
    }
    if (!r.low_infinite_ && !r.high_infinite_ && r.low_ > r.high_)
        throw Error(Exit::usage, "invalid range '" + text + "': its start is greater than its end");
    return r;
}

bool Range::alerts(double v) const {
    bool in = (low_infinite_ || v >= low_) && (high_infinite_ || v <= high_);
    return inside_ ? in : !in;
}

const char* plugin_state_name(PluginState s) {
    switch (s) {
        case PluginState::ok: return "OK";
        case PluginState::warning: return "WARNING";
        case PluginState::critical: return "CRITICAL";
        case PluginState::unknown: break;
    }
    return "UNKNOWN";
}

}  // namespace prockit
