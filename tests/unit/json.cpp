// lib/json: any bytes as one valid JSON string.
#include <string>

#include "json.h"
#include "unit.h"

using namespace prockit;
using namespace std::string_literals;

TEST("json_string: quotes, backslashes and controls escaped") {
    CHECK_EQ(json_string(""), "\"\"");
    CHECK_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
    CHECK_EQ(json_string("\n\t\r"), "\"\\n\\t\\r\"");
    CHECK_EQ(json_string("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"");
    CHECK_EQ(json_string("\0"s), "\"\\u0000\"");
}

TEST("json_string: a C1 control by its code point, a stray byte by its Latin-1 reading") {
    CHECK_EQ(json_string("\xc2\x85"), "\"\\u0085\"");
    CHECK_EQ(json_string("\xff"), "\"\\u00ff\"");
    CHECK_EQ(json_string("\xe2\x82"), "\"\\u00e2\\u0082\"");
    CHECK_EQ(json_string("\xc3\xa9\xe2\x82\xac"), "\"\xc3\xa9\xe2\x82\xac\"");
}
