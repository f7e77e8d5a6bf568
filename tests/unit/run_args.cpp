// lib/run_args: pool-run's operand grammar (:::, ::::), its option values
// (-j, --halt, --timeout) and the checks of what excludes what.
#include <string>
#include <vector>

#include "run_args.h"
#include "unit.h"

using namespace prockit;

namespace {
RunArgs operands(const std::vector<std::string>& words, bool retry_failed = false) {
    RunArgs a;
    a.pool.retry_failed = retry_failed;
    parse_operands(a, words);
    return a;
}
InputGroup args(std::vector<std::string> v) { return InputGroup{std::move(v), "", false}; }
InputGroup file(std::string f) { return InputGroup{{}, std::move(f), true}; }
}  // namespace

TEST("the command is the words before the first separator") {
    RunArgs a = operands({"echo", "{}", ":::", "a", "b"});
    CHECK_EQ(a.command, (std::vector<std::string>{"echo", "{}"}));
    CHECK(a.groups == std::vector<InputGroup>{args({"a", "b"})});
}

TEST("each ::: one group, each FILE after :::: one group, in the order given") {
    RunArgs a = operands({"echo", ":::", "x", "::::", "f", "g", ":::", "y"});
    CHECK(a.groups == (std::vector<InputGroup>{args({"x"}), file("f"), file("g"), args({"y"})}));
}

TEST("a separator with nothing after it is an empty group") {
    CHECK(operands({"echo", ":::"}).groups == std::vector<InputGroup>{args({})});
    CHECK(operands({"echo", "::::"}).groups == std::vector<InputGroup>{args({})});
    CHECK(operands({"echo", "::::", ":::", "a"}).groups == (std::vector<InputGroup>{args({}), args({"a"})}));
}

TEST("--retry-failed keeps no command and no file to read") {
    RunArgs a = operands({"echo", ":::", "a", "::::", "f"}, true);
    CHECK(a.command.empty());
    CHECK(a.groups == std::vector<InputGroup>{args({"a"})});
}

TEST("--from excludes :::, :::: and -a; --idle needs --from") {
    RunArgs a = operands({"echo", ":::", "a"});
    a.from = "/q";
    CHECK_ERROR(check_sources(a), Exit::usage, "--from excludes :::, :::: and -a");
    RunArgs b;
    b.idle_given = true;
    CHECK_ERROR(check_sources(b), Exit::usage, "--idle needs --from QUEUE");
    b.from = "/q";
    check_sources(b);
}

TEST("-u excludes --line-buffer (-k and --tag it ignores, as GNU parallel); --resume needs --joblog") {
    RunArgs a;
    a.pool.ungroup = a.pool.keep_order = true;
    check_options(a);
    a.pool.line_buffer = true;
    CHECK_ERROR(check_options(a), Exit::usage, "-u passes output through as it is: it excludes --line-buffer");
    RunArgs b;
    b.pool.resume = true;
    CHECK_ERROR(check_options(b), Exit::usage, "--resume needs --joblog FILE");
}

TEST("-j N, N% of the cores, 0 for 250") {
    CHECK_EQ(parse_jobs("3", 8), 3u);
    CHECK_EQ(parse_jobs("50%", 8), 4u);
    CHECK_EQ(parse_jobs("1%", 8), 1u);
    CHECK_EQ(parse_jobs("0", 8), 250u);
}

TEST("--halt now|soon,fail|success=N or N%") {
    Halt h = parse_halt("now,success=50%");
    CHECK(h.when == Halt::When::now);
    CHECK(h.on_success);
    CHECK(h.percent);
    CHECK_EQ(h.count, 50.0);
    CHECK(parse_halt("2").when == Halt::When::now);
    CHECK_ERROR(parse_halt("later,fail=1"), Exit::usage,
                "invalid halt 'later,fail=1': expected now|soon,fail|success|done=N or N%, such as now,fail=1");
    CHECK(parse_halt("now,done=3").on_done);
    CHECK(parse_halt("-1").on_success);
    CHECK(parse_halt("25%").percent);
}

TEST("--timeout SECONDS or N%") {
    PoolOptions p;
    parse_timeout("2.5", p);
    CHECK_EQ(p.timeout, 2.5);
    parse_timeout("200%", p);
    CHECK_EQ(p.timeout, 0.0);
    CHECK_EQ(p.timeout_percent, 200.0);
}
