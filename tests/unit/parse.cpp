// lib/parse: counts, seconds, sizes and rates, modes -- strict, and each
// error naming the value and what was expected.
#include <cstdint>
#include <string>

#include "parse.h"
#include "unit.h"

using namespace prockit;

namespace {
const std::string kMax = "18446744073709551615";
std::string count_range(uint64_t min, uint64_t max) {
    return "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max);
}
std::string size_range(uint64_t min, uint64_t max) {
    return "expected a number of bytes such as 4096, 64K, 10M or 1G, from " + std::to_string(min) + " to " +
           std::to_string(max);
}
}  // namespace

TEST("parse_count: the bounds are inclusive") {
    CHECK_EQ(parse_count("0", "count", 0, 10), 0u);
    CHECK_EQ(parse_count("10", "count", 0, 10), 10u);
    CHECK_EQ(parse_count("007", "count", 0, 10), 7u);
    CHECK_EQ(parse_count(kMax.c_str(), "count", 0, UINT64_MAX), UINT64_MAX);
}

TEST("parse_count: out of range, signs, blanks and junk are errors") {
    CHECK_ERROR(parse_count("11", "-j", 0, 10), Exit::usage, "invalid -j '11': " + count_range(0, 10));
    CHECK_ERROR(parse_count("0", "-j", 1, 10), Exit::usage, "invalid -j '0': " + count_range(1, 10));
    CHECK_ERROR(parse_count("-1", "n", 0, 10), Exit::usage, "invalid n '-1': " + count_range(0, 10));
    CHECK_ERROR(parse_count("+1", "n", 0, 10), Exit::usage, "invalid n '+1': " + count_range(0, 10));
    CHECK_ERROR(parse_count(" 5", "n", 0, 10), Exit::usage, "invalid n ' 5': " + count_range(0, 10));
    CHECK_ERROR(parse_count("5x", "n", 0, 10), Exit::usage, "invalid n '5x': " + count_range(0, 10));
    CHECK_ERROR(parse_count("", "n", 0, 10), Exit::usage, "invalid n '': " + count_range(0, 10));
    CHECK_ERROR(parse_count("18446744073709551616", "n", 0, UINT64_MAX), Exit::usage,
                "invalid n '18446744073709551616': " + count_range(0, UINT64_MAX));
}

TEST("parse_seconds: decimals as written") {
    CHECK_EQ(parse_seconds("5", "-t"), 5.0);
    CHECK_EQ(parse_seconds("0.25", "-t"), 0.25);
    CHECK_EQ(parse_seconds(".5", "-t"), 0.5);
    CHECK_EQ(parse_seconds("5.", "-t"), 5.0);
    CHECK_EQ(parse_seconds("0", "-t"), 0.0);
}

TEST("parse_seconds: no sign, exponent, hex, unit or infinity") {
    const std::string why = "expected seconds, such as 5 or 0.25";
    for (const char* bad : {"", ".", "-1", "+1", "1e3", "0x10", "inf", "5s", "1.2.3", " 1"})
        CHECK_ERROR(parse_seconds(bad, "-t"), Exit::usage, std::string("invalid -t '") + bad + "': " + why);
    std::string huge(400, '9');
    CHECK_ERROR(parse_seconds(huge.c_str(), "-t"), Exit::usage, "invalid -t '" + huge + "': " + why);
}

TEST("parse_signed: a sign in front of what the parser takes; a refusal names the whole text") {
    CHECK_EQ(parse_signed("-1.5", "--st", parse_seconds), -1.5);
    CHECK_EQ(parse_signed("+2", "--st", parse_seconds), 2.0);
    CHECK_EQ(parse_signed("3", "--st", parse_seconds), 3.0);
    const std::string why = "expected seconds, such as 5 or 0.25";
    for (const char* bad : {"-1e9", "+1x", "--1", "-", "+", "-+1", "1-"})
        CHECK_ERROR(parse_signed(bad, "--st", parse_seconds), Exit::usage, std::string("invalid --st '") + bad + "': " + why);
}

TEST("parse_size: K M G T, in either case, or KiB and the like") {
    CHECK_EQ(parse_size("4096", "-B", 0, UINT64_MAX), 4096u);
    CHECK_EQ(parse_size("64K", "-B", 0, UINT64_MAX), 65536u);
    CHECK_EQ(parse_size("64k", "-B", 0, UINT64_MAX), 65536u);
    CHECK_EQ(parse_size("10M", "-B", 0, UINT64_MAX), 10485760u);
    CHECK_EQ(parse_size("1GiB", "-B", 0, UINT64_MAX), 1073741824u);
    CHECK_EQ(parse_size("2t", "-B", 0, UINT64_MAX), 2199023255552u);
    CHECK_EQ(parse_size("16777215T", "-B", 0, UINT64_MAX), 18446742974197923840u);
}

TEST("parse_size: KB, other suffixes, overflow and range are errors") {
    const uint64_t max = 1 << 30;
    for (const char* bad : {"64KB", "64Kib", "64X", "K", "-1K", "1 K", "1KiBs", ""})
        CHECK_ERROR(parse_size(bad, "-B", 1, max), Exit::usage,
                    std::string("invalid -B '") + bad + "': " + size_range(1, max));
    CHECK_ERROR(parse_size("16777216T", "-B", 1, UINT64_MAX), Exit::usage,
                "invalid -B '16777216T': " + size_range(1, UINT64_MAX));
    CHECK_ERROR(parse_size("2G", "-B", 1, max), Exit::usage, "invalid -B '2G': " + size_range(1, max));
    CHECK_ERROR(parse_size("0", "-B", 1, max), Exit::usage, "invalid -B '0': " + size_range(1, max));
    CHECK_EQ(parse_size("1G", "-B", 1, max), max);
}

TEST("parse_mode: octal permission bits") {
    CHECK_EQ(parse_mode("0644"), 0644u);
    CHECK_EQ(parse_mode("600"), 0600u);
    CHECK_EQ(parse_mode("0"), 0u);
    CHECK_EQ(parse_mode("777"), 0777u);
}

TEST("parse_mode: not octal, or a setuid, setgid or sticky bit") {
    const std::string why = "expected an octal mode such as 0600 or 644";
    for (const char* bad : {"", "8", "0648", "rw", "-644", "77777"})
        CHECK_ERROR(parse_mode(bad), Exit::usage, std::string("invalid mode '") + bad + "': " + why);
    CHECK_ERROR(parse_mode("4755"), Exit::usage,
                "invalid mode '4755': only permission bits are taken, such as 0600 or 644 (no setuid, setgid or "
                "sticky bit)");
    CHECK_ERROR(parse_mode("1777"), Exit::usage,
                "invalid mode '1777': only permission bits are taken, such as 0600 or 644 (no setuid, setgid or "
                "sticky bit)");
}
