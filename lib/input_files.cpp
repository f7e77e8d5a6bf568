#include "input_files.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

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

std::vector<std::string> read_records(const std::string& path, char delim) {
    InputFile in(path);
    std::vector<std::string> lines;
    std::string buf;
    char chunk[64 * 1024];
    for (ssize_t n; (n = read_some(in.fd(), chunk, sizeof chunk)) != 0;) {
        if (n < 0) throw system_error(errno, "read " + in.name());
        buf.append(chunk, static_cast<size_t>(n));
        size_t start = 0;
        for (size_t at; (at = buf.find(delim, start)) != std::string::npos; start = at + 1)
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

}  // namespace prockit
