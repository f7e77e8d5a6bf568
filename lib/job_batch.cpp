#include "job_batch.h"

#include <unistd.h>

#include <algorithm>

#include "diag.h"
#include "text.h"

namespace prockit {

// parallel's Limits::Command::find_max and binary_find_max, with the shell's
// answer (is a line this long accepted?) that of Linux: an argument may be
// MAX_ARG_STRLEN bytes with its NUL. Its probe is `echo ccc...`, the path
// of echo ("/usr/bin/echo", 13 bytes) not counted in the argument.
unsigned long long max_line_length() {
    const long page = ::sysconf(_SC_PAGESIZE);
    const unsigned long long strlen_max = 32ULL * static_cast<unsigned long long>(page > 0 ? page : 4096);
    auto accepted = [&](unsigned long long len) { return len - 1 - 13 + 1 <= strlen_max; };
    unsigned long long len = 324, lower = 0;
    do {
        lower = len;
        len *= 16;
    } while (accepted(len));
    unsigned long long lo = lower, hi = len;
    while (!(lo == hi || lo + 1 == hi || static_cast<double>(lo) / static_cast<double>(hi) > 0.99)) {
        unsigned long long mid = (hi - lo) / 2 + lo;
        (accepted(mid) ? lo : hi) = mid;
    }
    return lo;
}

unsigned long long default_max_chars() { return (max_line_length() - 3000) / 2; }

JobBatch::JobBatch(JobSource& source, const Batch& opt, const CommandTemplate& cmd)
    : source_(source), cmd_(cmd), max_args_(opt.max_args), spread_(opt.spread), limit_length_(opt.limit_length),
      max_chars_(default_max_chars()) {
    if (opt.max_chars > max_chars_)
        warn("value for option -s should be < %llu", max_chars_);
    else if (opt.max_chars > 0)
        max_chars_ = opt.max_chars;
}

JobSource::Next JobBatch::next(JobInput& in, unsigned slots) {
    while (!ended_ && !ready(in)) {
        std::vector<std::string> r;
        JobSource::Next n = source_.next(r);
        if (n == JobSource::Next::later) return n;
        if (n == JobSource::Next::end) ended_ = true;
        else pending_.push_back(std::move(r));
    }
    if (pending_.empty()) return JobSource::Next::end;
    size_t count = take_count(in, slots);
    in.records.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.begin() + static_cast<long>(count)));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(count));
    fits_ = checked_ = 0;
    over_ = false;
    ++jobs_;
    taken_ += count;
    return JobSource::Next::job;
}

// Enough records for a job: its count (and one more before -m/-X's spread,
// which must know whether any follow), or a line known too long.
bool JobBatch::ready(const JobInput& in) {
    size_t n = pending_.size();
    if (max_args_ > 0 && n >= max_args_ + (spread_ && !spread_done_)) return true;
    if (!limit_length_ || n == 0 || n == checked_) return over_;
    if ((n & (n - 1)) == 0 || n == max_args_) {  // 1, 2, 4, 8...: a measure now and then
        checked_ = n;
        over_ = too_long(in, n);
        if (!over_) fits_ = n;
    }
    return over_;
}

size_t JobBatch::take_count(const JobInput& in, unsigned slots) {
    size_t count = max_args_ > 0 ? std::min<size_t>(max_args_, pending_.size()) : pending_.size();
    if (!limit_length_ && count == 1 && long_record(pending_.front()) && too_long(in, 1)) refuse(in);
    if (limit_length_ && count > fits_ && too_long(in, count)) {
        // The largest count whose line is short enough, between what fits and what does not.
        size_t lo = std::min(fits_, count - 1), hi = count;
        if (lo == 0) {
            if (too_long(in, 1)) refuse(in);
            lo = 1;
        }
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            (too_long(in, mid) ? hi : lo) = mid;
        }
        count = lo;
    }
    if (spread_ && !spread_done_ && ended_ && count == pending_.size()) {
        spread_done_ = true;
        if (count > 1) {
            max_args_ = (count + slots - 1) / std::max(slots, 1u);
            count = max_args_;
        }
    }
    return count;
}

// One record a job (no -n, -m, -X, -s): parallel's populate() still refuses a
// line that reaches the limit. Measured only for a record of a sixteenth of
// it or more, so that the usual short record costs no composition: a shorter
// one would have to be in the line sixteen times (or the template be as long
// as the limit) to reach it.
bool JobBatch::long_record(const std::vector<std::string>& record) const {
    unsigned long long bytes = 0;
    for (const std::string& f : record) bytes += f.size() + 1;
    return bytes >= max_chars_ / 16;
}

size_t JobBatch::line_length(const JobInput& in, size_t records) const {
    JobInput probe;
    probe.seq = in.seq;
    probe.slot = in.slot;
    // As the job's own line will have it: the Perl helper keeps the values computed here.
    if (long long t = total(); t >= 0) probe.total = static_cast<unsigned long long>(t);
    probe.records.assign(pending_.begin(), pending_.begin() + static_cast<long>(records));
    return cmd_.display(probe).size();
}

void JobBatch::refuse(const JobInput& in) const {
    std::string args;
    for (const std::string& f : pending_.front()) args += (args.empty() ? "" : " ") + f;
    if (args.size() > 50) args = args.substr(0, 50) + "...";
    throw Error(Exit::failure, "command line too long (" + std::to_string(line_length(in, 1)) + " >= " +
                                   std::to_string(max_chars_) + ") at input " + std::to_string(taken_ + 1) + ": " +
                                   escape_text(args));
}

long long JobBatch::total() const {
    long long records = source_.total();
    if (records < 0) return -1;
    unsigned long long per = std::max<unsigned long long>(max_args_, 1);
    unsigned long long left = static_cast<unsigned long long>(records) > taken_ ? records - taken_ : 0;
    return static_cast<long long>(jobs_ + (left + per - 1) / per);
}

}  // namespace prockit
