// lib/proc: the text of /proc/PID/stat, and the descendants of a process
// in one scan -- both without reading /proc.
#include <algorithm>
#include <string>
#include <vector>

#include "proc.h"
#include "unit.h"

using namespace prockit;
using namespace std::string_literals;

namespace {
// A stat line: pid (comm) state ppid pgrp, 16 fields, starttime, then more.
std::string stat_line(const std::string& pid, const std::string& comm, const std::string& state = "S",
                      const std::string& start = "123456") {
    return pid + " (" + comm + ") " + state + " 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 " + start +
           " 1000 200 18446744073709551615\n";
}
}  // namespace

TEST("parse_stat: the fields prockit uses") {
    ProcStat st;
    CHECK(parse_stat(stat_line("4242", "sleep"), st));
    CHECK_EQ(st.pid, 4242);
    CHECK_EQ(st.comm, "sleep");
    CHECK_EQ(st.state, 'S');
    CHECK_EQ(st.ppid, 1);
    CHECK_EQ(st.pgid, 42);
    CHECK_EQ(st.start_ticks, 123456u);
}

TEST("parse_stat: a name with spaces, parentheses and a newline ends at the last ')'") {
    ProcStat st;
    CHECK(parse_stat(stat_line("7", "a) Z (b\nc)"), st));
    CHECK_EQ(st.comm, "a) Z (b\nc)");
    CHECK_EQ(st.state, 'S');
    CHECK(parse_stat(stat_line("8", ""), st));  // the name may be empty
    CHECK_EQ(st.comm, "");
}

TEST("parse_stat: a zombie and the largest values") {
    ProcStat st;
    CHECK(parse_stat(stat_line("2147483647", "z", "Z", "18446744073709551615"), st));
    CHECK_EQ(st.pid, 2147483647);
    CHECK_EQ(st.state, 'Z');
    CHECK_EQ(st.start_ticks, 18446744073709551615u);
}

TEST("parse_stat: refuses what does not parse, or overflows") {
    ProcStat st;
    CHECK(!parse_stat("", st));
    CHECK(!parse_stat("4242 sleep S 1 42", st));
    CHECK(!parse_stat(stat_line("2147483648", "x"), st));         // past pid_t
    CHECK(!parse_stat(stat_line("-1", "x"), st));
    CHECK(!parse_stat(stat_line("x1", "x"), st));
    CHECK(!parse_stat(stat_line("1", "x", "SS"), st));
    CHECK(!parse_stat(stat_line("1", "x", "?"), st));
    CHECK(!parse_stat(stat_line("1", "x", "S", "18446744073709551616"), st));  // past 2^64-1
    CHECK(!parse_stat(stat_line("1", "x", "S", "12a"), st));
    CHECK(!parse_stat("1 (x) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0\n123", st));  // cut at a newline
}

TEST("descendants: children, grandchildren, not root, not pid 0's other children") {
    std::vector<ProcStat> all(6);
    auto set = [&](size_t i, pid_t pid, pid_t ppid) {
        all[i].pid = pid;
        all[i].ppid = ppid;
    };
    set(0, 1, 0);
    set(1, 2, 0);
    set(2, 10, 1);
    set(3, 11, 10);
    set(4, 12, 11);
    set(5, 20, 2);
    std::vector<pid_t> d = descendants(10, all);
    std::sort(d.begin(), d.end());
    CHECK_EQ(d, (std::vector<pid_t>{11, 12}));
    CHECK_EQ(descendants(12, all), std::vector<pid_t>{});
    d = descendants(0, all);
    std::sort(d.begin(), d.end());
    CHECK_EQ(d, (std::vector<pid_t>{1, 2, 10, 11, 12, 20}));
}
