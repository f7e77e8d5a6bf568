#include "pool_joblog.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "diag.h"
#include "owned_path.h"
#include "pool_options.h"
#include "progress_bar.h"

namespace prockit {

JoblogWriter::JoblogWriter(const PoolOptions& opt) : path_(opt.joblog) {
    if (opt.joblog.empty() || opt.dry_run) return;
    if (path_ == "-") {
        to_stdout_ = true;
        if (!write_all(STDOUT_FILENO, joblog_header())) {
            if (errno == EPIPE) die_of_signal(SIGPIPE);  // no job has started: quietly, as cat
            throw system_error(errno, "write joblog to standard output");
        }
        return;
    }
    bool append = opt.resume || opt.resume_failed || opt.retry_failed;
    fd_ = open_owned_file(path_, append, "--joblog");
    if (!append || ::lseek(fd_.get(), 0, SEEK_END) == 0) {
        if (!write_all(fd_.get(), joblog_header())) throw system_error(errno, "write joblog " + path_);
    }
}

void JoblogWriter::write(const JoblogRecord& r) {
    if (!fd_) return;
    if (!write_all(fd_.get(), joblog_line(r))) throw system_error(errno, "write joblog " + path_);
}

bool logged_as(const std::string& logged, const std::string& command, const JobInput& in) {
    if (logged == command) return true;
    for (const std::string& a : in.flat()) {
        std::string one = joblog_command(a);
        if (logged.find(one) == std::string::npos && logged.find(shell_quote(one)) == std::string::npos) return false;
    }
    return true;
}

ResumeLog::ResumeLog(const PoolOptions& opt) : resume_(opt.resume), path_(opt.joblog) {
    if (!opt.resume && !opt.resume_failed) return;
    std::ifstream in(path_, std::ios::binary);
    with_context(std::string(resume_ ? "--resume " : "--resume-failed ") + path_, [&] {
        std::string line;
        for (uint64_t number = 1; std::getline(in, line); ++number)
            if (auto e = parse_joblog_line(line, number))
                logged_[e->seq] = JoblogJob{e->succeeded, std::string(e->command)};
    });
}

// Jobs are matched by Seq alone, as GNU parallel matches them, so that a
// changed command applies to the jobs not yet run; but when the inputs have
// changed since (a glob that matches other files), the log's Seqs are other
// jobs, and that is said once.
bool ResumeLog::skip(const CommandTemplate& cmd, const JobInput& in, BarLine& bar) {
    auto logged = logged_.find(in.seq);
    if (logged == logged_.end()) return false;
    std::string command = said_mismatch_ ? "" : joblog_command(cmd.display(in));
    if (!said_mismatch_ && !logged_as(logged->second.command, command, in)) {
        said_mismatch_ = true;
        bar.before_line();
        warn("%s %s: the log's jobs no longer match the inputs (job %llu is now %s); they are matched by number, "
             "as in GNU parallel",
             resume_ ? "--resume" : "--resume-failed", path_.c_str(), in.seq, shell_quote(command).c_str());
    }
    bool succeeded = logged->second.succeeded;
    logged_.erase(logged);  // needed no more
    return resume_ || succeeded;
}

}  // namespace prockit
