// Just enough JSON to print one object per line: strings escaped so that
// any byte sequence (a queue name may hold quotes, control characters or
// bytes that are not UTF-8) comes out as valid JSON.
#pragma once

#include <string>
#include <string_view>

namespace prockit {

// `text` as a quoted JSON string. Bytes that are not valid UTF-8 are
// written as \u00XX (their Latin-1 reading), so the output always parses.
std::string json_string(std::string_view text);

}  // namespace prockit
