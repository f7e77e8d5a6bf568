// Copying bytes from one stream to another as fast as the kernel allows:
// splice(2) when either side is a pipe (no copy through user space),
// copy_file_range(2) from file to file, read/write otherwise or wherever
// the kernel refuses the faster way (a terminal, say).
#pragma once

#include <cstdint>

#include "deadline.h"
#include "meter.h"
#include "signals.h"
#include "stream.h"

namespace prockit {

struct CopyOptions {
    const StopSignals* stop = nullptr;
    WaitPolicy idle = WaitPolicy::forever();  // stop when nothing arrives this long
    Meter* meter = nullptr;
    // Stop after this many records (0: never): lines ending in delim, or
    // chunks of `chunk` bytes when chunk > 0. Counting reads through user
    // space.
    uint64_t max_records = 0;
    char delim = '\n';
    size_t chunk = 0;
};

enum class CopyEnd { end, count, idle, stopped };

struct CopyResult {
    CopyEnd end;
    const char* method;  // "splice", "copy_file_range" or "read/write"
};

// Throws Error naming the stream on a read or write error; a reader that has
// gone away ends the tool as cat would (die_of_signal(SIGPIPE), lib/diag.h).
CopyResult copy_bytes(const Stream& in, const Stream& out, const CopyOptions& opt);

// Writes all of data to `out`, letting stop signals in while it may block.
// False if a stop signal came first.
bool write_stream(const Stream& out, std::string_view data, const StopSignals* stop);

}  // namespace prockit
