// Text that came from someone else -- a process name or command line, a
// queue name, a consumer name read from Redis -- made safe to print: one
// line stays one line, and no byte reaches the terminal as a control
// (an ESC sequence that moves the cursor, a CR that overwrites a line).
//
// The mapping, documented in prockit(7) and applied to every text output
// line and every diagnostic of every tool:
//
//     \  -> \\        newline -> \n     tab -> \t     CR -> \r
//     any other control byte (0x00-0x1F, 0x7F), each byte of a C1 control
//     (U+0080-U+009F) and each byte that is not part of valid UTF-8 -> \xHH
//
// Valid UTF-8 that is not a control passes unchanged. Since a backslash is
// escaped too, the mapping can be undone (`printf '%b'` does), and two
// different names never look the same.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace prockit {

// `text` with the escapes above.
std::string escape_text(std::string_view text);

// The same into out[0..cap), without allocating (for diagnostics, which
// may report that memory ran out): as many whole escapes as fit; returns
// the length written.
size_t escape_text(std::string_view text, char* out, size_t cap);

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlong form, no
// surrogate, nothing above U+10FFFF) that starts at s[i], or 0 if none does.
size_t utf8_length(std::string_view s, size_t i);

// The code point of the well-formed sequence of `n` bytes at s[i].
char32_t utf8_decode(std::string_view s, size_t i, size_t n);

// `s` with every `from` (left to right, not overlapping) written as `to`:
// the \t \n \r passes of GNU parallel's -d and --tagstring unquoting.
std::string replace_all(std::string_view s, std::string_view from, char to);

}  // namespace prockit
