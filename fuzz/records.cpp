// Record framing: a RecordReader over a pipe (fed in pieces, the reader
// told not to wait, so records straddle reads and idle returns) or over a
// memfd (a regular file: reads never wait), for every delimiter, chunk
// size and max_len the first bytes choose, with next() and next_buffered()
// mixed. The records must be exactly the input cut at each delimiter (or
// every `chunk` bytes); a record over max_len must be reported too_long
// with its true length, and only such a record.
//
// Input: [mode][delim][chunk][max_len][piece] then the data.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "diag.h"
#include "fd.h"
#include "fuzz.h"
#include "records.h"

using namespace prockit;

namespace {
struct Params {
    bool pipe, buffered;
    char delim;
    size_t chunk, max_len, piece;
};

Params params(const uint8_t* p) {
    static const size_t kMax[] = {0, 1, 2, 3, 7, 64, 100, 4095, 65535, 65536, 1 << 20, SIZE_MAX};
    Params q;
    q.pipe = p[0] & 1;
    q.buffered = p[0] & 2;
    q.delim = (p[0] & 4) ? static_cast<char>(p[1]) : (p[1] & 1) ? '\0' : '\n';
    q.chunk = (p[2] & 0x80) ? 0 : (p[2] & 0x40) ? static_cast<size_t>(p[2] & 0x3F) << 12 : p[2] & 0x3F;
    q.max_len = kMax[p[3] % std::size(kMax)];
    q.piece = 1 + p[4] % 64 * 67;  // 1 to 4222 bytes a write
    return q;
}

// The records the input should give, in order; a length over max_len
// stands for a too_long record.
std::vector<std::string_view> expected(std::string_view data, const Params& q) {
    std::vector<std::string_view> out;
    while (!data.empty()) {
        size_t n = q.chunk ? std::min(q.chunk, data.size()) : data.find(q.delim);
        bool delimited = !q.chunk && n != std::string_view::npos;
        if (!q.chunk && !delimited) n = data.size();
        out.push_back(data.substr(0, n));
        data.remove_prefix(n + (delimited ? 1 : 0));
    }
    return out;
}

// Reads everything, writing the rest of `data` in pieces whenever the
// reader is idle; false once a too_long has been checked (callers stop
// there, and so does the comparison).
void read_all(RecordReader& r, int writer, std::string_view data, const Params& q,
              const std::vector<std::string_view>& want) {
    size_t got = 0;
    Fd w(writer);
    for (;;) {
        std::string_view rec;
        RecordReader::Status s = RecordReader::Status::record;
        if (!(q.buffered && r.next_buffered(rec))) s = r.next(rec);
        if (s == RecordReader::Status::idle) {
            if (!w) std::abort();  // idle only while the writer is open
            size_t n = std::min(q.piece, data.size());
            if (n == 0) w.reset();
            else if (!write_all(w.get(), data.substr(0, n))) std::abort();
            data.remove_prefix(n);
            continue;
        }
        if (s == RecordReader::Status::end) break;
        if (s == RecordReader::Status::stopped || got >= want.size()) std::abort();
        if (s == RecordReader::Status::too_long) {
            // A chunk is said to be too long once more than max_len of it is in.
            if (want[got].size() <= q.max_len) std::abort();
            if (!q.chunk && !r.long_is_lower_bound() && r.long_length() != want[got].size()) std::abort();
            if (r.long_length() <= q.max_len || r.long_length() > want[got].size()) std::abort();
            return;
        }
        if (rec != want[got] || rec.size() > q.max_len) std::abort();
        ++got;
    }
    if (got != want.size()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
    if (size < 5) return 0;
    Params q = params(bytes);
    std::string_view data(reinterpret_cast<const char*>(bytes) + 5, size - 5);
    std::vector<std::string_view> want = expected(data, q);
    try {
        if (q.pipe) {
            Pipe p = make_pipe(O_NONBLOCK);
            RecordReader::Waiting no_wait{nullptr, WaitPolicy::no_wait()};
            RecordReader r(p.read.get(), q.delim, q.max_len, q.chunk, &no_wait);
            read_all(r, p.write.release(), data, q, want);
        } else {
            Fd f(::memfd_create("records", MFD_CLOEXEC));
            if (!f || !write_all(f.get(), data) || ::lseek(f.get(), 0, SEEK_SET) != 0) std::abort();
            RecordReader r(f.get(), q.delim, q.max_len, q.chunk);
            read_all(r, -1, {}, q, want);
        }
    } catch (const Error&) {
        std::abort();  // nothing here can fail to read
    }
    return 0;
}
