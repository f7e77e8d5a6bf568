// json_string() must turn any bytes into one valid JSON string: quoted,
// with no raw control character and only well-formed UTF-8 inside.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "json.h"
#include "fuzz.h"

namespace {
// True if s is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates).
bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        auto b = static_cast<unsigned char>(s[i]);
        size_t n = b < 0x80 ? 1 : b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        unsigned lo = 0x80, hi = 0xBF;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
        for (size_t k = 1; k < n; ++k) {
            auto c = static_cast<unsigned char>(s[i + k]);
            if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return false;
        }
        i += n;
    }
    return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::string out = prockit::json_string(in);
    if (out.size() < 2 || out.front() != '"' || out.back() != '"') std::abort();
    for (unsigned char c : out)
        if (c < 0x20 || c == 0x7F) std::abort();
    if (!valid_utf8(out)) std::abort();
    // Inside, every quote is escaped.
    for (size_t i = 1; i + 1 < out.size(); ++i)
        if (out[i] == '"' && out[i - 1] != '\\') std::abort();
    return 0;
}
