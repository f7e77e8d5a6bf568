// Range::parse() over any text, and alerts() over the values around its
// bounds. Accepted is only the plugin guidelines' grammar, strict decimals
// ([@]N, [@]START:, [@]~:END, [@]START:END, START a number or ~); the OK
// values form one interval (its complement with @); nothing else throws
// but a usage Error.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "diag.h"
#include "fuzz.h"
#include "threshold.h"

namespace {
bool is_number(const std::string& s) {
    size_t i = s.size() > 1 && s[0] == '-' ? 1 : 0, digits = 0, dot = std::string::npos;
    for (; i < s.size(); ++i) {
        if (s[i] >= '0' && s[i] <= '9') {
            ++digits;
        } else if (s[i] == '.' && dot == std::string::npos && digits > 0) {
            dot = i;
        } else {
            return false;
        }
    }
    return digits > 0 && dot != s.size() - 1;
}

// The grammar, written the other way round from Range::parse.
bool well_formed(std::string t) {
    if (!t.empty() && t[0] == '@') t.erase(0, 1);
    size_t colon = t.find(':');
    if (colon == std::string::npos) return is_number(t);
    std::string start = t.substr(0, colon), end = t.substr(colon + 1);
    return (start == "~" || is_number(start)) && (end.empty() || is_number(end));
}

// The numbers in t, and each one's neighbours.
std::vector<double> probes(const std::string& t) {
    std::vector<double> v{0, -1, 1, 1e300, -1e300};
    for (size_t i = 0; i < t.size();) {
        size_t j = t.find_first_of("-0123456789", i);
        if (j == std::string::npos) break;
        char* end = nullptr;
        double d = std::strtod(t.c_str() + j, &end);
        size_t used = static_cast<size_t>(end - (t.c_str() + j));
        for (double x : {d, d - 1, d + 1, d - 0.5, d + 0.5}) v.push_back(x);
        i = j + (used ? used : 1);
    }
    return v;
}

// START and END of a well-formed range, as plain strtod reads them.
bool bounds_in_order(std::string t) {
    if (t[0] == '@') t.erase(0, 1);
    size_t colon = t.find(':');
    if (colon == std::string::npos) return std::strtod(t.c_str(), nullptr) >= 0;
    std::string start = t.substr(0, colon), end = t.substr(colon + 1);
    return start == "~" || end.empty() || std::strtod(start.c_str(), nullptr) <= std::strtod(end.c_str(), nullptr);
}

bool finite_numbers(const std::string& t) {
    for (double d : probes(t))
        if (!std::isfinite(d)) return false;
    return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    if (text.find('\0') != std::string::npos) return 0;  // an argv string holds none
    prockit::Range r;
    try {
        r = prockit::Range::parse(text);
    } catch (const prockit::Error& e) {
        if (e.status() != prockit::Exit::usage) std::abort();
        // Refused: only what the grammar refuses, bounds out of order, or
        // numbers too large for a double.
        if (well_formed(text) && bounds_in_order(text) && finite_numbers(text)) std::abort();
        return 0;
    }
    if (!well_formed(text) || !bounds_in_order(text) || r.text() != text) std::abort();
    // In order, the values that do not alert are one interval (with @,
    // those that do): never OK, not OK, OK.
    const bool inside = text[0] == '@';
    std::vector<double> v = probes(text);
    std::sort(v.begin(), v.end());
    int phase = 0;  // 0 before the interval, 1 in it, 2 after it
    for (double x : v) {
        bool ok = r.alerts(x) == inside;
        if (ok && phase == 0) phase = 1;
        if (!ok && phase == 1) phase = 2;
        if (ok && phase == 2) std::abort();
    }
    return 0;
}
