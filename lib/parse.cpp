#include "parse.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "diag.h"

namespace prockit {

namespace {
[[noreturn]] void bad(const char* what, const char* text, const std::string& expected) {
    throw Error(Exit::usage, std::string("invalid ") + what + " '" + text + "': " + expected);
}
}  // namespace

uint64_t parse_count(const char* text, const char* what, uint64_t min, uint64_t max) {
    std::string range = "expected a whole number from " + std::to_string(min) + " to " +
                        std::to_string(max);
    // strtoull accepts leading blanks and a minus sign (and negates!): insist
    // on a leading digit so "-1" and " 5" are errors, not huge numbers.
    if (text[0] < '0' || text[0] > '9') bad(what, text, range);
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(text, &end, 10);
    if (*end != '\0' || errno == ERANGE || v < min || v > max) bad(what, text, range);
    return v;
}

double parse_seconds(const char* text, const char* what) {
    const char* expected = "expected seconds, such as 5 or 0.25";
    // Decimal only, as written: strtod would also take hex ("0x10" is 16),
    // exponents and "infinity", which no user of -t means.
    size_t digits = std::strspn(text, "0123456789");
    size_t frac = text[digits] == '.' ? std::strspn(text + digits + 1, "0123456789") : 0;
    size_t len = digits + (text[digits] == '.' ? 1 + frac : 0);
    if (digits + frac == 0 || text[len] != '\0') bad(what, text, expected);
    errno = 0;
    char* end = nullptr;
    double v = std::strtod(text, &end);
    if (*end != '\0' || errno == ERANGE || !std::isfinite(v) || v < 0) bad(what, text, expected);
    return v;
}

uint64_t parse_size(const char* text, const char* what, uint64_t min, uint64_t max) {
    std::string expected = "expected a number of bytes such as 4096, 64K, 10M or 1G, from " + std::to_string(min) +
                           " to " + std::to_string(max);
    if (text[0] < '0' || text[0] > '9') bad(what, text, expected);
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(text, &end, 10);
    int shift = 0;
    switch (*end) {
        case '\0': break;
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        case 't': case 'T': shift = 40; break;
        default: bad(what, text, expected);
    }
    // 64K or 64KiB, the IEC spelling of the same power of 1024; not 64KB,
    // which means 64000 as often as 65536.
    if (shift && end[1] != '\0' && std::strcmp(end + 1, "iB") != 0) bad(what, text, expected);
    if (errno == ERANGE || v > (UINT64_MAX >> shift)) bad(what, text, expected);
    v <<= shift;
    if (v < min || v > max) bad(what, text, expected);
    return v;
}

double parse_signed(const char* text, const char* what, double (*parse)(const char*, const char*)) {
    if (text[0] != '-' && text[0] != '+') return parse(text, what);
    try {
        double v = parse(text + 1, what);
        return text[0] == '-' ? -v : v;
    } catch (const Error&) {
        // The whole text is refused too (no sign is taken), and its
        // message names what the user wrote.
        parse(text, what);
        throw;
    }
}

unsigned parse_mode(const char* text) {
    const char* expected = "expected an octal mode such as 0600 or 644";
    if (text[0] < '0' || text[0] > '7') bad("mode", text, expected);
    errno = 0;
    char* end = nullptr;
    unsigned long v = std::strtoul(text, &end, 8);
    if (*end != '\0' || errno == ERANGE || v > 07777) bad("mode", text, expected);
    // A set-uid FIFO or queue means nothing but alarm, and a sticky or
    // set-gid one nothing at all: only permission bits are taken.
    if (v > 0777) bad("mode", text, "only permission bits are taken, such as 0600 or 644 (no setuid, setgid or sticky bit)");
    return static_cast<unsigned>(v);
}

long double parse_parallel_size(const char* text, const char* what) {
    const char* expected = "expected a size, such as 512k or 10M";
    // A plain decimal: Perl would take more (1e3, 0x10, 1_000), nobody does.
    size_t len = std::strspn(text, "+-") == 1 ? 1 : 0;
    size_t digits = std::strspn(text + len, "0123456789");
    len += digits;
    if (text[len] == '.') {
        size_t frac = std::strspn(text + len + 1, "0123456789");
        digits += frac;
        len += 1 + frac;
    }
    if (digits == 0) bad(what, text, expected);
    long double v = std::strtold(std::string(text, len).c_str(), nullptr);
    const char* end = text + len;
    static constexpr char kLetters[] = "kmgtpezyx";
    if (*end) {
        const char* at = std::strchr(kLetters, std::tolower(static_cast<unsigned char>(*end)));
        if (!at || !*at) bad(what, text, expected);
        bool binary = std::isupper(static_cast<unsigned char>(*end)) || end[1] == 'i' || end[1] == 'I';
        v *= std::pow(binary ? 1024.0L : 1000.0L, static_cast<int>(at - kLetters) + 1);
        end += (end[1] == 'i' || end[1] == 'I') ? 2 : 1;
        if (*end) bad(what, text, expected);
    }
    return v;
}

}  // namespace prockit
