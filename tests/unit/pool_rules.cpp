// lib/pool_rules: --halt and the run's exit status, and --timeout N% of
// the median runtime, job by job.
#include "pool_rules.h"
#include "unit.h"

using namespace prockit;

namespace {
Halt halt(Halt::When when, bool on_success, double count, bool percent) {
    Halt h;
    h.when = when;
    h.on_success = on_success;
    h.count = count;
    h.percent = percent;
    return h;
}
// Feeds jobs ('f' failed with `status`, 's' succeeded) until one halts the
// run; returns how many were fed (all of them if none halted).
size_t feed(HaltRule& rule, Tally& t, const char* jobs, int status = 3) {
    size_t n = 0;
    for (; jobs[n]; ++n) {
        t.add(jobs[n] == 'f');
        if (rule.check(jobs[n] == 'f', status, t) != Halt::When::never) return n + 1;
    }
    return n;
}
}  // namespace

TEST("no --halt: the status is the number of failed jobs, 101 past 100") {
    HaltRule rule(Halt{});
    Tally t;
    CHECK_EQ(feed(rule, t, "ffsf"), 4u);
    CHECK_EQ(rule.status(t), 3);
    for (int i = 0; i < 97; ++i) t.add(true);
    CHECK_EQ(rule.status(t), 100);
    t.add(true);
    CHECK_EQ(rule.status(t), 101);
}

// As GNU parallel: a count of 1 gives the job's status, a larger one the
// number of jobs failed.
TEST("--halt now,fail=2 halts at the second failure, with the number failed as status") {
    HaltRule rule(halt(Halt::When::now, false, 2, false));
    Tally t;
    CHECK_EQ(feed(rule, t, "sfssfff", 7), 5u);
    CHECK_EQ(rule.status(t), 2);
    // Once halted, never again, and the status stays.
    t.add(true);
    CHECK_EQ(rule.check(true, 9, t), Halt::When::never);
    CHECK_EQ(rule.status(t), 2);
    HaltRule one(halt(Halt::When::now, false, 1, false));
    Tally u;
    CHECK_EQ(feed(one, u, "sf", 7), 2u);
    CHECK_EQ(one.status(u), 7);
}

TEST("--halt now,done=2 halts at the second job done, failed or not") {
    Halt h = halt(Halt::When::now, false, 2, false);
    h.on_done = true;
    HaltRule rule(h);
    Tally t;
    CHECK_EQ(feed(rule, t, "sfss", 7), 2u);
    CHECK_EQ(rule.status(t), 1);
    HaltRule none(h);
    Tally u;
    CHECK_EQ(feed(none, u, "ss"), 2u);
    CHECK_EQ(none.status(u), 0);
}

TEST("--halt soon,fail=50% of 4 jobs known halts at the second failure, status the percentage failed") {
    HaltRule rule(halt(Halt::When::soon, false, 50, true));
    Tally t;
    t.add(false);
    CHECK_EQ(rule.check(false, 0, t, 4), Halt::When::never);
    t.add(true);
    CHECK_EQ(rule.check(true, 1, t, 4), Halt::When::never);
    t.add(true);
    CHECK_EQ(rule.check(true, 2, t, 4), Halt::When::soon);
    CHECK_EQ(rule.status(t), 50);
}

TEST("--halt soon,success=1 halts at the first success, status 0") {
    HaltRule rule(halt(Halt::When::soon, true, 1, false));
    Tally t;
    CHECK_EQ(feed(rule, t, "ffsf"), 3u);
    CHECK_EQ(rule.status(t), 0);
}

TEST("--halt now,fail=50% waits for three jobs, then halts at half failed") {
    HaltRule rule(halt(Halt::When::now, false, 50, true));
    Tally t;
    CHECK_EQ(feed(rule, t, "ff"), 2u);  // 100% of two: too few to say
    CHECK_EQ(rule.status(t), 100);     // untriggered, the percentage failed, as GNU parallel's halt()
    HaltRule again(halt(Halt::When::now, false, 50, true));
    Tally u;
    CHECK_EQ(feed(again, u, "sssfsfsf", 5), 8u);  // 3 of 8 at the 8th is not half ...
    CHECK_EQ(again.status(u), 38);  // not halted yet: the percentage failed, rounded up
    u.add(true);  // ... 4 of 9 neither; then 5 of 10 is
    CHECK_EQ(again.check(true, 5, u), Halt::When::never);
    u.add(true);
    CHECK_EQ(again.check(true, 6, u), Halt::When::now);
    CHECK_EQ(again.status(u), 50);  // the percentage failed
}

// 7% of 100 is 7.000000000000001 as a double (count / 100.0 * done).
TEST("--halt now,fail=7% halts when 7 of 100 jobs done have failed") {
    HaltRule rule(halt(Halt::When::now, false, 7, true));
    Tally t;
    for (int i = 0; i < 93; ++i) t.add(false);
    for (int i = 0; i < 6; ++i) t.add(true);
    CHECK_EQ(rule.check(true, 1, t), Halt::When::never);  // 6 of 99
    t.add(true);
    CHECK_EQ(rule.check(true, 2, t), Halt::When::now);  // 7 of 100
    CHECK_EQ(rule.status(t), 7);
}

TEST("a success does not halt --halt fail=, nor a failure success=") {
    HaltRule rule(halt(Halt::When::now, false, 1, false));
    Tally t;
    t.add(false);
    CHECK_EQ(rule.check(false, 0, t), Halt::When::never);
    HaltRule s(halt(Halt::When::now, true, 1, false));
    Tally u;
    u.add(true);
    CHECK_EQ(s.check(true, 1, u), Halt::When::never);
}

TEST("--timeout SECONDS is that, from the start") {
    JobTimeout t(2.5, 0);
    CHECK_EQ(t.limit(), 2.5);
    CHECK(!t.wants_runtimes());
}

TEST("--timeout 200% is none before three successes, then twice the median") {
    JobTimeout t(0, 200);
    CHECK(t.wants_runtimes());
    t.succeeded(1);
    t.succeeded(9);
    CHECK_EQ(t.limit(), 0.0);
    t.succeeded(2);
    CHECK_EQ(t.limit(), 4.0);  // median of 1, 2, 9
    t.succeeded(3);
    CHECK_EQ(t.limit(), 6.0);  // of 1, 2, 3, 9: the upper middle
}

TEST("--timeout N% keeps to the last 999 successes") {
    JobTimeout t(0, 100);
    for (int i = 0; i < 999; ++i) t.succeeded(1);
    CHECK_EQ(t.limit(), 1.0);
    for (int i = 0; i < 500; ++i) t.succeeded(5);  // now 499 of 1 and 500 of 5
    CHECK_EQ(t.limit(), 5.0);
}

TEST("--timeout: a job is over once the wall clock's second after start + limit has begun, as parallel") {
    // parallel's is_timedout: `time > start + limit`, time() in whole seconds.
    auto near = [](double a, double b) { return a > b - 1e-6 && a < b + 1e-6; };
    CHECK(near(JobTimeout::due(2, 10.0, 100.7), 12.3));  // at 103.0 on the wall clock: 2.3 s after the start
    CHECK(near(JobTimeout::due(2, 10.0, 100.0), 13.0));  // 102 is not > 102: at 103.0, 3 s
    CHECK(near(JobTimeout::due(2, 10.0, 100.9995), 12.0005));  // the start to the millisecond, as parallel's now()
    CHECK(near(JobTimeout::due(0.5, 0.0, 7.2), 0.8));
    CHECK_EQ(JobTimeout::due(0, 10.0, 100.0), 0.0);  // no timeout
}
