// Numbers from the command line, parsed strictly: the whole string must be
// the number, and out-of-range values are errors, not wrap-arounds.
//
// Each parser throws prockit::Error(Exit::usage, ...) with a reason that
// names the option's value, e.g. "invalid count 'x': expected a whole number".
#pragma once

#include <cstdint>
#include <string_view>

namespace prockit {

// A whole decimal number in [min, max].
uint64_t parse_count(const char* text, const char* what, uint64_t min, uint64_t max);

// Seconds as a non-negative decimal number, fractions allowed ("0.25",
// "5", ".5", "5."); no sign, exponent, hex or unit.
double parse_seconds(const char* text, const char* what);

// A byte count or rate: a whole number with an optional suffix K, M, G or T
// (powers of 1024, as pv and dd take them, in either case), which may be
// spelt KiB, MiB, GiB, TiB; KB and the like are refused (1000 or 1024?).
// In [min, max].
uint64_t parse_size(const char* text, const char* what, uint64_t min, uint64_t max);

// A size as GNU parallel's multiply_binary_prefix takes it (--block,
// --memfree): a decimal number, fractions allowed ("1.5"), with an optional
// sign and one suffix: k m g t p e z y x for powers of 1000, the same in
// capitals or followed by i ("Ki", "mi") for powers of 1024. The value may
// be negative (--block -N); the caller checks its range.
long double parse_parallel_size(const char* text, const char* what);

// A number with an optional sign ("-1m", "+5") in front of what `parse`
// takes, which must refuse a sign of its own: a value it refuses is then
// refused with the whole text in the message, sign and all.
double parse_signed(const char* text, const char* what, double (*parse)(const char*, const char*));

// An octal file mode of permission bits alone, at most 0777 ("0644",
// "600"): a setuid, setgid or sticky bit is a usage error.
unsigned parse_mode(const char* text);

}  // namespace prockit
