// format_record() (lib/queue_format.h) over any message, priority and
// format: the record is exactly [PRIO TAB] MESSAGE [DELIM], record_overhead
// says how many bytes it added, and nothing past that is written. And the
// end-of-stream marker is recognised exactly.
//
// Input: byte 0 the format (bit 0: with the priority, bit 1: delimited,
// bit 2: NUL, else newline; bit 3: the priority's bytes taken as the top
// of an unsigned, so that 10-digit ones come up), bytes 1-2 the priority,
// the rest the message.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz.h"
#include "queue_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    prockit::RecordFormat f;
    f.with_prio = data[0] & 1;
    f.delimit = data[0] & 2;
    f.delim = data[0] & 4 ? '\0' : '\n';
    unsigned prio = data[1] | static_cast<unsigned>(data[2]) << 8;
    if (data[0] & 8) prio = prio << 16 | 0xFFFF;
    std::string_view msg(reinterpret_cast<const char*>(data + 3), size - 3);

    const size_t overhead = prockit::record_overhead(prio, f);
    // The room the header asks callers to leave: 8 at most below 32768
    // (a message queue's priorities), 12 for any unsigned.
    if (overhead > (prio < 32768 ? 8u : 12u)) std::abort();
    constexpr char kGuard = '\x5a';
    std::vector<char> buf(msg.size() + 8 + 16, kGuard);
    std::memcpy(buf.data(), msg.data(), msg.size());
    size_t n = prockit::format_record(buf.data(), msg.size(), prio, f);
    if (n != msg.size() + overhead) std::abort();

    std::string want = (f.with_prio ? std::to_string(prio) + "\t" : "") + std::string(msg);
    if (f.delimit) want += f.delim;
    if (std::string_view(buf.data(), n) != want) std::abort();
    for (size_t i = n; i < buf.size(); ++i)
        if (buf[i] != kGuard) std::abort();

    if (prockit::is_end_of_stream(msg.data(), msg.size()) != (msg == prockit::kEndOfStream)) std::abort();
    if (prockit::counts_as_task(msg.data(), msg.size()) == (msg == prockit::kEndOfStream)) std::abort();
    return 0;
}
