#include "job_output.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "diag.h"
#include "owned_path.h"
#include "pool_options.h"

namespace prockit {

namespace {
constexpr size_t kChunk = 64 * 1024;
}  // namespace

// Writes let stop signals in; a reader that has gone away is remembered.
// After SIGHUP the running jobs finish, and what they write is written.
void Sink::write(std::string_view data) {
    if (data.empty()) return;
    bar_.before_write(fd_);
    bar_.wrote(fd_, data.back());
    if (broken_ || closed_ || write_unless_stopped(fd_, data, &stop_, SIGHUP)) return;
    if (errno == EPIPE) broken_ = true;
    else if (errno == EBADF && fd_ == STDERR_FILENO) closed_ = true;
    else if (errno != EINTR) throw system_error(errno, fd_ == STDOUT_FILENO ? "write standard output" : "write standard error");
}

// Only a pipe: a regular file or a terminal has no reader to lose (and
// epoll refuses a regular file). An epoll of its own watches our end for
// EPOLLERR (no reader left), and the loop watches that epoll: asio makes
// the descriptor it waits on non-blocking, which a duplicate would pass on
// to our standard output, and opening the pipe anew (/proc/self/fd) is
// refused on a pipe of another user's (run under sudo or setpriv). A
// failure (out of descriptors) leaves the going found at the next write.
void Sink::watch_reader(boost::asio::io_context& io) {
    struct stat st;
    if (::fstat(fd_, &st) != 0 || !S_ISFIFO(st.st_mode)) return;
    Fd ep(::epoll_create1(EPOLL_CLOEXEC));
    epoll_event ev{};
    ev.events = EPOLLERR;
    if (!ep || ::epoll_ctl(ep.get(), EPOLL_CTL_ADD, fd_, &ev) != 0) return;
    reader_.emplace(io, ep.release());
    reader_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (!ec) broken_ = true;
    });
}

// Writes lines to a Sink, each prefixed with `tag` when there is one: as
// GNU parallel, a carriage return starts a line too (a progress line a job
// redraws is tagged each time).
// `at_start` says whether the next byte starts a line; a caller that writes
// one line in several parts keeps it between them.
class Tagger {
public:
    Tagger(Sink& sink, const std::string& tag, bool* at_start = nullptr)
        : sink_(sink), tag_(tag), at_start_(at_start ? at_start : &own_) {}
    void write(std::string_view data) {
        if (tag_.empty()) return sink_.write(data);
        while (!data.empty()) {
            if (*at_start_) sink_.write(tag_);
            size_t nl = data.find_first_of("\r\n");
            size_t n = nl == std::string_view::npos ? data.size() : nl + 1;
            sink_.write(data.substr(0, n));
            *at_start_ = nl != std::string_view::npos;
            data.remove_prefix(n);
        }
    }

private:
    Sink& sink_;
    const std::string& tag_;
    bool own_ = true;
    bool* at_start_;
};

void Capture::append(std::string_view data) {
    size_ += data.size();
    if (!spill_ && mem_.size() + data.size() <= kInMemory) {
        mem_.append(data);
        return;
    }
    if (!spill_) {
        spill_ = open_spill();
        write_file(mem_);
        mem_.clear();
        mem_.shrink_to_fit();
    }
    write_file(data);
}

void Capture::emit(Tagger& out) {
    if (!spill_) return out.write(mem_);
    std::vector<char> buf(kChunk);
    ::lseek(spill_.get(), 0, SEEK_SET);
    for (ssize_t n; (n = read_some(spill_.get(), buf.data(), buf.size())) > 0;)
        out.write(std::string_view(buf.data(), static_cast<size_t>(n)));
}

void Capture::copy_to(int fd, const std::string& name) {
    if (!spill_) {
        if (!write_all(fd, mem_)) throw system_error(errno, "write " + name);
        return;
    }
    std::vector<char> buf(kChunk);
    ::lseek(spill_.get(), 0, SEEK_SET);
    for (ssize_t n; (n = read_some(spill_.get(), buf.data(), buf.size())) > 0;)
        if (!write_all(fd, std::string_view(buf.data(), static_cast<size_t>(n)))) throw system_error(errno, "write " + name);
}

std::string Capture::contents() {
    if (!spill_) return mem_;
    std::string all;
    std::vector<char> buf(kChunk);
    ::lseek(spill_.get(), 0, SEEK_SET);
    for (ssize_t n; (n = read_some(spill_.get(), buf.data(), buf.size())) > 0;) all.append(buf.data(), static_cast<size_t>(n));
    return all;
}

