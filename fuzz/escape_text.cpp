// escape_text() must turn any bytes into one line that is safe on a
// terminal -- no C0 or C1 control, well-formed UTF-8 -- and that can be
// read back into exactly the bytes it came from.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz.h"
#include "text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::string out = prockit::escape_text(in);
    fuzz::require_utf8(out, [](char32_t c) {
        if (c < 0x20 || (c >= 0x7F && c < 0xA0)) std::abort();
    });
    // The reverse of the mapping in text.h.
    if (fuzz::unescape(out, "\\\\n\nt\tr\r", true) != in) std::abort();
    // The buffer form writes a prefix of the same, cut at an escape's edge.
    char buf[64];
    size_t len = prockit::escape_text(in, buf, sizeof buf);
    if (std::string_view(buf, len) != std::string_view(out).substr(0, len)) std::abort();
    if (len < out.size() && len + 4 <= sizeof buf) std::abort();  // a piece is at most 4 bytes
    return 0;
}
