// human_bytes() (lib/meter.h), the sizes and rates pipe-cat -P and --stats
// show, over every byte count and rate a transfer can have (up to 2^64
// bytes, in as little as a nanosecond): "N B" below 1 KiB, else "N.NN UNIT"
// in the largest unit it reaches (KiB to PiB), within rounding of the
// value; and any double at all, infinite, negative or NaN, without harm.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fuzz.h"
#include "meter.h"

namespace {
constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

void check(double v) {
    std::string s = prockit::human_bytes(v);
    size_t space = s.find(' ');
    if (space == std::string::npos || space == 0) std::abort();
    std::string number = s.substr(0, space), unit = s.substr(space + 1);
    size_t u = 0;
    while (u < std::size(kUnits) && unit != kUnits[u]) ++u;
    if (u == std::size(kUnits)) std::abort();
    // Digits, and two decimals past bytes.
    size_t dot = number.find('.');
    if (number.find_first_not_of("0123456789.") != std::string::npos) std::abort();
    if (u == 0 ? dot != std::string::npos : dot == std::string::npos || number.size() - dot != 3) std::abort();
    double shown = std::strtod(number.c_str(), nullptr), scale = std::ldexp(1.0, 10 * static_cast<int>(u));
    // The largest unit the value reaches (PiB has no limit), and the value
    // within half the last digit shown.
    if (v < scale * (u == 0 ? 0 : 1) || (u + 1 < std::size(kUnits) && v >= scale * 1024)) std::abort();
    // (Past 2^53 a double has no room for the last digit itself: a
    // relative slack of 1e-12 covers the two roundings.)
    if (std::fabs(shown * scale - v) > (u == 0 ? 0.5 : 0.005) * scale + v * 1e-12) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 8) return 0;
    uint64_t bytes;
    std::memcpy(&bytes, data, sizeof bytes);
    check(static_cast<double>(bytes));
    if (size >= 16) {
        // A rate: bytes over 1 ns to about 18 s of nanoseconds.
        uint64_t ns;
        std::memcpy(&ns, data + 8, sizeof ns);
        check(static_cast<double>(bytes) / (static_cast<double>(ns % (uint64_t{1} << 34)) + 1) * 1e9);
    }
    // Any double: it must come back as text, whatever it says.
    double any;
    std::memcpy(&any, data, sizeof any);
    if (prockit::human_bytes(any).empty()) std::abort();
    return 0;
}
