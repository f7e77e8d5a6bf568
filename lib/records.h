// Record framing for byte streams: one record per line (the default) or per
// NUL-terminated record (-0), binary-safe otherwise, and a buffered output
// that writes records back.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "deadline.h"
#include "signals.h"

namespace prockit {

// Reads delimited records from a descriptor. A last record without a
// delimiter still counts; an empty input has no records. Records are views
// into an internal buffer, valid until the next call.
class RecordReader {
public:
    enum class Status { record, end, too_long, idle, stopped };

    // How a reader that must stay interruptible waits for input: in poll,
    // where stop signals and an idle timeout get in (Status::stopped and
    // Status::idle). Without it, reads simply block.
    struct Waiting {
        const StopSignals* stop = nullptr;
        WaitPolicy idle = WaitPolicy::forever();
    };

    // Records end in delim, or are chunks of `chunk` bytes when chunk > 0
    // (the last may be shorter). Records over max_len are too_long. The
    // buffer grows with the records read, up to max_len or chunk: what the
    // data needs, not what the limits allow.
    RecordReader(int fd, char delim, size_t max_len, size_t chunk = 0, const Waiting* waiting = nullptr);

    // Throws prockit::Error if reading fails.
    Status next(std::string_view& record);

    // The next record if it is already complete in the buffer, without
    // reading: earlier views stay valid, so a caller can gather a batch.
    // False when the buffer holds no complete record of allowed length.
    bool next_buffered(std::string_view& record);

    // After Status::too_long: the record's length if its delimiter or the
    // end of input is already in the buffer, else what is there, a lower
    // bound: nothing more is read to measure it; see long_is_lower_bound().
    size_t long_length() const { return long_length_; }
    bool long_is_lower_bound() const { return long_capped_; }

private:
    enum class Fill { data, end, idle, stopped };
    Fill fill();  // reads more
    void skip_long_record();

    int fd_;
    char delim_;
    size_t max_len_;
    size_t chunk_;
    const Waiting* waiting_;
    size_t most_;  // the buffer never needs more: one record and its delimiter
    std::vector<char> buf_;
    size_t begin_ = 0, end_ = 0, scanned_ = 0;
    bool eof_ = false;
    size_t long_length_ = 0;
    bool long_capped_ = false;
};

// Buffered writes to a descriptor. A reader that has gone away (EPIPE)
// ends the tool as cat would (die_of_signal(SIGPIPE)); any other write error
// throws prockit::Error naming `what` ("standard output").
class Output {
public:
    // With `stop`, a write that may block lets stop signals in; one that is
    // interrupted so is abandoned (the tool is about to die of the signal).
    explicit Output(int fd, std::string what = "standard output", size_t capacity = 64 * 1024,
                    const StopSignals* stop = nullptr);
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;
    ~Output();  // does not flush: errors must be reported, so flush() explicitly

    void write(std::string_view data);
    void write(char c) { write(std::string_view(&c, 1)); }
    void flush();

    // Room for n bytes at the end of the buffer, flushing first if needed,
    // so a producer (a queue receive) can write there directly; then
    // commit() the bytes it wrote. The pointer is valid until the next call.
    char* reserve(size_t n);
    void commit(size_t n) { used_ += n; }
    // The free space at the end of the buffer (at least what was reserved).
    size_t room() const { return buf_.size() - used_; }
    // Called after each flush has written everything out.
    void on_flush(std::function<void()> f) { flushed_ = std::move(f); }

private:
    void write_through(std::string_view data);

    int fd_;
    std::string what_;
    std::vector<char> buf_;
    size_t used_ = 0;
    const StopSignals* stop_;
    std::function<void()> flushed_;
};

}  // namespace prockit
