#include "job_sources.h"

#include <fcntl.h>
#include <poll.h>

#include <algorithm>
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
    RecordsSource(int fd, LineFilter filter, std::string rest)
        : fd_(fd), filter_(std::move(filter)), delim_(filter_.delim()), buf_(std::move(rest)) {}
    Next next(std::vector<std::string>& args) override {
        for (;;) {
            if (filter_.ended()) return Next::end;
            std::optional<std::string> record = take_record();
            if (record) {
                if (auto arg = filter_.take(std::move(*record))) return give(args, std::move(*arg));
                continue;
            }
            if (eof_) {
                if (auto arg = filter_.finish()) return give(args, std::move(*arg));
                return Next::end;
            }
            // Read only when poll said so (or the input is a file): never block here.
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 0) == 0) return Next::later;
            char chunk[kChunk];
            ssize_t n = read_some(fd_, chunk, sizeof chunk);
            if (n < 0) throw system_error(errno, "read the input");
            if (n == 0) eof_ = true;
            buf_.erase(0, pos_);  // what was taken goes when more comes, not record by record
            scanned_ -= pos_;
            pos_ = 0;
            buf_.append(chunk, static_cast<size_t>(n));
        }
    }
    int poll_fd() const override { return fd_; }

private:
    static Next give(std::vector<std::string>& args, std::string arg) {
        args.assign(1, std::move(arg));
        return Next::job;
    }
    // The next whole record in the buffer (at the end of the input, what is left).
    std::optional<std::string> take_record() {
        size_t at = buf_.find(delim_, std::max(pos_, scanned_));
        if (at != std::string::npos) {
            std::string r = buf_.substr(pos_, at - pos_);
            pos_ = scanned_ = at + delim_.size();
            return r;
        }
        // A delimiter may yet end in the bytes to come: search again from its first possible byte.
        scanned_ = std::max(pos_, buf_.size() >= delim_.size() ? buf_.size() - delim_.size() + 1 : 0);
        if (!eof_ || pos_ == buf_.size()) return std::nullopt;
        std::string r = buf_.substr(pos_);
        pos_ = scanned_ = buf_.size();
        return r;
    }

    int fd_;
    LineFilter filter_;
    std::string delim_;
    std::string buf_;
    size_t pos_ = 0, scanned_ = 0;
    bool eof_ = false;
};

class CombinedSource final : public JobSource {
public:
    CombinedSource(std::vector<std::vector<std::string>> sources, const std::vector<bool>& linked, bool link_all)
        : sources_(std::move(sources)), dim_of_(sources_.size()) {
        for (size_t i = 0; i < sources_.size(); ++i) {
            bool joins = i > 0 && (link_all || (i < linked.size() && linked[i]));
            if (!joins) sizes_.push_back(sources_[i].size());
            dim_of_[i] = sizes_.size() - 1;
            size_t& size = sizes_.back();
            // Linked: as far as the shortest goes; --link: the longest, the others wrapping.
            size = link_all ? std::max(size, sources_[i].size()) : std::min(size, sources_[i].size());
        }
        at_.assign(sizes_.size(), 0);
        total_ = sizes_.empty() ? 0 : 1;
        for (auto& s : sources_)
            if (s.empty()) total_ = 0;  // an empty source makes no jobs, however large the others
        for (size_t n : sizes_)
            if (total_ && __builtin_mul_overflow(total_, static_cast<long long>(n), &total_))
                throw Error(Exit::usage, "the input sources make more than " + std::to_string(LLONG_MAX) +
                                             " jobs (" + std::to_string(sources_.size()) + " sources)");
    }
    Next next(std::vector<std::string>& args) override {
        if (given_ >= total_) return Next::end;
        args.clear();
        for (size_t i = 0; i < sources_.size(); ++i) args.push_back(sources_[i][at_[dim_of_[i]] % sources_[i].size()]);
        // The last source varies fastest, as in GNU parallel.
        for (size_t d = sizes_.size(); d-- > 0;) {
            if (++at_[d] < sizes_[d]) break;
            at_[d] = 0;
        }
        ++given_;
        return Next::job;
    }
    long long total() const override { return total_; }

private:
    std::vector<std::vector<std::string>> sources_;
    std::vector<size_t> dim_of_, sizes_, at_;  // sources moving together are one dimension
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
std::unique_ptr<JobSource> records_source(int fd, LineFilter filter, std::string rest) {
    return std::make_unique<RecordsSource>(fd, std::move(filter), std::move(rest));
}
std::unique_ptr<JobSource> combined_source(std::vector<std::vector<std::string>> sources, std::vector<bool> linked,
                                           bool link_all) {
    return std::make_unique<CombinedSource>(std::move(sources), linked, link_all);
}
std::unique_ptr<JobSource> queue_source(std::unique_ptr<Queue> q, double idle_s) {
    return std::make_unique<QueueSource>(std::move(q), idle_s);
}

}  // namespace prockit
