// Just enough JSON to print one object per line: strings escaped so that
// any byte sequence (a queue name may hold quotes, control characters or
// bytes that are not UTF-8) comes out as valid JSON.
#pragma once

#include <string>
#include <string_view>

namespace prockit {

// `text` as a quoted JSON string of well-formed UTF-8 (lib/text.h decides
// what is well-formed), the one every tool uses. A control character,
// C0 or C1, is escaped (\n, \t, \r, or \u00XX); a byte that is not part
// of well-formed UTF-8 is written as \u00XX, its Latin-1 reading, so the
// output always parses and shows every byte.
std::string json_string(std::string_view text);

}  // namespace prockit
