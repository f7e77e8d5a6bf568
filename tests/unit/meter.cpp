// lib/meter: sizes and rates for a person.
#include "meter.h"
#include "unit.h"

using namespace prockit;

TEST("human_bytes: whole bytes below 1 KiB") {
    CHECK_EQ(human_bytes(0), "0 B");
    CHECK_EQ(human_bytes(512), "512 B");
    CHECK_EQ(human_bytes(1023), "1023 B");
}

TEST("human_bytes: two decimals in the largest unit reached") {
    CHECK_EQ(human_bytes(1024), "1.00 KiB");
    CHECK_EQ(human_bytes(1536), "1.50 KiB");
    CHECK_EQ(human_bytes(1048575), "1024.00 KiB");  // rounded, not carried
    CHECK_EQ(human_bytes(1.5 * 1024 * 1024 * 1024), "1.50 GiB");
    CHECK_EQ(human_bytes(18446744073709551615.0), "16384.00 PiB");  // PiB is the last
}

// Found by fuzz/meter (a check there too tight for a double this large).
TEST("human_bytes: a rate of 2^59 bytes in 0.73 ns") {
    CHECK_EQ(human_bytes(7.9256289079512269e+26), "703937255859.38 PiB");
}
