#include "input_files.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "columns.h"
#include "diag.h"

namespace prockit {

InputFile::InputFile(const std::string& path) : name_(path == "-" ? "standard input" : path) {
    if (path == "-") {
        if (stdin_taken_) throw Error(Exit::usage, "standard input ('-') can be read only once");
        stdin_taken_ = true;
        return;
    }
    owned_ = Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st;
    if (owned_ && ::fstat(owned_.get(), &st) == 0 && S_ISDIR(st.st_mode)) {
        owned_ = Fd();
        errno = EISDIR;
    }
    if (!owned_) throw system_error(errno, "read " + path);
}

std::vector<std::string> read_records(const std::string& path, const std::string& delim) {
    InputFile in(path);
    std::vector<std::string> lines;
    std::string buf;
    char chunk[64 * 1024];
    for (ssize_t n; (n = read_some(in.fd(), chunk, sizeof chunk)) != 0;) {
        if (n < 0) throw system_error(errno, "read " + in.name());
        // A delimiter may straddle two chunks: search again from its first possible byte.
        size_t start = 0, from = buf.size() >= delim.size() ? buf.size() - delim.size() + 1 : 0;
        buf.append(chunk, static_cast<size_t>(n));
        for (size_t at; (at = buf.find(delim, std::max(start, from))) != std::string::npos; start = at + delim.size())
            lines.push_back(buf.substr(start, at - start));
        buf.erase(0, start);
    }
    if (!buf.empty()) lines.push_back(std::move(buf));
    return lines;
}

void read_groups(RunArgs& a) {
    for (InputGroup& g : a.groups)
        if (g.from_file) g.args = read_records(g.file, a.delim);
}

std::optional<std::string> read_first_record(int fd, const std::string& delim, std::string& rest) {
    char chunk[64 * 1024];
    for (;;) {
        if (size_t at = rest.find(delim); at != std::string::npos) {
            std::string first = rest.substr(0, at);
            rest.erase(0, at + delim.size());
            return first;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, -1) < 0 && errno != EINTR) throw system_error(errno, "read the input");
        ssize_t n = read_some(fd, chunk, sizeof chunk);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n < 0) throw system_error(errno, "read the input");
        if (n == 0) break;
        rest.append(chunk, static_cast<size_t>(n));
    }
    if (rest.empty()) return std::nullopt;
    return std::exchange(rest, std::string());
}

void skip_first_line(int fd) {
    // A byte a read, as parallel: what follows the line is left for the blocks.
    for (char c = 0; c != '\n';) {
        ssize_t n = retry_eintr([&] { return ::read(fd, &c, 1); });
        if (n < 0 && errno == EAGAIN) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, -1) < 0 && errno != EINTR) throw system_error(errno, "read the input");
            continue;
        }
        if (n < 0) throw system_error(errno, "read the input");
        if (n == 0) break;
    }
}

LineRules line_rules(const RunArgs& a) {
    LineRules r;
    r.delim = a.delim;
    if (a.eof && !a.eof->empty()) r.eof = a.eof;
    r.skip_blank = a.skip_blank;
    r.csv = a.csv;
    r.continue_lines = a.continue_lines;
    return r;
}

}  // namespace prockit
