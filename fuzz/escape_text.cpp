// escape_text() must turn any bytes into one line that is safe on a
// terminal -- no C0 or C1 control, well-formed UTF-8 -- and that can be
// read back into exactly the bytes it came from.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz.h"
#include "text.h"

namespace {
int hex(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

// The reverse of the mapping in text.h; aborts on anything it cannot read.
std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (++i == s.size()) std::abort();
        switch (s[i]) {
            case '\\': out += '\\'; break;
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'x':
                if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) std::abort();
                out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
                i += 2;
                break;
            default: std::abort();
        }
    }
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::string out = prockit::escape_text(in);
    for (size_t i = 0; i < out.size();) {
        size_t n = prockit::utf8_length(out, i);
        if (n == 0) std::abort();
        char32_t c = prockit::utf8_decode(out, i, n);
        if (c < 0x20 || (c >= 0x7F && c < 0xA0)) std::abort();
        i += n;
    }
    if (unescape(out) != in) std::abort();
    // The buffer form writes a prefix of the same, cut at an escape's edge.
    char buf[64];
    size_t len = prockit::escape_text(in, buf, sizeof buf);
    if (std::string_view(buf, len) != std::string_view(out).substr(0, len)) std::abort();
    if (len < out.size() && len + 4 <= sizeof buf) std::abort();  // a piece is at most 4 bytes
    return 0;
}
