// lib/threshold: the monitoring-plugin ranges, each form at its edges.
#include <string>

#include "threshold.h"
#include "unit.h"

using namespace prockit;

namespace {
const std::string kForms = ": expected [@]START:END, N, N:, ~:N, such as 5 or 10:20";
}  // namespace

TEST("N alerts outside 0..N") {
    Range r = Range::parse("10");
    CHECK_EQ(r.text(), "10");
    CHECK(r.alerts(-0.5));
    CHECK(!r.alerts(0));
    CHECK(!r.alerts(10));
    CHECK(r.alerts(10.001));
}

TEST("N: alerts below N") {
    Range r = Range::parse("10:");
    CHECK(r.alerts(9.99));
    CHECK(!r.alerts(10));
    CHECK(!r.alerts(1e300));
}

TEST("~:N alerts above N") {
    Range r = Range::parse("~:10");
    CHECK(!r.alerts(-1e300));
    CHECK(!r.alerts(10));
    CHECK(r.alerts(10.5));
}

TEST("~: has no bound at all: it never alerts") {
    Range r = Range::parse("~:");
    CHECK(!r.alerts(-1e300));
    CHECK(!r.alerts(1e300));
    CHECK(Range::parse("@~:").alerts(0));
}

TEST("START:END alerts outside it; @ inverts") {
    Range r = Range::parse("10:20");
    CHECK(r.alerts(9));
    CHECK(!r.alerts(10));
    CHECK(!r.alerts(20));
    CHECK(r.alerts(21));
    Range in = Range::parse("@10:20");
    CHECK(!in.alerts(9));
    CHECK(in.alerts(10));
    CHECK(in.alerts(20));
    CHECK(!in.alerts(21));
}

TEST("negative and fractional bounds, and an empty interval of one point") {
    Range r = Range::parse("-1.5:-0.5");
    CHECK(r.alerts(-1.6));
    CHECK(!r.alerts(-1.5));
    CHECK(!r.alerts(-0.5));
    CHECK(r.alerts(0));
    Range p = Range::parse("3:3");
    CHECK(!p.alerts(3));
    CHECK(p.alerts(3.0001));
}

TEST("what is not the grammar is refused, naming the text") {
    for (const char* bad : {"", "@", ":", ":5", "~", "a", "1e3", "0x10", " 5", "5 ", "1.", ".5", "--1",
                            "1:2:3", "inf", "@@1", "~1:2"})
        CHECK_ERROR(Range::parse(bad), Exit::usage, std::string("invalid range '") + bad + "'" + kForms);
    std::string huge(400, '9');
    CHECK_ERROR(Range::parse(huge), Exit::usage, "invalid range '" + huge + "'" + kForms);
}

TEST("a start greater than its end is refused") {
    CHECK_ERROR(Range::parse("20:10"), Exit::usage, "invalid range '20:10': its start is greater than its end");
    CHECK_ERROR(Range::parse("-1"), Exit::usage, "invalid range '-1': its start is greater than its end");
}

TEST("plugin state names") {
    CHECK_EQ(std::string(plugin_state_name(PluginState::ok)), "OK");
    CHECK_EQ(std::string(plugin_state_name(PluginState::warning)), "WARNING");
    CHECK_EQ(std::string(plugin_state_name(PluginState::critical)), "CRITICAL");
    CHECK_EQ(std::string(plugin_state_name(PluginState::unknown)), "UNKNOWN");
}
