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
        throw Error(Exit::failure, "--tmpl: '" + path + "' is " + file_kind(st.st_mode) + ", not a file");
    std::string text;
    if (!read_to_end(fd.get(), text)) throw system_error(errno, "--tmpl: read '" + path + "'");
    return text;
}

constexpr int max_links = 40;  // the kernel's MAXSYMLINKS

Fd open_path(int at, const char* path, int flags) {
    Fd fd(retry_eintr([&] { return ::openat(at, path, flags | O_PATH | O_CLOEXEC); }));
    return fd;
}

Fd walk(Fd dir, const std::string& path, const std::string& name, int& links) {
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string::npos) end = path.size();
        const std::string part = path.substr(pos, end - pos);
        pos = end + 1;
        if (part.empty() || part == ".") continue;
        Fd next = open_path(dir.get(), part.c_str(), O_NOFOLLOW);
        if (!next) throw system_error(errno, "--tmpl: write '" + name + "'");
        struct stat st = stat_of(next.get());
        if (S_ISDIR(st.st_mode)) {
            dir = std::move(next);
            continue;
        }
        if (!S_ISLNK(st.st_mode)) throw system_error(ENOTDIR, "--tmpl: write '" + name + "'");
        if (st.st_uid != ::geteuid() && st.st_uid != 0)
            throw Error(Exit::failure, "--tmpl: write '" + name + "': '" + part + "' is a symbolic link of uid " +
                                           std::to_string(st.st_uid) + ": not followed");
        if (++links > max_links) throw system_error(ELOOP, "--tmpl: write '" + name + "'");
        char target[4096];
        const ssize_t n = ::readlinkat(next.get(), "", target, sizeof target);
        if (n < 0 || static_cast<size_t>(n) >= sizeof target) throw system_error(n < 0 ? errno : ENAMETOOLONG, "--tmpl: write '" + name + "'");
        const std::string to(target, static_cast<size_t>(n));
        Fd base = to[0] == '/' ? open_path(AT_FDCWD, "/", O_DIRECTORY) : open_path(dir.get(), ".", O_DIRECTORY);
        if (!base) throw system_error(errno, "--tmpl: write '" + name + "'");
        dir = walk(std::move(base), to, name, links);
    }
    return dir;
}

// The directory NAME is in, opened by walking its components from / or
// the working directory without following a symbolic link another user
// made: O_NOFOLLOW guards only the last component, and a link in a sticky
// /tmp (or a directory of theirs) would send the write, and --cleanup's
// unlink, anywhere. Our own links and root's are followed, read with
// readlinkat on the link itself and walked by the same rule, so no other
// user can swap what is resolved.
Fd open_dir_of(const std::string& name, std::string& leaf) {
    const size_t slash = name.rfind('/');
    leaf = slash == std::string::npos ? name : name.substr(slash + 1);
    if (leaf.empty() || leaf == "." || leaf == "..") throw system_error(EISDIR, "--tmpl: write '" + name + "'");
    const bool absolute = !name.empty() && name[0] == '/';
    Fd start = open_path(AT_FDCWD, absolute ? "/" : ".", O_DIRECTORY);
    if (!start) throw system_error(errno, "--tmpl: write '" + name + "'");
    int links = 0;
    return walk(std::move(start), slash == std::string::npos ? std::string() : name.substr(0, slash), name, links);
}

void write_filled(const std::string& name, const std::string& text) {
    std::string leaf;
    const Fd dir = open_dir_of(name, leaf);
    // O_NONBLOCK: a FIFO put there fails at once (ENXIO) instead of waiting for a reader.
    Fd fd(retry_eintr([&] {
        return ::openat(dir.get(), leaf.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
    }));
    if (!fd && errno == ELOOP) throw Error(Exit::failure, "--tmpl: '" + name + "' is a symbolic link: not written through");
    if (!fd && errno == ENXIO) throw Error(Exit::failure, "--tmpl: '" + name + "' is a FIFO, not a file");
    if (!fd) throw system_error(errno, "--tmpl: write '" + name + "'");
    struct stat st = stat_of(fd.get());
    if (!S_ISREG(st.st_mode))
        throw Error(Exit::failure, "--tmpl: '" + name + "' is " + file_kind(st.st_mode) + ", not a file");
    if (st.st_uid != ::geteuid())
        throw Error(Exit::failure, "--tmpl: write '" + name + "': owned by uid " + std::to_string(st.st_uid) + ", not ours");
    if (::ftruncate(fd.get(), 0) != 0 || !write_all(fd.get(), text))
        throw system_error(errno, "--tmpl: write '" + name + "'");
}

// Removes NAME only if it is still a file of ours, in the directory the same
// walk finds: --cleanup must not unlink through a link swapped in meanwhile.
void remove_filled(const std::string& name) {
    try {
        std::string leaf;
        const Fd dir = open_dir_of(name, leaf);
        struct stat st;
        if (::fstatat(dir.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            st.st_uid == ::geteuid())
            (void)::unlinkat(dir.get(), leaf.c_str(), 0);
    } catch (const Error&) {
        // Gone, or no longer ours to remove: nothing to clean.
    }
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
    for (const Template& t : templates_) remove_filled(t.name.expand(in, false));
}

}  // namespace prockit
