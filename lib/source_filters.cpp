// The job sources that rework another's records (job_sources.h): into
// columns (--colsep, --csv, --trim, -N 0), into a random order (--shuf),
// and counted before the first job ({##}, total_jobs()).
#include <map>
#include <random>

#include "columns.h"
#include "diag.h"
#include "job_sources.h"
#include "text.h"

namespace prockit {

namespace {

// Forwards what the pool asks of a source to the one it wraps.
class Wrapper : public JobSource {
public:
    explicit Wrapper(std::unique_ptr<JobSource> inner) : inner_(std::move(inner)) {}
    int poll_fd() const override { return inner_->poll_fd(); }
    int poll_ms() const override { return inner_->poll_ms(); }
    long long total() const override { return inner_->total(); }
    unsigned long long joblog_seq() const override { return inner_->joblog_seq(); }

protected:
    std::unique_ptr<JobSource> inner_;
};

class ColumnsSource final : public Wrapper {
public:
    ColumnsSource(std::unique_ptr<JobSource> inner, const ColumnRules& rules, bool no_args, bool map_back)
        : Wrapper(std::move(inner)), columns_(rules), no_args_(no_args), map_back_(map_back) {}
    Next next(std::vector<std::string>& args) override {
        std::vector<std::string> raw;
        Next n = inner_->next(raw);
        if (n != Next::job) return n;
        ++count_;
        if (no_args_) {
            args.clear();  // -N 0: the input is read, and none of it given
        } else {
            try {
                args = columns_.fields(raw);
            } catch (const Error& e) {
                throw Error(e.status(), "input " + std::to_string(count_) + ": " + e.message() + ": " +
                                            escape_text(raw.empty() ? std::string() : raw[0]));
            }
        }
        if (map_back_) taken_.emplace(args, std::move(raw));
        return Next::job;
    }
    void finished(const std::vector<std::string>& args) override {
        if (!map_back_) return inner_->finished(args);
        // Two records with the same columns run the same job: either one's raw record will do.
        auto it = taken_.find(args);
        if (it == taken_.end()) return;
        std::vector<std::string> raw = std::move(it->second);
        taken_.erase(it);
        inner_->finished(raw);
    }

private:
    Columns columns_;
    bool no_args_, map_back_;
    unsigned long long count_ = 0;
    std::multimap<std::vector<std::string>, std::vector<std::string>> taken_;
};

// Every record of `inner` read before the first is given, so that the
// total is known: GNU parallel's total_jobs() does the same (and so blocks)
// on first use, keeping the order; --shuf then shuffles them.
class ReadAllSource final : public Wrapper {
public:
    ReadAllSource(std::unique_ptr<JobSource> inner, bool shuffle) : Wrapper(std::move(inner)), shuffle_(shuffle) {}
    Next next(std::vector<std::string>& args) override {
        while (!read_all_) {
            std::vector<std::string> r;
            Next n = inner_->next(r);
            if (n == Next::later) return n;
            if (n == Next::end) {
                read_all_ = true;
                if (shuffle_) std::shuffle(records_.begin(), records_.end(), std::mt19937_64(std::random_device()()));
                break;
            }
            records_.push_back(std::move(r));
        }
        if (at_ == records_.size()) return Next::end;
        args = std::move(records_[at_++]);
        return Next::job;
    }
    void finished(const std::vector<std::string>& args) override { inner_->finished(args); }
    long long total() const override { return read_all_ ? static_cast<long long>(records_.size()) : inner_->total(); }

private:
    bool shuffle_;
    std::vector<std::vector<std::string>> records_;
    size_t at_ = 0;
    bool read_all_ = false;
};

}  // namespace

std::unique_ptr<JobSource> counted_source(std::unique_ptr<JobSource> inner) {
    return std::make_unique<ReadAllSource>(std::move(inner), false);
}

std::unique_ptr<JobSource> columns_source(std::unique_ptr<JobSource> inner, const ColumnRules& rules, bool no_args,
                                          bool map_back) {
    return std::make_unique<ColumnsSource>(std::move(inner), rules, no_args, map_back);
}

std::unique_ptr<JobSource> shuffled_source(std::unique_ptr<JobSource> inner) {
    return std::make_unique<ReadAllSource>(std::move(inner), true);
}

}  // namespace prockit
