// What the pool does with its jobs' output: GNU parallel's grouping (a
// job's stdout as one block, then its stderr, when the job has finished),
// -k (in input order), --line-buffer (whole lines as they come), --tag (each
// line after the job's inputs), and -u (not through the pool at all).
//
// A job's grouped output waits in memory up to kInMemory per stream, then
// in an unlinked temporary file, so that a job printing gigabytes costs no
// memory. Writes to pool-run's own stdout and stderr let the stop signals
// in, and a reader that has gone away (EPIPE, or a pipe's reader seen to
// go: Sink::watch_reader) is remembered rather than fatal, so that the
// pool ends its jobs and removes its files before dying of SIGPIPE.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "fd.h"
#include "job_results.h"
#include "pool_options.h"
#include "progress_bar.h"
#include "replacement.h"
#include "signals.h"

namespace prockit {

inline constexpr size_t kInMemory = 256 * 1024;  // per stream of a job; beyond it, a file

// pool-run's own stdout or stderr.
class Sink {
public:
    Sink(int fd, const StopSignals& stop, BarLine& bar) : fd_(fd), stop_(stop), bar_(bar) {}
    void write(std::string_view data);
    bool broken() const { return broken_; }
    // A pipe's reader that goes away is seen when it goes (POLLERR on our
    // end wakes the loop), not at our next write, which may never come (-u,
    // jobs that say nothing): broken() from then on.
    void watch_reader(boost::asio::io_context& io);

private:
    int fd_;
    std::optional<boost::asio::posix::stream_descriptor> reader_;
    const StopSignals& stop_;
    BarLine& bar_;
    bool broken_ = false;
    bool closed_ = false;  // stderr closed (2>&-): as parallel, its writes are dropped
};

class Tagger;

// One output stream of one job: in memory up to kInMemory, then in a file.
class Capture {
public:
    void append(std::string_view data);
    uint64_t size() const { return size_; }
    // Writes it all, from the start.
    void emit(Tagger& out);
    // All of it, to a file; as a string (--results X.csv keeps it in memory, as parallel).
    void copy_to(int fd, const std::string& name);
    std::string contents();

private:
    static Fd open_spill();
    void write_file(std::string_view data);

    std::string mem_;
    Fd spill_;
    uint64_t size_ = 0;
};

// What is kept of one stream (stdout or stderr) of a job.
struct StreamOutput {
    Capture capture;           // grouped: all of it, until the job ends
    std::string partial;       // --line-buffer: an unfinished line, at most kInMemory
    bool at_line_start = true; // --line-buffer --tag: the next byte starts a line
    bool dropped = false;      // it could not be kept (an error of ours)
    bool ended = false;        // -k --line-buffer: it ended while kept
};

// What --results and --files need of a job that has ended.
struct JobFacts {
    JoblogRecord job;  // its command included
    JobInput input;
};

struct JobOutput {
    unsigned long long seq = 0;  // the job's, for -k --line-buffer
    StreamOutput out, err;
    std::string tag;   // --tag: the inputs and a tab
    bool cut = false;  // the job was ended by us on an error of ours: not whole, not written
    std::unique_ptr<JobFacts> facts;  // with --results or --files, once it has ended
    std::string joblog_line;  // `--joblog -`: written on stdout after the job's output
};

// Named apart from records.h's Output: two classes of one name in one
// program share their (implicit, inline) members' symbols, and the linker
// then ran records.cpp's ~Output on this one (a crash when the pool's
// constructor threw).
class PoolOutput {
public:
    // Standard output's reader is watched in `io` (Sink::watch_reader).
    PoolOutput(const PoolOptions& opt, const StopSignals& stop, BarLine& bar, boost::asio::io_context& io);
    Sink& out() { return out_; }
    Sink& err() { return err_; }
    bool broken() const { return out_.broken() || err_.broken(); }
    // --results or --files: the job's output goes to files, which need its facts.
    bool to_files() const { return files_ || !results_.empty(); }

    // Output of a job as it is read: kept until the job ends, or with
    // --line-buffer written a line at a time (`last`: the stream ended).
    // If it cannot be kept (no space for the file it waits in, no memory),
    // the rest of this stream is dropped and the error returned: the run
    // then ends as on SIGTERM, exiting 255.
    std::exception_ptr take(JobOutput& job, bool is_out, std::string_view data, bool last = false);
    // A finished job's output: written now, or with -k when its turn comes.
    void finished(unsigned long long seq, JobOutput& job);
    // A job with nothing to write (done in an earlier run): its turn passes.
    void skipped(unsigned long long seq);

private:
    void write_lines(StreamOutput& s, bool is_out, const std::string& tag, std::string_view data, bool last);
    void release(JobOutput& job);
    void release_output(JobOutput& job);
    void release_ready();
    void write_files(JobOutput& job);
    void write_results(JobOutput& job);
    void flush_kept(JobOutput& job, bool done);
    void write_record(JobOutput& job);

    bool keep_order_, grouped_, line_buffer_;
    bool files_;                  // --files
    std::string results_;         // --results NAME
    ResultsKind results_kind_ = ResultsKind::dir;
    std::shared_ptr<const Expansion> results_template_;
    std::vector<std::string> header_;
    Fd records_;                  // --results X.csv: the file (-.csv: standard output)
    bool header_written_ = false;
    Sink out_, err_;
    // -k: the finished jobs waiting for their turn (null: nothing to write).
    std::map<unsigned long long, std::unique_ptr<JobOutput>> waiting_;
    unsigned long long next_ = 1;
};

}  // namespace prockit
