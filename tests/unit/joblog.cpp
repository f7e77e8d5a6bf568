// lib/joblog: GNU parallel's joblog, written and read back, and every
// line that is refused, by its number.
#include <cstdint>
#include <map>
#include <string>

#include "joblog.h"
#include "unit.h"

using namespace prockit;

namespace {
std::string with_header(const std::string& lines) { return joblog_header() + lines; }
}  // namespace

TEST("the header and a line as pool-run writes them") {
    CHECK_EQ(joblog_header(), "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n");
    JoblogRecord r;
    r.seq = 3;
    r.start = 1700000000.5;
    r.runtime = 1.2509;
    r.received = 12;
    r.exitval = -1;
    r.signal = 9;
    r.command = "echo a\nb";
    // As GNU parallel's print_joblog: "%10.3f" of the runtime cut to the ms, a newline written NUL.
    CHECK_EQ(joblog_line(r), std::string("3\t:\t1700000000.500\t     1.250\t0\t12\t-1\t9\techo a\0b\n", 49));
}

TEST("a line read back: seq, success, the command with its tabs") {
    auto e = parse_joblog_line("7\t:\t1.0\t0.1\t0\t0\t0\t0\tprintf 'a\tb'", 2);
    CHECK(e.has_value());
    CHECK_EQ(e->seq, 7u);
    CHECK(e->succeeded);
    CHECK_EQ(e->command, "printf 'a\tb'");
    CHECK(!parse_joblog_line("7\t:\t1\t0\t0\t0\t1\t0\tfalse", 2)->succeeded);
    CHECK(!parse_joblog_line("7\t:\t1\t0\t0\t0\t0\t15\tsleep", 2)->succeeded);
    CHECK(!parse_joblog_line("7\t:\t1\t0\t0\t0\t-1\t0\tx", 2)->succeeded);
    CHECK_EQ(parse_joblog_line("7\t:\t1\t0\t0\t0\t0\t0\t", 2)->command, "");
    CHECK_EQ(parse_joblog_line("7\t:\t1\t0\t0\t0\t0\t0", 2)->command, "");  // eight fields and no command
}

TEST("line 1 must be the header") {
    CHECK(!parse_joblog_line("Seq\tanything", 1).has_value());
    CHECK_ERROR(parse_joblog_line("Seq Host", 1), Exit::failure,
                "line 1: not a joblog: the header does not start with Seq and a tab");
    CHECK(parse_joblog("").empty());  // an empty file: nothing was done yet
}

TEST("a bad field is an Error naming the line and the field") {
    struct {
        std::string line;
        uint64_t number;
        const char* why;
    } table[] = {
        {"1\t:\t1", 4, "line 4: expected 9 tab-separated fields, found 3"},
        {"", 2, "line 2: expected 9 tab-separated fields, found 1"},
        {"0\t:\t1\t0\t0\t0\t0\t0\tx", 2, "line 2: Seq '0' is not a job number from 1 to 2^64-1"},
        {"18446744073709551616\t:\t1\t0\t0\t0\t0\t0\tx", 2,
         "line 2: Seq '18446744073709551616' is not a job number from 1 to 2^64-1"},
        {"+1\t:\t1\t0\t0\t0\t0\t0\tx", 2, "line 2: Seq '+1' is not a job number from 1 to 2^64-1"},
        {"1\t:\t1\t0\t0\t0\tok\t0\tx", 2, "line 2: Exitval 'ok' is not an exit status"},
        {"1\t:\t1\t0\t0\t0\t99999999999\t0\tx", 2, "line 2: Exitval '99999999999' is not an exit status"},
        {"1\t:\t1\t0\t0\t0\t0\t-9\tx", 2, "line 2: Signal '-9' is not a signal number"},
    };
    for (const auto& row : table) CHECK_ERROR(parse_joblog_line(row.line, row.number), Exit::failure, row.why);
    CHECK_ERROR(parse_joblog_line(std::string(50, '7') + "\t:\t1\t0\t0\t0\t0\t0\tx", 2), Exit::failure,
                "line 2: Seq '" + std::string(40, '7') + "...' is not a job number from 1 to 2^64-1");
}

TEST("a whole joblog: the last line of a job decides") {
    auto jobs = parse_joblog(with_header("1\t:\t1\t0\t0\t0\t1\t0\tfalse\n"
                                         "2\t:\t1\t0\t0\t0\t0\t0\ttrue\n"
                                         "1\t:\t2\t0\t0\t0\t0\t0\tfalse again\n"));
    std::map<uint64_t, JoblogJob> want{{1, {true, "false again"}}, {2, {true, "true"}}};
    CHECK(jobs == want);
    CHECK(parse_joblog(joblog_header()).empty());
    CHECK_EQ(parse_joblog(with_header("5\t:\t1\t0\t0\t0\t0\t0\tno newline")).at(5).command, "no newline");
}

TEST("a whole joblog: an error names the line it is on") {
    CHECK_ERROR(parse_joblog(with_header("1\t:\t1\t0\t0\t0\t0\t0\tok\n\n")), Exit::failure,
                "line 3: expected 9 tab-separated fields, found 1");
    CHECK_ERROR(parse_joblog("not a joblog\n"), Exit::failure,
                "line 1: not a joblog: the header does not start with Seq and a tab");
}

TEST("joblog_command: a newline becomes a NUL, and parse_joblog reads it back as a newline, as parallel") {
    CHECK_EQ(joblog_command("a\nb\n"), std::string("a\0b\0", 4));
    CHECK_EQ(joblog_command("a\tb"), "a\tb");
    CHECK_EQ(parse_joblog(with_header(std::string("2\t:\t1\t0\t0\t0\t1\t0\ta\0b\n", 20))).at(2).command, "a\nb");
}
