// lib/text: text from someone else made safe to print on a terminal, and
// the UTF-8 reading every escaping function shares.
#include <string>

#include "text.h"
#include "unit.h"

using namespace prockit;
using namespace std::string_literals;

TEST("utf8_length: well-formed sequences of 1 to 4 bytes") {
    CHECK_EQ(utf8_length("a", 0), 1u);
    CHECK_EQ(utf8_length("\xc3\xa9", 0), 2u);
    CHECK_EQ(utf8_length("\xe2\x82\xac", 0), 3u);
    CHECK_EQ(utf8_length("\xf0\x9f\x98\x80", 0), 4u);
    CHECK_EQ(utf8_length("\xf4\x8f\xbf\xbf", 0), 4u);  // U+10FFFF, the last
    CHECK_EQ(utf8_length("x\xc3\xa9", 1), 2u);
}

TEST("utf8_length: overlong, surrogate, past U+10FFFF, cut short, stray") {
    CHECK_EQ(utf8_length("\xc0\x80", 0), 0u);
    CHECK_EQ(utf8_length("\xc1\xbf", 0), 0u);
    CHECK_EQ(utf8_length("\xe0\x9f\xbf", 0), 0u);
    CHECK_EQ(utf8_length("\xed\xa0\x80", 0), 0u);
    CHECK_EQ(utf8_length("\xf0\x8f\xbf\xbf", 0), 0u);
    CHECK_EQ(utf8_length("\xf4\x90\x80\x80", 0), 0u);
    CHECK_EQ(utf8_length("\xf5\x80\x80\x80", 0), 0u);
    CHECK_EQ(utf8_length("\xe2\x82", 0), 0u);
    CHECK_EQ(utf8_length("\x80", 0), 0u);
    CHECK_EQ(utf8_length("\xc3\x28", 0), 0u);
}

TEST("utf8_decode: code points") {
    CHECK_EQ(static_cast<unsigned>(utf8_decode("\xc3\xa9", 0, 2)), 0xE9u);
    CHECK_EQ(static_cast<unsigned>(utf8_decode("\xe2\x82\xac", 0, 3)), 0x20ACu);
    CHECK_EQ(static_cast<unsigned>(utf8_decode("\xf4\x8f\xbf\xbf", 0, 4)), 0x10FFFFu);
}

TEST("escape_text: the mapping of text.h") {
    CHECK_EQ(escape_text("plain text"), "plain text");
    CHECK_EQ(escape_text("a\\b\nc\td\re"), "a\\\\b\\nc\\td\\re");
    CHECK_EQ(escape_text("\x1b[2J"), "\\x1b[2J");
    CHECK_EQ(escape_text("\0\x7f"s), "\\x00\\x7f");
    CHECK_EQ(escape_text("\xc2\x85"), "\\xc2\\x85");          // C1 NEL: each byte
    CHECK_EQ(escape_text("\xc2\xa0\xc3\xa9"), "\xc2\xa0\xc3\xa9");  // NBSP and é pass
    CHECK_EQ(escape_text("\xff\xe2\x82"), "\\xff\\xe2\\x82");
    CHECK_EQ(escape_text(""), "");
}

TEST("escape_text into a buffer: whole escapes only, as many as fit") {
    char buf[8];
    CHECK_EQ(escape_text("ab\x01", buf, 5), 2u);  // "\x01" needs 4
    CHECK_EQ(std::string(buf, 2), "ab");
    CHECK_EQ(escape_text("ab\x01", buf, 6), 6u);
    CHECK_EQ(std::string(buf, 6), "ab\\x01");
    CHECK_EQ(escape_text("\xe2\x82\xac", buf, 2), 0u);  // a character is not cut
    CHECK_EQ(escape_text("x", buf, 0), 0u);
}
