// parse_stat() over any text: no undefined behaviour (a 20-digit field once
// overflowed a signed long), and what it accepts is exactly what a simple
// reference reading of the same fields accepts, with the same values.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz.h"
#include "proc.h"

namespace {
// The fields after the name, split at runs of spaces; the text ends at the
// first newline.
std::vector<std::string_view> fields(std::string_view s) {
    std::vector<std::string_view> out;
    for (size_t i = 0; i < s.size();) {
        while (i < s.size() && s[i] == ' ') ++i;
        size_t end = s.find(' ', i);
        if (end == std::string_view::npos) end = s.size();
        if (end > i) out.push_back(s.substr(i, end - i));
        i = end;
    }
    return out;
}

// A decimal of at most `max` (written out), compared as digit strings
// rather than computed, then read by strtoull once it is known to fit.
bool decimal(std::string_view f, std::string_view max, uint64_t& v) {
    if (f.empty()) return false;
    for (char c : f)
        if (c < '0' || c > '9') return false;
    while (f.size() > 1 && f.front() == '0') f.remove_prefix(1);
    if (f.size() > max.size() || (f.size() == max.size() && f > max)) return false;
    v = std::strtoull(std::string(f).c_str(), nullptr, 10);
    return true;
}

// The reference: what parse_stat must accept, and the values it must give.
bool reference(std::string_view text, prockit::ProcStat& want) {
    size_t open = text.find(" (");
    size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open + 2) return false;
    const std::string pid_max = std::to_string(std::numeric_limits<pid_t>::max());
    uint64_t v = 0;
    std::string_view head = text.substr(0, open);
    while (!head.empty() && head.front() == ' ') head.remove_prefix(1);
    if (!decimal(head, pid_max, v)) return false;
    want.pid = static_cast<pid_t>(v);
    want.comm = text.substr(open + 2, close - open - 2);
    std::string_view rest = text.substr(close + 1);
    if (rest.size() < 2 || rest[0] != ' ') return false;
    char state = rest[1];
    if (!((state >= 'A' && state <= 'Z') || (state >= 'a' && state <= 'z'))) return false;
    want.state = state;
    rest.remove_prefix(2);
    if (!rest.empty() && rest[0] != ' ') return false;
    std::vector<std::string_view> f = fields(rest.substr(0, rest.find('\n')));
    // ppid pgrp, 16 fields skipped, starttime: 19 fields.
    if (f.size() < 19) return false;
    if (!decimal(f[0], pid_max, v)) return false;
    want.ppid = static_cast<pid_t>(v);
    if (!decimal(f[1], pid_max, v)) return false;
    want.pgid = static_cast<pid_t>(v);
    if (!decimal(f[18], "18446744073709551615", v)) return false;
    want.start_ticks = static_cast<uint64_t>(v);
    return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    prockit::ProcStat got, want;
    bool parsed = prockit::parse_stat(text, got);
    if (parsed != reference(text, want)) std::abort();
    if (parsed && (got.pid != want.pid || got.ppid != want.ppid || got.pgid != want.pgid || got.state != want.state ||
                   got.start_ticks != want.start_ticks || got.comm != want.comm))
        std::abort();
    return 0;
}
