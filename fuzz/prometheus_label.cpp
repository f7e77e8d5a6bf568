// prometheus_label_value() must turn any bytes into what the text format
// takes between the quotes of a label value -- well-formed UTF-8, no raw
// newline or double quote, a backslash only before \, " or n -- and read
// back as the Prometheus parser reads it, give the input with each byte
// that is not UTF-8 replaced by U+FFFD and nothing else changed.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz.h"
#include "prometheus.h"
#include "text.h"

namespace {
// The input as the label value should hold it.
std::string valid_utf8(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        size_t n = prockit::utf8_length(s, i);
        out += n ? s.substr(i, n) : std::string_view("\xEF\xBF\xBD");
        i += n ? n : 1;
    }
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::string out = prockit::prometheus_label_value(in);
    fuzz::require_utf8(out);
    // The parser's reading of a quoted label value: \\, \" and \n, and no
    // raw newline or double quote.
    if (fuzz::unescape(out, "\\\\\"\"n\n", false, "\n\"") != valid_utf8(in)) std::abort();
    return 0;
}