Fd Capture::open_spill() {
    std::string d = temp_dir();
    Fd fd(::open(d.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (fd) return fd;
    std::string path = d + "/pool-run.XXXXXX";
    fd = Fd(::mkostemp(path.data(), O_CLOEXEC));
    if (!fd) throw system_error(errno, "make a temporary file in " + d);
    ::unlink(path.c_str());
    return fd;
}

void Capture::write_file(std::string_view data) {
    if (!write_all(spill_.get(), data)) throw system_error(errno, "write a temporary file in " + temp_dir());
}

PoolOutput::PoolOutput(const PoolOptions& opt, const StopSignals& stop, BarLine& bar, boost::asio::io_context& io)
    : keep_order_(opt.keep_order), grouped_(!opt.ungroup && !opt.line_buffer), line_buffer_(opt.line_buffer),
      files_(opt.output.files && !opt.ungroup), results_(opt.ungroup ? "" : opt.output.results),
      results_template_(opt.output.results_template), header_(opt.output.header), out_(STDOUT_FILENO, stop, bar),
      err_(STDERR_FILENO, stop, bar) {
    out_.watch_reader(io);
    if (results_.empty()) return;
    results_kind_ = results_kind(results_);
    // As parallel: the jobs' output goes to the files, whatever else is asked.
    grouped_ = true;
    if (results_kind_ == ResultsKind::dir || results_[0] == '-') return;
    records_ = open_owned_file(results_, false, "--results");
}

std::exception_ptr PoolOutput::take(JobOutput& job, bool is_out, std::string_view data, bool last) {
    StreamOutput& s = is_out ? job.out : job.err;
    if (s.dropped) return nullptr;
    try {
        if (!line_buffer_ || to_files() || (keep_order_ && job.seq != next_)) {
            // Grouped; or -k --line-buffer and not its turn yet: kept until it is.
            s.capture.append(data);
            s.ended = s.ended || last;
        } else {
            if (keep_order_) flush_kept(job, false);
            write_lines(s, is_out, job.tag, data, last);
        }
    } catch (const std::exception&) {
        s.dropped = true;
        return std::current_exception();
    }
    return nullptr;
}

// --line-buffer: whole lines as they come, in time linear in the output.
// An unfinished line waits, up to kInMemory; a longer one is written in
// parts as it comes, so that memory stays bounded (other jobs' lines may
// then come between its parts).
void PoolOutput::write_lines(StreamOutput& s, bool is_out, const std::string& tag, std::string_view data, bool last) {
    Tagger t(is_out ? out_ : err_, tag, &s.at_line_start);
    size_t end = last ? data.size() : data.rfind('\n');
    if (end == std::string_view::npos) {
        s.partial.append(data);
        if (s.partial.size() < kInMemory) return;
        end = 0;
        data = {};
    } else if (!last) {
        ++end;  // the newline
    }
    if (!s.partial.empty()) t.write(s.partial);
    t.write(data.substr(0, end));
    s.partial.assign(data.substr(end));
}

void PoolOutput::finished(unsigned long long seq, JobOutput& job) {
    if (!keep_order_) return release(job);
    waiting_[seq] = std::make_unique<JobOutput>(std::move(job));
    release_ready();
}

void PoolOutput::skipped(unsigned long long seq) {
    if (!keep_order_) return;
    waiting_[seq] = nullptr;
    release_ready();
}

// -k: writes the finished jobs whose turn it is.
void PoolOutput::release_ready() {
    for (auto it = waiting_.find(next_); it != waiting_.end(); it = waiting_.find(next_)) {
        // Out of waiting_ before it is written: a write that throws must
        // not leave it there to be written again by a later release.
        std::unique_ptr<JobOutput> job = std::move(it->second);
        waiting_.erase(it);
        ++next_;
        if (job) release(*job);
    }
}

// A finished job's output, then with `--joblog -` its joblog line, as
// GNU parallel orders them on stdout.
void PoolOutput::release(JobOutput& job) {
    release_output(job);
    if (!job.joblog_line.empty()) out_.write(job.joblog_line);
}

// Writes a finished job's output: stdout as one block, then stderr; or
// to the files of --results and --files.
void PoolOutput::release_output(JobOutput& job) {
    if (job.cut) return;
    if (to_files() && job.facts) {
        if (results_.empty()) return write_files(job);
        if (results_kind_ == ResultsKind::dir) return write_results(job);
        return write_record(job);
    }
    if (line_buffer_ && keep_order_) return flush_kept(job, true);
    if (!grouped_) return;
    // A stream that could not be kept whole is not written in part.
    Tagger o(out_, job.tag);
    if (!job.out.dropped) job.out.capture.emit(o);
    Tagger e(err_, job.tag);
    if (!job.err.dropped) job.err.capture.emit(e);
}

}  // namespace prockit

namespace prockit {

namespace {

// `name` in `dir` (`path` in messages), never through another user's link.
void write_file(int dir, const std::string& name, const std::string& path, Capture* c, std::string_view text = {}) {
    Fd fd = open_owned_file_at(dir, name, path, false, "--results");
    if (c) c->copy_to(fd.get(), path);
    else if (!write_all(fd.get(), text)) throw system_error(errno, "--results: write " + path);
}

}  // namespace

// --files: stdout in a file of its own, its name printed; stderr dropped, as parallel.
// A file whose name cannot be printed (the reader has gone) would be left
// behind in TMPDIR with nobody to know of it: none is made, or it goes.
void PoolOutput::write_files(JobOutput& job) {
    if (out_.broken()) return;
    int raw = -1;
    std::string name = make_par_file(raw);
    Fd fd(raw);
    if (!job.out.dropped) job.out.capture.copy_to(fd.get(), name);
    out_.write(job.tag + name + "\n");
    if (out_.broken()) ::unlink(name.c_str());
}

// --results DIR or TEMPLATE: seq, stdout and stderr files; the stdout
// file's name printed with --files or --line-buffer, as parallel prints it.
void PoolOutput::write_results(JobOutput& job) {
    const JobFacts& f = *job.facts;
    std::string out, err, seq;
    std::string name = results_template_ ? results_template_->expand(f.input, false)
                                         : results_ + "/" + results_subdir(f.input.records, header_) + "/";
    if (results_template_) check_results_name(results_, name);
    // The directory, then the files' names in it: DIR/.../ or NAME's.
    size_t slash = name.rfind('/');
    std::string dir = slash == std::string::npos ? "" : name.substr(0, slash == 0 ? 1 : slash);
    std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
    Fd d = open_owned_dir(dir, true, "--results");
    std::string prefix = name.substr(0, name.size() - base.size());
    if (base.empty()) out = "stdout", err = "stderr", seq = "seq";
    else out = base, err = base + ".err", seq = base + ".seq";
    write_file(d.get(), seq, prefix + seq, nullptr, std::to_string(f.job.seq));
    write_file(d.get(), out, prefix + out, job.out.dropped ? nullptr : &job.out.capture);
    write_file(d.get(), err, prefix + err, job.err.dropped ? nullptr : &job.err.capture);
    out = prefix + out;
    if (files_ || line_buffer_) out_.write(job.tag + out + "\n");
}

// --results X.csv, X.tsv, X.json: one record a job (-.csv: on stdout).
void PoolOutput::write_record(JobOutput& job) {
    ResultRow r{job.facts->job, job.facts->input.flat(), job.out.capture.contents(), job.err.capture.contents()};
    std::string text;
    char sep = results_kind_ == ResultsKind::tsv ? '\t' : ',';
    if (results_kind_ != ResultsKind::json && !header_written_) text = csv_header(r.values.size(), header_, sep);
    header_written_ = true;
    text += results_kind_ == ResultsKind::json ? json_line(r) : csv_line(r, sep);
    if (!records_) return out_.write(text);
    if (!write_all(records_.get(), text)) throw system_error(errno, "--results: write " + results_);
}

// -k --line-buffer, as GNU parallel: the job whose turn it is writes its
// lines as they come; the others keep theirs until their turn, then write
// what they kept (all of it when `done`: they have ended).
void PoolOutput::flush_kept(JobOutput& job, bool done) {
    for (bool is_out : {true, false}) {
        StreamOutput& s = is_out ? job.out : job.err;
        if (s.dropped || (s.capture.size() == 0 && !done)) continue;
        std::string kept = s.capture.contents();
        s.capture = Capture();
        write_lines(s, is_out, job.tag, kept, done || s.ended);
    }
}

}  // namespace prockit
