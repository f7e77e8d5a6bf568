#include "records.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "diag.h"
#include "fd.h"

namespace prockit {

namespace {
constexpr size_t kChunk = 64 * 1024;
}  // namespace

// The buffer starts at kChunk and grows (doubling) only as far as a record
// needs: a 1 GiB -B or message size must not cost 1 GiB for short records.
RecordReader::RecordReader(int fd, char delim, size_t max_len, size_t chunk, const Waiting* waiting)
    : fd_(fd), delim_(delim), max_len_(max_len), chunk_(chunk), waiting_(waiting),
      most_(std::max(kChunk, chunk ? chunk : max_len == SIZE_MAX ? max_len : max_len + 1)),
      buf_(std::min(kChunk, most_)) {}

RecordReader::Fill RecordReader::fill() {
    if (eof_) return Fill::end;
    if (waiting_) {
        switch (wait_fd(fd_, POLLIN, waiting_->idle.deadline(), waiting_->stop)) {
            case Wait::ready: break;
            case Wait::timed_out: return Fill::idle;
            case Wait::stopped: return Fill::stopped;
        }
    }
    if (begin_ > 0 && (end_ == buf_.size() || begin_ > buf_.size() / 2)) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        scanned_ -= begin_;
        begin_ = 0;
    }
    // Full after moving down: a record longer than the buffer, but (next()
    // checks first) not longer than it may be.
    if (end_ == buf_.size()) buf_.resize(std::min(most_, buf_.size() * 2));
    ssize_t n = read_some(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0) throw system_error(errno, "read standard input");
    if (n == 0) {
        eof_ = true;
        return Fill::end;
    }
    end_ += static_cast<size_t>(n);
    return Fill::data;
}

RecordReader::Status RecordReader::next(std::string_view& record) {
    if (chunk_) {
        // A chunk over max_len is too long once more than max_len of it is
        // in: it need not be held whole to say so.
        while (end_ - begin_ < chunk_ && end_ - begin_ <= max_len_) {
            Fill f = fill();
            if (f == Fill::idle) return Status::idle;
            if (f == Fill::stopped) return Status::stopped;
            if (f == Fill::end) break;
        }
        size_t len = std::min(chunk_, end_ - begin_);
        if (len == 0) return Status::end;
        begin_ = scanned_ = begin_ + len;
        if (len > max_len_) {
            long_length_ = len;
            long_capped_ = len < chunk_ && !eof_;
            return Status::too_long;
        }
        record = std::string_view(buf_.data() + begin_ - len, len);
        return Status::record;
    }
    for (;;) {
        const char* base = buf_.data();
        const void* hit = std::memchr(base + scanned_, delim_, end_ - scanned_);
        if (hit) {
            size_t pos = static_cast<size_t>(static_cast<const char*>(hit) - base);
            size_t len = pos - begin_;
            if (len > max_len_) {
                long_length_ = len;
                long_capped_ = false;
                begin_ = scanned_ = pos + 1;
                return Status::too_long;
            }
            record = std::string_view(base + begin_, len);
            begin_ = scanned_ = pos + 1;
            return Status::record;
        }
        scanned_ = end_;
        if (end_ - begin_ > max_len_) {
            skip_long_record();
            return Status::too_long;
        }
        switch (fill()) {
            case Fill::data: continue;
            case Fill::idle: return Status::idle;
            case Fill::stopped: return Status::stopped;
            case Fill::end: break;
        }
        if (begin_ == end_) return Status::end;
        record = std::string_view(buf_.data() + begin_, end_ - begin_);
        begin_ = scanned_ = end_;
        return Status::record;
    }
}

bool RecordReader::next_buffered(std::string_view& record) {
    if (chunk_) {
        if (end_ - begin_ < chunk_ || chunk_ > max_len_) return false;  // next() reports a long one
        record = std::string_view(buf_.data() + begin_, chunk_);
        begin_ = scanned_ = begin_ + chunk_;
        return true;
    }
    const void* hit = std::memchr(buf_.data() + scanned_, delim_, end_ - scanned_);
    if (!hit) {
        scanned_ = end_;
        return false;
    }
    size_t pos = static_cast<size_t>(static_cast<const char*>(hit) - buf_.data());
    if (pos - begin_ > max_len_) return false;  // next() reports it
    record = std::string_view(buf_.data() + begin_, pos - begin_);
    begin_ = scanned_ = pos + 1;
    return true;
}

// The record is already over the limit: say so now, without reading the
// rest of it (an endless one such as /dev/zero, or 64 MiB into a 64 KiB
// queue, would cost its whole length for nothing). Its length is exact only
// if the input has ended.
void RecordReader::skip_long_record() {
    long_length_ = end_ - begin_;
    long_capped_ = !eof_;
    begin_ = scanned_ = end_;
}

Output::Output(int fd, std::string what, size_t capacity, const StopSignals* stop)
    : fd_(fd), what_(std::move(what)), buf_(capacity), stop_(stop) {}

Output::~Output() = default;

void Output::write_through(std::string_view data) {
    if (write_unless_stopped(fd_, data, stop_)) return;
    if (errno == EINTR) return;  // a stop signal: the tool is about to die of it
    if (errno == EPIPE) die_of_signal(SIGPIPE);
    throw system_error(errno, "write " + what_);
}

char* Output::reserve(size_t n) {
    if (buf_.size() - used_ < n) {
        flush();
        if (buf_.size() < n) buf_.resize(n);
    }
    return buf_.data() + used_;
}

void Output::write(std::string_view data) {
    if (buf_.size() - used_ < data.size()) {
        flush();
        if (data.size() >= buf_.size()) return write_through(data);
    }
    std::memcpy(buf_.data() + used_, data.data(), data.size());
    used_ += data.size();
}

void Output::flush() {
    if (used_ == 0) return;
    write_through(std::string_view(buf_.data(), used_));
    used_ = 0;
    if (flushed_) flushed_();
}

}  // namespace prockit
