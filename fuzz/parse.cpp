// The strict number parsers of the command line: counts, sizes and rates
// (K, M, G, T), seconds, octal modes. Properties, for any text:
//  - each returns or throws prockit::Error(Exit::usage) naming the value;
//  - what it returns is in range and is exactly what the text says,
//    recomputed here without overflow (never a wrapped value);
//  - sizes take K, M, G, T or KiB, MiB, GiB, TiB; seconds are decimals
//    as written (no hex, exponent or sign);
//  - seconds are finite and not negative, and a deadline that far off
//    can be taken (no overflow converting them);
//  - parse_signed takes a sign in front of seconds, and a refusal names
//    the whole text, sign and all.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "deadline.h"
#include "diag.h"
#include "fuzz.h"
#include "parse.h"

using namespace prockit;

namespace {
// The leading run of decimal digits: its value, whether that passed
// 2^64 - 1, and where it ends.
struct Digits {
    uint64_t value = 0;
    bool over = false;
    size_t end = 0;
};

Digits digits(const std::string& s) {
    Digits d;
    for (; d.end < s.size() && s[d.end] >= '0' && s[d.end] <= '9'; ++d.end) {
        auto digit = static_cast<uint64_t>(s[d.end] - '0');
        if (d.value > (UINT64_MAX - digit) / 10) d.over = true;
        d.value = d.value * 10 + digit;
    }
    return d;
}

template <class F>
void expect_usage_error(F f) {
    try {
        f();
    } catch (const Error& e) {
        if (e.status() != Exit::usage) std::abort();
        if (std::string(e.what()).rfind("invalid ", 0) != 0) std::abort();
    }
}

void check_count(const std::string& s, uint64_t min, uint64_t max) {
    expect_usage_error([&] {
        uint64_t v = parse_count(s.c_str(), "count", min, max);
        Digits d = digits(s);
        if (d.end == 0 || d.end != s.size() || d.over || d.value != v || v < min || v > max) std::abort();
    });
}

void check_size(const std::string& s, uint64_t min, uint64_t max) {
    expect_usage_error([&] {
        uint64_t v = parse_size(s.c_str(), "size", min, max);
        Digits d = digits(s);
        int shift = 0;
        if (d.end < s.size()) {
            if (d.end + 1 != s.size() && s.substr(d.end + 1) != "iB") std::abort();
            switch (s[d.end] | 0x20) {
                case 'k': shift = 10; break;
                case 'm': shift = 20; break;
                case 'g': shift = 30; break;
                case 't': shift = 40; break;
                default: std::abort();
            }
        }
        if (d.end == 0 || d.over || d.value > (UINT64_MAX >> shift)) std::abort();
        if ((d.value << shift) != v || v < min || v > max) std::abort();
    });
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The text as a C string gets it: up to the first NUL.
    std::string s(reinterpret_cast<const char*>(data), size);
    s = s.c_str();
    check_count(s, 0, UINT64_MAX);
    check_count(s, 1, 65535);
    check_size(s, 1, UINT64_MAX);
    check_size(s, 1, 1 << 30);  // pipe-cat -B
    expect_usage_error([&] {
        double v = parse_seconds(s.c_str(), "seconds");
        if (!std::isfinite(v) || v < 0) std::abort();
        // Strictly decimal: digits, at most one point, at least one digit.
        if (s.find_first_not_of("0123456789.") != std::string::npos || s.find_first_of("0123456789") == std::string::npos ||
            s.find('.') != s.rfind('.'))
            std::abort();
        if (Deadline::after(v).remaining_ns() < 0) std::abort();
        (void)WaitPolicy::seconds(v).deadline().poll_ms();
    });
    // A sign, then seconds; a refusal names the whole text.
    try {
        double v = parse_signed(s.c_str(), "seconds", parse_seconds);
        bool sign = !s.empty() && (s[0] == '-' || s[0] == '+');
        if (v != (s[0] == '-' ? -1 : 1) * parse_seconds(s.c_str() + sign, "seconds")) std::abort();
    } catch (const Error& e) {
        if (e.status() != Exit::usage || std::string(e.what()).rfind("invalid seconds '" + s + "': ", 0) != 0) std::abort();
    }
    expect_usage_error([&] {
        unsigned m = parse_mode(s.c_str());
        if (m > 0777 || s.empty() || s.find_first_not_of("01234567") != std::string::npos) std::abort();
        if (std::strtoul(s.c_str(), nullptr, 8) != m) std::abort();
    });
    return 0;
}
