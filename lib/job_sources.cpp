#include "job_sources.h"

#include <fcntl.h>
#include <poll.h>

#include <climits>
#include <map>

#include "deadline.h"
#include "diag.h"
#include "fd.h"
#include "joblog.h"
#include "queue.h"

namespace prockit {

namespace {
constexpr size_t kChunk = 64 * 1024;

class RecordsSource final : public JobSource {
public:
    RecordsSource(int fd, char delim) : fd_(fd), delim_(delim) {}
    Next next(std::vector<std::string>& args) override {
        for (;;) {
            size_t at = buf_.find(delim_, scanned_);
            if (at != std::string::npos) {
                args.assign(1, buf_.substr(0, at));
                buf_.erase(0, at + 1);
                scanned_ = 0;
                return Next::job;
            }
            scanned_ = buf_.size();
            if (eof_) {
                if (buf_.empty()) return Next::end;
                args.assign(1, std::move(buf_));
                buf_.clear();
                return Next::job;
            }
            // Read only when poll said so (or the input is a file): never block here.
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 0) == 0) return Next::later;
            char chunk[kChunk];
            ssize_t n = read_some(fd_, chunk, sizeof chunk);
            if (n < 0) throw system_error(errno, "read the input");
            if (n == 0) eof_ = true;
            buf_.append(chunk, static_cast<size_t>(n));
        }
    }
    int poll_fd() const override { return fd_; }

private:
    int fd_;
    char delim_;
    std::string buf_;
    size_t scanned_ = 0;
    bool eof_ = false;
};

class ProductSource final : public JobSource {
public:
    explicit ProductSource(std::vector<std::vector<std::string>> groups) : groups_(std::move(groups)), at_(groups_.size()) {
        // An empty group makes no jobs, however large the others.
        total_ = groups_.empty() ? 0 : 1;
        for (auto& g : groups_)
            if (g.empty()) total_ = 0;
        for (auto& g : groups_)
            if (total_ && __builtin_mul_overflow(total_, static_cast<long long>(g.size()), &total_))
                throw Error(Exit::usage, "the input sources make more than " + std::to_string(LLONG_MAX) +
                                             " jobs (" + std::to_string(groups_.size()) + " groups)");
    }
    Next next(std::vector<std::string>& args) override {
        if (given_ >= total_) return Next::end;
        args.clear();
        for (size_t i = 0; i < groups_.size(); ++i) args.push_back(groups_[i][at_[i]]);
        // The last group varies fastest, as in GNU parallel.
        for (size_t i = groups_.size(); i-- > 0;) {
            if (++at_[i] < groups_[i].size()) break;
            at_[i] = 0;
        }
        ++given_;
        return Next::job;
    }
    long long total() const override { return total_; }

private:
    std::vector<std::vector<std::string>> groups_;
    std::vector<size_t> at_;
    long long total_, given_ = 0;
};

class QueueSource final : public JobSource {
public:
    QueueSource(std::unique_ptr<Queue> q, double idle_s)
        : q_(std::move(q)), idle_s_(idle_s), buf_(q_->max_message()),
          recovers_(q_->keeps_taken()) {}
    Next next(std::vector<std::string>& args) override {
        return with_context("--from " + q_->endpoint().str(), [&] { return take(args); });
    }
    int poll_ms() const override { return 10; }
    // The job made from a message finished: the message's task is done.
    void finished(const std::vector<std::string>& args) override {
        with_context("--from " + q_->endpoint().str(), [&] { q_->done_with(args.at(0)); });
    }

private:
    Next take(std::vector<std::string>& args) {
        if (ended_) return Next::end;
        size_t len = 0;
        unsigned prio = 0;
        if (!q_->try_receive(buf_.data(), len, prio)) {
            double now = monotonic_seconds();
            if (now < next_check_) return idle(now);
            next_check_ = now + 1;
            // Idle, once a second: a queue removed (shq rm) ends the run as
            // it ends shq get (an mq: queue once kept us waiting forever).
            if (q_->removed()) throw Error(Exit::missing, kRemovedWhileWaiting);
            if (recovers_) {
                // Take back what dead consumers of this machine left
                // unfinished (a worker killed with SIGKILL), to run it here.
                // Only the dead (-1: no age asked): every live consumer,
                // this one included, is still running what it took.
                // (Said in next()'s Context: "--from QUEUE: recovered ...".)
                for (const Recovered& r : q_->recover(-1))
                    warn("recovered %llu unfinished messages of consumer %s (%s)",
                         static_cast<unsigned long long>(r.messages), r.consumer.c_str(), r.why.c_str());
            }
            return idle(now);
        }
        last_ = monotonic_seconds();
        if (is_end_of_stream(buf_.data(), len)) {
            ended_ = true;
            return Next::end;
        }
        args.assign(1, std::string(buf_.data(), len));
        return Next::job;
    }

    // Nothing came: the end after --idle seconds of it, else later.
    Next idle(double now) const { return idle_s_ > 0 && now - last_ >= idle_s_ ? Next::end : Next::later; }

    std::unique_ptr<Queue> q_;
    double idle_s_;
    std::vector<char> buf_;
    double last_ = monotonic_seconds();
    bool ended_ = false;
    bool recovers_;
    double next_check_ = 0;
};

// --retry-failed: the log's failed commands, read whole before any job
// runs (the jobs append to the same file).
class JoblogFailedSource final : public JobSource {
public:
    explicit JoblogFailedSource(const std::string& path) {
        std::string text;
        Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) throw system_error(errno, "--retry-failed " + path);
        char chunk[kChunk];
        for (ssize_t n; (n = read_some(fd.get(), chunk, sizeof chunk)) != 0;) {
            if (n < 0) throw system_error(errno, "--retry-failed " + path);
            text.append(chunk, static_cast<size_t>(n));
        }
        with_context("--retry-failed " + path, [&] {
            for (auto& [seq, job] : parse_joblog(text))
                if (!job.succeeded) failed_.emplace(seq, std::move(job.command));
        });
        at_ = failed_.begin();
    }
    Next next(std::vector<std::string>& args) override {
        if (at_ == failed_.end()) return Next::end;
        seq_ = at_->first;
        args.assign(1, std::move(at_->second));
        ++at_;
        return Next::job;
    }
    long long total() const override { return static_cast<long long>(failed_.size()); }
    unsigned long long joblog_seq() const override { return seq_; }

private:
    std::map<uint64_t, std::string> failed_;
    std::map<uint64_t, std::string>::iterator at_;
    unsigned long long seq_ = 0;
};

}  // namespace

std::unique_ptr<JobSource> joblog_failed_source(const std::string& joblog) {
    return std::make_unique<JoblogFailedSource>(joblog);
}
std::unique_ptr<JobSource> records_source(int fd, char delim) { return std::make_unique<RecordsSource>(fd, delim); }
std::unique_ptr<JobSource> product_source(std::vector<std::vector<std::string>> groups) {
    return std::make_unique<ProductSource>(std::move(groups));
}
std::unique_ptr<JobSource> queue_source(std::unique_ptr<Queue> q, double idle_s) {
    return std::make_unique<QueueSource>(std::move(q), idle_s);
}

}  // namespace prockit
