#include "text.h"

namespace prockit {

size_t utf8_length(std::string_view s, size_t i) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) return 1;
    size_t n = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
    if (n == 0 || n > s.size() - i) return 0;
    // The second byte's range is narrower after these leads: E0 (overlong),
    // ED (surrogates), F0 (overlong) and F4 (above U+10FFFF).
    unsigned lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
    unsigned hi = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
    for (size_t k = 1; k < n; ++k) {
        auto c = static_cast<unsigned char>(s[i + k]);
        if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return 0;
    }
    return n;
}

char32_t utf8_decode(std::string_view s, size_t i, size_t n) {
    static constexpr unsigned char kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    char32_t c = static_cast<unsigned char>(s[i]) & kLeadMask[n];
    for (size_t k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    return c;
}

namespace {
// Feeds `text`, escaped, piece by piece to put(data, size), which returns
// false to stop (its buffer is full).
template <class Put>
void escape(std::string_view text, Put put) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        size_t n = utf8_length(text, i);
        bool plain = n > 1 ? n > 2 || utf8_decode(text, i, n) >= 0xA0 : n == 1 && c >= 0x20 && c != 0x7F && c != '\\';
        if (plain) {
            if (!put(text.data() + i, n)) return;
            i += n;
            continue;
        }
        // One byte at a time: a C1 control's two bytes are two escapes.
        char e[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 0xF]};
        size_t len = 4;
        if (c == '\\' || c == '\n' || c == '\t' || c == '\r') {
            e[1] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : '\\';
            len = 2;
        }
        if (!put(e, len)) return;
        ++i;
    }
}
}  // namespace

std::string escape_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    escape(text, [&](const char* p, size_t n) {
        out.append(p, n);
        return true;
    });
    return out;
}

size_t escape_text(std::string_view text, char* out, size_t cap) {
    size_t used = 0;
    escape(text, [&](const char* p, size_t n) {
        if (n > cap - used) return false;
        for (size_t k = 0; k < n; ++k) out[used++] = p[k];
        return true;
    });
    return used;
}

std::string replace_all(std::string_view s, std::string_view from, char to) {
    std::string out;
    for (size_t i = 0; i < s.size();) {
        if (s.compare(i, from.size(), from) == 0) {
            out += to;
            i += from.size();
        } else {
            out += s[i++];
        }
    }
    return out;
}

}  // namespace prockit
