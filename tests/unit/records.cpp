// lib/records: records cut from a byte stream (lines, NUL-terminated,
// chunks), the ones over the limit, and the buffered Output -- over a
// memfd, a pipe and a directory, with no tool around them.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "fd.h"
#include "records.h"
#include "unit.h"

using namespace prockit;
using namespace std::string_literals;
using V = std::vector<std::string>;

namespace {
// A regular file holding `data`, read from its start.
Fd file_of(std::string_view data) {
    Fd f(::memfd_create("records", MFD_CLOEXEC));
    if (!f || !write_all(f.get(), data) || ::lseek(f.get(), 0, SEEK_SET) != 0) unit::fail(__FILE__, __LINE__, "memfd");
    return f;
}

// Every record of `data` up to a too_long one, shown as "(too long: N)" or
// "(too long: >=N)", where every caller stops.
V records(std::string_view data, char delim, size_t max_len, size_t chunk = 0) {
    Fd f = file_of(data);
    RecordReader r(f.get(), delim, max_len, chunk);
    V out;
    std::string_view rec;
    for (;;) {
        RecordReader::Status s = r.next(rec);
        if (s == RecordReader::Status::end) return out;
        if (s != RecordReader::Status::too_long) {
            out.emplace_back(rec);
            continue;
        }
        out.push_back("(too long: " + std::string(r.long_is_lower_bound() ? ">=" : "") +
                      std::to_string(r.long_length()) + ")");
        return out;
    }
}
}  // namespace

TEST("lines: a last line without its newline still counts; empty input has none") {
    CHECK_EQ(records("a\nbb\n\nccc", '\n', 100), (V{"a", "bb", "", "ccc"}));
    CHECK_EQ(records("a\n", '\n', 100), (V{"a"}));
    CHECK_EQ(records("", '\n', 100), V{});
    CHECK_EQ(records("\n", '\n', 100), (V{""}));
}

TEST("-0: NUL-terminated records keep their newlines") {
    CHECK_EQ(records("a\nb\0c\0"s, '\0', 100), (V{"a\nb", "c"}));
}

TEST("chunks of N bytes, the last shorter; the delimiter is data") {
    CHECK_EQ(records("abcdefg\n", '\n', 100, 3), (V{"abc", "def", "g\n"}));
    CHECK_EQ(records("abcdef", '\n', 100, 3), (V{"abc", "def"}));
}

TEST("a record over max_len is too_long, its length exact once the input has ended") {
    CHECK_EQ(records("ok\n123456\nok2\n", '\n', 5), (V{"ok", "(too long: 6)"}));
    CHECK_EQ(records("12345\n", '\n', 5), (V{"12345"}));
    // Read to the limit and one byte more, the end not seen yet: a lower bound.
    CHECK_EQ(records("123456", '\n', 5), (V{"(too long: >=6)"}));
    CHECK_EQ(records("1234567", '\n', 5, 6), (V{"(too long: 6)"}));  // a chunk's length is known
}

TEST("a long record on a pipe still open: a lower bound, nothing more read to measure it") {
    Pipe p = make_pipe();
    CHECK(write_all(p.write.get(), "1234567890"));
    RecordReader r(p.read.get(), '\n', 4);
    std::string_view rec;
    CHECK_EQ(r.next(rec), RecordReader::Status::too_long);
    CHECK(r.long_is_lower_bound());
    CHECK_EQ(r.long_length(), 10u);  // every caller stops here (the rest is not a record)
}

TEST("next_buffered gives only complete records already read, earlier views kept") {
    Fd f = file_of("a\nb\nc");
    RecordReader r(f.get(), '\n', 100);
    std::string_view first, second, third;
    CHECK(!r.next_buffered(first));  // nothing read yet
    CHECK_EQ(r.next(first), RecordReader::Status::record);
    CHECK(r.next_buffered(second));
    CHECK_EQ(std::string(first) + std::string(second), "ab");
    CHECK(!r.next_buffered(third));  // "c" may go on
    CHECK_EQ(r.next(third), RecordReader::Status::record);
    CHECK_EQ(std::string(third), "c");
}

TEST("an idle pipe says so when the reader must not wait") {
    Pipe p = make_pipe(O_NONBLOCK);
    RecordReader::Waiting no_wait{nullptr, WaitPolicy::no_wait()};
    RecordReader r(p.read.get(), '\n', 100, 0, &no_wait);
    std::string_view rec;
    CHECK_EQ(r.next(rec), RecordReader::Status::idle);
    CHECK(write_all(p.write.get(), "x"));
    CHECK_EQ(r.next(rec), RecordReader::Status::idle);  // no delimiter yet
    CHECK(write_all(p.write.get(), "y\n"));
    CHECK_EQ(r.next(rec), RecordReader::Status::record);
    CHECK_EQ(std::string(rec), "xy");
}

TEST("a read that fails is an Error with its reason") {
    Fd dir(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    RecordReader r(dir.get(), '\n', 100);
    std::string_view rec;
    CHECK_ERROR(r.next(rec), Exit::failure, "read standard input: " + reason(EISDIR));
}

TEST("Output: buffered until flush, a large write straight through") {
    Pipe p = make_pipe();
    Output out(p.write.get(), "standard output", 8);
    out.write("abc");
    out.write('d');
    char buf[64];
    CHECK_EQ(::read(p.read.get(), buf, 0), 0);
    int flushes = 0;
    out.on_flush([&] { ++flushes; });
    out.write("0123456789");  // flushes "abcd", then writes through
    out.write("e");
    out.flush();
    ssize_t n = ::read(p.read.get(), buf, sizeof buf);
    CHECK_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "abcd0123456789e");
    CHECK_EQ(flushes, 2);
}

TEST("Output: reserve and commit write in place") {
    Pipe p = make_pipe();
    Output out(p.write.get(), "standard output", 4);
    char* at = out.reserve(6);  // more than the capacity: the buffer grows
    std::memcpy(at, "record", 6);
    out.commit(6);
    out.flush();
    char buf[16];
    ssize_t n = ::read(p.read.get(), buf, sizeof buf);
    CHECK_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "record");
}

TEST("Output: a write that fails is an Error naming what it writes") {
    Pipe p = make_pipe();
    Output out(p.read.get(), "out.txt", 8);  // the read end: EBADF
    out.write("x");
    CHECK_ERROR(out.flush(), Exit::failure, "write out.txt: " + reason(EBADF));
}
