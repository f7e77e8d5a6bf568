#include "queue_format.h"

#include <cstdio>
#include <cstring>

namespace prockit {

size_t format_record(char* at, size_t len, unsigned prio, const RecordFormat& f) {
    if (f.with_prio) {
        char prefix[16];  // the largest unsigned, 10 digits, a tab and the NUL
        int n = std::snprintf(prefix, sizeof prefix, "%u\t", prio);
        std::memmove(at + n, at, len);
        std::memcpy(at, prefix, static_cast<size_t>(n));
        len += static_cast<size_t>(n);
    }
    if (!f.delimit) return len;
    at[len] = f.delim;
    return len + 1;
}

size_t record_overhead(unsigned prio, const RecordFormat& f) {
    size_t n = f.delimit ? 1 : 0;
    if (f.with_prio) n += static_cast<size_t>(std::snprintf(nullptr, 0, "%u\t", prio));
    return n;
}

}  // namespace prockit
