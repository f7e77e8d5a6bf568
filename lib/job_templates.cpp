#include "job_templates.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "diag.h"
#include "fd.h"

namespace prockit {

namespace {

std::string read_template(const std::string& path) {
    Fd fd(retry_eintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK); }));
    if (!fd) throw system_error(errno, "--tmpl: cannot open '" + path + "'");
    if (struct stat st = stat_of(fd.get()); !S_ISREG(st.st_mode))
        throw Error(Exit::failure, "--tmpl: '" + path + "' is a " + file_kind(st.st_mode) + ", not a file");
    std::string text;
    char buf[8192];
    for (ssize_t n; (n = read_some(fd.get(), buf, sizeof buf)) != 0;) {
        if (n < 0) throw system_error(errno, "--tmpl: read '" + path + "'");
        text.append(buf, static_cast<size_t>(n));
    }
    return text;
}

void write_filled(const std::string& name, const std::string& text) {
    // O_NONBLOCK: a FIFO put there fails at once (ENXIO) instead of waiting for a reader.
    Fd fd(retry_eintr([&] { return ::open(name.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666); }));
    if (!fd) throw system_error(errno, "--tmpl: write '" + name + "'");
    struct stat st = stat_of(fd.get());
    if (!S_ISREG(st.st_mode))
        throw Error(Exit::failure, "--tmpl: write '" + name + "': a " + file_kind(st.st_mode) + ", not a file");
    if (st.st_uid != ::geteuid())
        throw Error(Exit::failure, "--tmpl: write '" + name + "': owned by uid " + std::to_string(st.st_uid) + ", not ours");
    if (::ftruncate(fd.get(), 0) != 0 || !write_all(fd.get(), text))
        throw system_error(errno, "--tmpl: write '" + name + "'");
}

}  // namespace

JobTemplates::JobTemplates(const std::vector<std::pair<std::string, std::string>>& given, const ReplacementRules& rules,
                           bool cleanup)
    : cleanup_(cleanup) {
    for (const auto& [file, name] : given) templates_.push_back({Expansion(name, rules), Expansion(read_template(file), rules)});
}

void JobTemplates::fill(const JobInput& in) const {
    for (const Template& t : templates_) write_filled(t.name.expand(in, false), t.text.expand(in, false));
}

void JobTemplates::done(const JobInput& in) const {
    if (!cleanup_) return;
    for (const Template& t : templates_) (void)::unlink(t.name.expand(in, false).c_str());
}

}  // namespace prockit
