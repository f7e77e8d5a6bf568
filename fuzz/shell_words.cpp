// lib/shell_words over any bytes: plain_words() returns no words or some,
// never crashes; the words of a line it accepts, each quoted as GNU
// parallel quotes (parallel_quote) and joined by spaces, are a simple line
// again with the same words; and any words so quoted and joined (what a
// composed command line of quoted inputs is) are simple, those words.
// That it agrees with /bin/sh and bash is tests/unit/shell_words.cpp's.
//
// The bytes: the first says what the rest is: even, a line; odd, words
// separated by NUL.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz.h"
#include "replacement.h"
#include "shell_words.h"

namespace {
std::string quoted_line(const std::vector<std::string>& words) {
    std::string line;
    for (const std::string& w : words) line += (line.empty() ? "" : " ") + prockit::parallel_quote(w);
    return line;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    if (data[0] % 2 == 0) {
        std::optional<std::vector<std::string>> words = prockit::plain_words(rest);
        if (!words) return 0;
        if (words->empty()) std::abort();
        if (prockit::plain_words(quoted_line(*words)) != words) std::abort();
        (void)prockit::is_shell_builtin((*words)[0]);
    } else {
        std::vector<std::string> words = fuzz::split_nul(rest);
        if (prockit::plain_words(quoted_line(words)) != words) std::abort();
    }
    return 0;
}
