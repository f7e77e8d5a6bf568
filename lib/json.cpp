#include "json.h"

#include "text.h"

namespace prockit {

namespace {
void append_escape(std::string& out, unsigned char c) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
}
}  // namespace

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        switch (c) {
            case '"': out += "\\\""; ++i; continue;
            case '\\': out += "\\\\"; ++i; continue;
            case '\n': out += "\\n"; ++i; continue;
            case '\t': out += "\\t"; ++i; continue;
            case '\r': out += "\\r"; ++i; continue;
            default: break;
        }
        size_t n = utf8_length(text, i);
        if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F))) {
            append_escape(out, c);  // a control, or a byte that is not UTF-8: its Latin-1 reading
            ++i;
        } else if (n == 2 && utf8_decode(text, i, n) < 0xA0) {
            append_escape(out, static_cast<unsigned char>(utf8_decode(text, i, n)));  // a C1 control, the same code point
            i += n;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out + "\"";
}

}  // namespace prockit
