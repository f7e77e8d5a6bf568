// lib/queue_format and lib/queue_status: a message as a record on a byte
// stream, the end-of-stream marker, and a queue's status as shq prints it.
#include <cstring>
#include <string>

#include "queue_format.h"
#include "queue_status.h"
#include "unit.h"

using namespace prockit;
using namespace std::string_literals;

namespace {
// format_record over a copy of `msg` with the room it asks for.
std::string record(const std::string& msg, unsigned prio, const RecordFormat& f) {
    std::string buf = msg + std::string(16, '#');  // room to spare, checked by the size
    size_t n = format_record(buf.data(), msg.size(), prio, f);
    if (n != msg.size() + record_overhead(prio, f)) unit::fail(__FILE__, __LINE__, "size is not the overhead");
    return buf.substr(0, n);
}

QueueStatus ring_status() {
    QueueStatus s;
    s.queue = "shm:/jobs\n";
    s.capacity = -1;
    s.bytes = 1048576;
    s.used = 13;
    s.recoveries = 1;
    s.msgsize = 65536;
    s.depth = 2;
    s.mode = 0600;
    s.uid = 0;
    s.puts = 5;
    s.gets = 3;
    s.dones = 1;
    return s;
}
}  // namespace

TEST("format_record: [PRIO TAB] MESSAGE [DELIM]") {
    CHECK_EQ(record("job", 0, RecordFormat{}), "job\n");
    CHECK_EQ(record("job", 7, RecordFormat{'\0', true, true, false}), "7\tjob\0"s);
    CHECK_EQ(record("job", 32767, RecordFormat{'\n', true, true, false}), "32767\tjob\n");  // mq's largest
    CHECK_EQ(record("chunk", 3, RecordFormat{'\n', false, false, false}), "chunk");
    CHECK_EQ(record("", 12, RecordFormat{'\n', true, false, false}), "12\t");
}

// Found here: an 8-byte prefix buffer cut the tab of a 7-digit priority,
// and read past its end from 8 digits on (ASan, under make sanitize).
TEST("format_record: a priority of 7 to 10 digits keeps its tab") {
    CHECK_EQ(record("job", 9999999, RecordFormat{'\n', true, true, false}), "9999999\tjob\n");
    CHECK_EQ(record("job", 4294967295u, RecordFormat{'\n', true, true, false}), "4294967295\tjob\n");
}

TEST("record_overhead: what format_record adds") {
    CHECK_EQ(record_overhead(0, RecordFormat{}), 1u);
    CHECK_EQ(record_overhead(0, RecordFormat{'\n', false, false, false}), 0u);
    CHECK_EQ(record_overhead(31, RecordFormat{'\n', true, true, false}), 4u);
    CHECK_EQ(record_overhead(32767, RecordFormat{'\n', true, true, false}), 7u);
    CHECK_EQ(record_overhead(4294967295u, RecordFormat{'\n', true, true, false}), 12u);
}

TEST("the end-of-stream marker is exactly its 16 bytes") {
    CHECK(is_end_of_stream(kEndOfStream.data(), kEndOfStream.size()));
    CHECK(!is_end_of_stream(kEndOfStream.data(), 15));
    CHECK(!is_end_of_stream("", 0));
    CHECK(!counts_as_task(kEndOfStream.data(), kEndOfStream.size()));
    CHECK(counts_as_task("", 0));
}

TEST("status_text: a ring's lines, its name escaped") {
    CHECK_EQ(status_text(ring_status()),
             "queue       shm:/jobs\\n\n"
             "depth       2\n"
             "bytes       1048576\n"
             "used        13\n"
             "recovered   1\n"
             "msgsize     65536\n"
             "mode        0600\n"
             "owner       root\n"
             "put         5\n"
             "got         3\n"
             "done        1\n"
             "unfinished  4\n");
}

TEST("status_json: the same as one object; a redis queue's fields, no mode") {
    CHECK_EQ(status_json(ring_status()),
             "{\"queue\":\"shm:/jobs\\n\",\"depth\":2,\"bytes\":1048576,\"used\":13,\"recovered\":1,"
             "\"msgsize\":65536,\"mode\":\"0600\",\"uid\":0,\"put\":5,\"got\":3,\"done\":1,\"unfinished\":4}");
    QueueStatus r = ring_status();
    r.queue = "redis://h:6379/0/q";
    r.bytes = -1;
    r.capacity = 10;
    r.local = false;
    r.pending = 2;
    r.consumers = 1;
    r.lock = "locked by 12 (stopped)";
    CHECK_EQ(status_json(r),
             "{\"queue\":\"redis://h:6379/0/q\",\"depth\":2,\"capacity\":10,\"msgsize\":65536,"
             "\"lock\":\"locked by 12 (stopped)\",\"put\":5,\"got\":3,\"done\":1,\"unfinished\":4,\"pending\":2,"
             "\"consumers\":1}");
}
