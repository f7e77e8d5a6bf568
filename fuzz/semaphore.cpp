// The pure parts of pool-run --semaphore (lib/semaphore.h), on text another
// user may have written: a slot file's holder record and the names of
// /dev/shm. Properties: a parsed record is in range and writes
// back to a record that parses the same; a semaphore's directory name
// gives back its id, and a name that is none is refused, never misread.
#include <climits>
#include <cstdlib>
#include <string>

#include "diag.h"
#include "fuzz.h"
#include "semaphore.h"

using namespace prockit;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    if (auto h = parse_holder(in)) {
        if (h->pid <= 0 || h->start_ms < 0 || h->command.size() > 1024) std::abort();
        std::string again = holder_record(h->pid, h->start_ms, h->command);
        auto h2 = parse_holder(again);
        if (!h2 || h2->pid != h->pid || h2->start_ms != h->start_ms || h2->command.size() > h->command.size()) std::abort();
    }
    if (auto id = semaphore_id_of(in)) {
        try {
            if (semaphore_id_of(semaphore_dir_name(*id)) != id) std::abort();
        } catch (const Error&) {
            // an id too long for a file name once escaped
        }
    }
    try {
        std::string name = semaphore_dir_name(in);
        if (name.find('/') != std::string::npos || semaphore_id_of(name) != std::string(in)) std::abort();
    } catch (const Error& e) {
        if (!in.empty() && in.size() < 80) std::abort();  // only empty or too long is refused
    }
    return 0;
}
