// --memfree and --noswap (lib/pool_limits.h): a source that holds back its
// records while the machine lacks the memory or swaps.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "deadline.h"
#include "fd.h"
#include "job_sources.h"
#include "pool_limits.h"
#include "pool_options.h"

namespace prockit {

namespace {

// A /proc file's text ("" if it cannot be read: then nothing is held back).
std::string proc_text(const char* path) {
    Fd fd(retry_eintr([&] { return ::open(path, O_RDONLY | O_CLOEXEC); }));
    std::string text;
    if (fd) read_to_end(fd.get(), text);  // a read error keeps what came before it
    return text;
}

// The number after `key` at the start of a line of `text`, or -1.
long long field(std::string_view text, std::string_view key) {
    for (size_t at = 0; at < text.size();) {
        size_t nl = text.find('\n', at);
        std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
        at = nl == std::string_view::npos ? text.size() : nl + 1;
        if (line.substr(0, key.size()) != key) continue;
        std::string rest(line.substr(key.size()));
        char* end = nullptr;
        unsigned long long n = std::strtoull(rest.c_str(), &end, 10);
        if (end == rest.c_str()) return -1;
        return static_cast<long long>(std::min<unsigned long long>(n, 1ULL << 53));
    }
    return -1;
}

class GatedSource : public JobSource {
public:
    GatedSource(std::unique_ptr<JobSource> inner, const PoolOptions& opt)
        : inner_(std::move(inner)), memfree_(opt.memfree), noswap_(opt.noswap) {}

    Next next(std::vector<std::string>& args) override {
        if (held()) {
            wait_ms_ = wait_ms_ == 0 ? 10 : std::min(1000, wait_ms_ * 2);
            return Next::later;
        }
        wait_ms_ = 0;
        return inner_->next(args);
    }
    int poll_fd() const override { return wait_ms_ ? -1 : inner_->poll_fd(); }
    int poll_ms() const override { return wait_ms_ ? wait_ms_ : inner_->poll_ms(); }
    long long total() const override { return inner_->total(); }
    void finished(const std::vector<std::string>& args) override { inner_->finished(args); }
    unsigned long long joblog_seq() const override { return inner_->joblog_seq(); }

private:
    bool held() {
        if (memfree_ > 0) {
            unsigned long long free = memory_free(proc_text("/proc/meminfo"));
            if (free > 0 && free < memfree_) return true;
        }
        return noswap_ && swapping();
    }
    // As vmstat's si * so over a second: both in and out.
    bool swapping() {
        double now = monotonic_seconds();
        if (sampled_at_ < 0 || now - sampled_at_ >= 1) {
            SwapCounts c = swap_counts(proc_text("/proc/vmstat"));
            swapping_ = sampled_at_ >= 0 && c.in > last_.in && c.out > last_.out;
            last_ = c;
            sampled_at_ = now;
        }
        return swapping_;
    }

    std::unique_ptr<JobSource> inner_;
    unsigned long long memfree_;
    bool noswap_;
    int wait_ms_ = 0;
    double sampled_at_ = -1;
    SwapCounts last_;
    bool swapping_ = false;
};

}  // namespace

unsigned long long memory_free(std::string_view meminfo) {
    unsigned long long kb = 0;
    for (std::string_view key : {"MemFree:", "Buffers:", "Cached:", "SwapCached:"})
        if (long long n = field(meminfo, key); n > 0) kb += static_cast<unsigned long long>(n);
    return kb * 1024;
}

SwapCounts swap_counts(std::string_view vmstat) {
    long long in = field(vmstat, "pswpin "), out = field(vmstat, "pswpout ");
    return {static_cast<unsigned long long>(std::max(0LL, in)), static_cast<unsigned long long>(std::max(0LL, out))};
}

unsigned long long MemoryGuard::read_free() { return memory_free(proc_text("/proc/meminfo")); }

std::unique_ptr<JobSource> gated_source(std::unique_ptr<JobSource> inner, const PoolOptions& opt) {
    if (opt.memfree == 0 && !opt.noswap) return inner;
    return std::make_unique<GatedSource>(std::move(inner), opt);
}

}  // namespace prockit
