// The entry point every fuzz target defines: libFuzzer calls it under
// `make fuzz`, replay.cpp calls it on the kept inputs under `make check`.
// A target aborts (or a sanitizer reports) when a property fails; an
// Error thrown for bad input is the expected answer, not a failure.
//
// Below it, the checks more than one target makes of escaped text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fuzz {

// The input cut at each NUL into fields (n NULs give n + 1 fields): how
// targets read several strings from one input.
inline std::vector<std::string> split_nul(std::string_view s) {
    std::vector<std::string> fields;
    for (size_t at; (at = s.find('\0')) != std::string_view::npos; s.remove_prefix(at + 1)) fields.emplace_back(s.substr(0, at));
    fields.emplace_back(s);
    return fields;
}

// Aborts unless `s` is well-formed UTF-8 as lib/text.h reads it; calls
// each(c) with every code point, which may abort in turn.
template <class F>
void require_utf8(std::string_view s, F each) {
    for (size_t i = 0; i < s.size();) {
        size_t n = prockit::utf8_length(s, i);
        if (n == 0) std::abort();
        each(prockit::utf8_decode(s, i, n));
        i += n;
    }
}
inline void require_utf8(std::string_view s) {
    require_utf8(s, [](char32_t) {});
}

// Reads back backslash escapes: "\C" for each pair "CB" in `named` (the
// letter C stands for the byte B), "\xHH" (lower-case hex) if `hex`.
// Aborts on any other escape, on a backslash at the end, and on a byte of
// `raw_forbidden` standing unescaped.
inline std::string unescape(std::string_view s, std::string_view named, bool hex,
                            std::string_view raw_forbidden = {}) {
    auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            if (raw_forbidden.find(s[i]) != std::string_view::npos) std::abort();
            out += s[i];
            continue;
        }
        if (++i == s.size()) std::abort();
        size_t k = 0;
        while (k < named.size() && named[k] != s[i]) k += 2;
        if (k < named.size()) {
            out += named[k + 1];
        } else if (hex && s[i] == 'x' && i + 2 < s.size() && digit(s[i + 1]) >= 0 && digit(s[i + 2]) >= 0) {
            out += static_cast<char>(digit(s[i + 1]) * 16 + digit(s[i + 2]));
            i += 2;
        } else {
            std::abort();
        }
    }
    return out;
}

}  // namespace fuzz
