// lib/semaphore: the pure parts of --semaphore -- the directory name of an
// id and back, a holder's record, /proc/locks, the options.
#include <string>

#include "semaphore.h"
#include "unit.h"

using namespace prockit;

TEST("semaphore_dir_name: plain bytes kept, the others %XX; the id comes back") {
    CHECK_EQ(semaphore_dir_name("backups"), std::string("prockit-sem.backups"));
    CHECK_EQ(semaphore_dir_name("a b/c.d_e-f"), std::string("prockit-sem.a%20b%2Fc.d_e-f"));
    CHECK_EQ(semaphore_dir_name("/dev/pts/3"), std::string("prockit-sem.%2Fdev%2Fpts%2F3"));
    CHECK_EQ(semaphore_id_of("prockit-sem.a%20b%2Fc").value(), std::string("a b/c"));
    CHECK_EQ(semaphore_id_of("prockit-sem.x%25").value(), std::string("x%"));
    CHECK(!semaphore_id_of("prockit-sem."));
    CHECK(!semaphore_id_of("prockit-sem.a%2"));
    CHECK(!semaphore_id_of("prockit-sem.a%2f"));
    CHECK(!semaphore_id_of("prockit-sem.a b"));
    CHECK(!semaphore_id_of("other"));
}

TEST("semaphore_dir_name: an empty id or one too long for a file name is refused") {
    CHECK_ERROR(semaphore_dir_name(""), Exit::usage, "--id: empty semaphore name");
    CHECK_ERROR(semaphore_dir_name(std::string(244, 'x')), Exit::usage, "--id: semaphore name too long");
    CHECK_EQ(semaphore_dir_name(std::string(243, 'x')).size(), 255u);
}

TEST("holder records: written and read back; malformed ones are none") {
    auto h = parse_holder(holder_record(1234, 1764633003000, "./backup.sh 'host 1'\nx"));
    CHECK(h.has_value());
    CHECK_EQ(h->pid, 1234);
    CHECK_EQ(h->start_ms, 1764633003000LL);
    CHECK_EQ(h->command, std::string("./backup.sh 'host 1'\nx"));
    CHECK(!parse_holder(""));
    CHECK(!parse_holder("0 1 x"));
    CHECK(!parse_holder("-1 1 x"));
    CHECK(!parse_holder("2147483648 1 x"));
    CHECK(!parse_holder("12 x y"));
    CHECK(!parse_holder("12 99999999999999999999 y"));
    CHECK(!parse_holder("1 9900017642049424124 x"));  // 19 digits: past long long (fuzz/regress/semaphore/crash-89ab...)
    CHECK_EQ(parse_holder(std::string("5 6 ") + std::string(2000, 'c'))->command.size(), 1020u);
}

TEST("semaphore options: each turns semaphore mode on; --st takes a sign and units") {
    SemaphoreOptions s;
    CHECK(parse_semaphore_option(s, kSemaphoreTimeout, "-1m30s"));
    CHECK(s.on);
    CHECK_EQ(s.timeout, -90.0);
    CHECK(parse_semaphore_option(s, kSemaphoreTimeout, "2"));
    CHECK_EQ(s.timeout, 2.0);
    CHECK(parse_semaphore_option(s, kSemaphoreMode, "0666"));
    CHECK_EQ(s.mode, 0666u);
    CHECK(!parse_semaphore_option(s, 'j', "2"));
    CHECK(called_as_sem("/usr/bin/sem"));
    CHECK(called_as_sem("sem"));
    CHECK(!called_as_sem("/usr/bin/pool-run"));
    CHECK(!called_as_sem("semx"));
}
