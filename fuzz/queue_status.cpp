// A queue's status as shq prints it (lib/queue_status.h), for any name and
// any values: status_json() is one JSON object whose keys are exactly the
// ones the status has (a field of -1 left out, mode and uid only for a
// local queue, a lock only when there is one), each once, numbers as
// written; status_text() is one line per key, "KEY" padded to 12 then the
// value, the name escaped so that it stays on its line.
//
// Input: bytes 0-31 the numbers (each field from its own bytes, -1 chosen
// by a bit), byte 32 the flags, then the name, a NUL, and the lock text.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz.h"
#include "json.h"
#include "queue_status.h"

namespace {
// The members of one JSON object of string keys and values that are numbers
// or strings (kept as written); aborts on anything else.
std::map<std::string, std::string> members(std::string_view j) {
    std::map<std::string, std::string> out;
    size_t i = 0;
    auto expect = [&](char c) {
        if (i >= j.size() || j[i] != c) std::abort();
        ++i;
    };
    auto string = [&] {
        size_t start = i;
        expect('"');
        while (i < j.size() && j[i] != '"') i += j[i] == '\\' ? 2 : 1;
        expect('"');
        return std::string(j.substr(start, i - start));
    };
    expect('{');
    for (bool first = true; i < j.size() && j[i] != '}'; first = false) {
        if (!first) expect(',');
        std::string key = string();  // quoted
        key = key.substr(1, key.size() - 2);
        expect(':');
        std::string value;
        if (i < j.size() && j[i] == '"') {
            value = string();
        } else {
            size_t start = i;
            if (i < j.size() && j[i] == '-') ++i;
            while (i < j.size() && j[i] >= '0' && j[i] <= '9') ++i;
            value = std::string(j.substr(start, i - start));
            if (value.empty() || value == "-") std::abort();
        }
        if (!out.emplace(key, value).second) std::abort();  // a key twice
    }
    expect('}');
    if (i != j.size()) std::abort();
    return out;
}

long field(const uint8_t* p, bool none) {
    int32_t v;
    std::memcpy(&v, p, sizeof v);
    return none ? -1 : v < 0 ? -static_cast<long>(v + 1) : v;  // not negative, unless -1
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 33) return 0;
    const uint8_t flags = data[32];
    prockit::QueueStatus s;
    s.capacity = field(data, flags & 1);
    s.bytes = field(data + 4, flags & 2);
    s.used = field(data + 8, false);
    s.recoveries = field(data + 12, false);
    s.msgsize = field(data + 16, false);
    s.depth = field(data + 20, false);
    s.mode = data[24] | (data[25] & 0x0F) << 8;
    s.uid = 0;  // a user every machine has: the text names it
    s.gets = data[26];
    s.dones = data[27];
    s.puts = s.dones + data[28];  // done never passes put
    s.pending = field(data + 28, flags & 4);
    s.consumers = data[31] & 0x80 ? -1 : data[31];
    s.local = flags & 8;
    std::string_view rest(reinterpret_cast<const char*>(data + 33), size - 33);
    size_t nul = rest.find('\0');
    s.queue = std::string(rest.substr(0, nul));
    s.lock = nul == std::string_view::npos ? "" : std::string(rest.substr(nul + 1));

    // The keys the status has, as JSON names them, and their values.
    std::map<std::string, std::string> want{{"queue", prockit::json_string(s.queue)},
                                            {"depth", std::to_string(s.depth)},
                                            {"msgsize", std::to_string(s.msgsize)},
                                            {"put", std::to_string(s.puts)},
                                            {"got", std::to_string(s.gets)},
                                            {"done", std::to_string(s.dones)},
                                            {"unfinished", std::to_string(s.puts - s.dones)}};
    if (s.capacity >= 0) want["capacity"] = std::to_string(s.capacity);
    if (s.bytes >= 0) {
        want["bytes"] = std::to_string(s.bytes);
        want["used"] = std::to_string(s.used);
        want["recovered"] = std::to_string(s.recoveries);
    }
    if (!s.lock.empty()) want["lock"] = prockit::json_string(s.lock);
    if (s.local) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "\"%04o\"", s.mode);
        want["mode"] = mode;
        want["uid"] = "0";
    }
    if (s.pending >= 0) want["pending"] = std::to_string(s.pending);
    if (s.consumers >= 0) want["consumers"] = std::to_string(s.consumers);

    std::string json = prockit::status_json(s);
    fuzz::require_utf8(json, [](char32_t c) {
        if (c < 0x20) std::abort();
    });
    if (members(json) != want) std::abort();

    // The text: the same keys (the owner's name for the uid), one a line,
    // each value as in the JSON but for the texts, escaped rather than quoted.
    std::string text = prockit::status_text(s);
    size_t lines = 0;
    for (size_t at = 0; at < text.size(); ++lines) {
        size_t nl = text.find('\n', at);
        if (nl == std::string::npos) std::abort();  // every line ends
        std::string_view line(text.data() + at, nl - at);
        std::string key(line.substr(0, line.find(' ')));
        if (key.empty() || line.size() < 12 || line.substr(key.size(), 12 - key.size()).find_first_not_of(' ') !=
                                                    std::string_view::npos)
            std::abort();
        std::string_view value = line.substr(12);
        std::string expected = key == "owner" ? "root"
                               : key == "queue" ? prockit::escape_text(s.queue)
                               : key == "lock"  ? prockit::escape_text(s.lock)
                               : !want.count(key) ? "(no such key)"
                               : key == "mode"  ? want[key].substr(1, 4)
                                                : want[key];
        if (key == "owner" ? !want.count("uid") : !want.count(key)) std::abort();
        if (value != expected) std::abort();
        fuzz::require_utf8(line, [](char32_t c) {
            if (c < 0x20 || (c >= 0x7F && c < 0xA0)) std::abort();
        });
        at = nl + 1;
    }
    if (lines != want.size()) std::abort();
    return 0;
}
