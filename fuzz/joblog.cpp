// The joblog reader (lib/joblog.h) over any text: it returns entries or
// throws an Error that names a line of the text, in one line; and the
// lines pool-run writes are read back as written, whatever the command
// holds (a newline as a space).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "diag.h"
#include "fuzz.h"
#include "joblog.h"

namespace {
void check_error(const prockit::Error& e, std::string_view text) {
    std::string_view what = e.what();
    if (what.substr(0, 5) != "line ") std::abort();
    uint64_t line = std::strtoull(what.data() + 5, nullptr, 10);
    uint64_t lines = 1;
    for (char c : text) lines += c == '\n';
    if (line < 1 || line > lines) std::abort();
    if (what.find('\n') != std::string_view::npos) std::abort();  // one line (diag escapes the rest)
}

// Records made from the bytes, written as pool-run writes them.
void check_round_trip(const uint8_t* data, size_t size) {
    std::string log = prockit::joblog_header();
    std::map<uint64_t, prockit::JoblogJob> want;
    for (size_t i = 0; i + 12 <= size; i += 12) {
        prockit::JoblogRecord r;
        std::memcpy(&r.seq, data + i, 8);
        r.seq = r.seq ? r.seq : 1;
        r.exitval = static_cast<int8_t>(data[i + 8]);
        r.signal = data[i + 9] % 65;
        r.start = 1.7e9 + data[i + 10];
        r.runtime = data[i + 11] / 7.0;
        r.received = data[i + 10] * 1000003ULL;
        size_t len = data[i + 11] % 24;
        r.command.assign(reinterpret_cast<const char*>(data + i), std::min(len, size - i));
        log += prockit::joblog_line(r);
        // Written with each newline a NUL, read back with each NUL a newline.
        std::string command = prockit::joblog_command(r.command);
        std::replace(command.begin(), command.end(), '\0', '\n');
        want[r.seq] = {r.exitval == 0 && r.signal == 0, command};
    }
    if (prockit::parse_joblog(log) != want) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        prockit::parse_joblog(text);
    } catch (const prockit::Error& e) {
        check_error(e, text);
    }
    check_round_trip(data, size);
    return 0;
}
