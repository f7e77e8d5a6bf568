#include "owned_path.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "diag.h"

namespace prockit {

namespace {

bool ours(uid_t uid) { return uid == ::geteuid() || uid == 0; }

Error not_ours(const std::string& what, const std::string& path, const char* kind, uid_t uid) {
    return Error(Exit::failure, what + ": " + path + " is a " + kind + " of another user (uid " + std::to_string(uid) +
                                    "): not written through");
}

// openat(dir, name) without following a link of another user: the entry is
// looked at first when O_NOFOLLOW refuses it. A link swapped in between is
// made by a user who can write `dir`, which check() then refused already
// (it is ours or root's; in a sticky /tmp only the link's owner can swap it).
int open_entry(int dir, const std::string& name, int flags, mode_t mode, const std::string& path, const std::string& what) {
    int fd;
    do fd = ::openat(dir, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
    while (fd < 0 && errno == EINTR);
    if (fd >= 0 || (errno != ELOOP && errno != ENOTDIR)) return fd;
    int err = errno;
    struct stat st{};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISLNK(st.st_mode)) return errno = err, -1;
    if (!ours(st.st_uid)) throw not_ours(what, path, "symbolic link", st.st_uid);
    do fd = ::openat(dir, name.c_str(), flags | O_CLOEXEC, mode);
    while (fd < 0 && errno == EINTR);
    return fd;
}

void check(int fd, const std::string& path, const std::string& what, bool dir) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) throw system_error(errno, what + ": " + path);
    if (dir && !S_ISDIR(st.st_mode)) throw Error(Exit::failure, what + ": " + path + " is not a directory");
    if (!dir && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
        throw Error(Exit::failure, what + ": " + path + " is not a file");
    if (!ours(st.st_uid)) throw not_ours(what, path, dir ? "directory" : "file", st.st_uid);
}

}  // namespace

Fd open_owned_dir(const std::string& path, bool make, const std::string& what) {
    Fd dir;
    size_t i = 0;
    if (!path.empty() && path[0] == '/') {
        dir = Fd(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir) throw system_error(errno, what + ": open /");
    }
    while (i < path.size()) {
        size_t end = path.find('/', i);
        if (end == std::string::npos) end = path.size();
        std::string name = path.substr(i, end - i), sofar = path.substr(0, end);
        i = end + 1;
        if (name.empty() || name == ".") continue;
        int at = dir ? dir.get() : AT_FDCWD;
        if (make && name != ".." && ::mkdirat(at, name.c_str(), 0777) != 0 && errno != EEXIST)
            throw system_error(errno, what + ": make " + sofar);
        Fd next(open_entry(at, name, O_RDONLY | O_DIRECTORY, 0, sofar, what));
        if (!next) throw system_error(errno, what + ": " + sofar);
        check(next.get(), sofar, what, true);
        dir = std::move(next);
    }
    if (!dir) {
        dir = Fd(::open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir) throw system_error(errno, what + ": open .");
    }
    return dir;
}

Fd open_owned_file_at(int dir, const std::string& name, const std::string& path, bool append, const std::string& what) {
    // No O_TRUNC: what is opened is looked at before anything is lost.
    Fd fd(open_entry(dir, name, O_WRONLY | O_CREAT | (append ? O_APPEND : 0), 0666, path, what));
    if (!fd) throw system_error(errno, what + ": open " + path);
    check(fd.get(), path, what, false);
    struct stat st{};
    if (!append && ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && ::ftruncate(fd.get(), 0) != 0)
        throw system_error(errno, what + ": empty " + path);
    return fd;
}

Fd open_owned_file(const std::string& path, bool append, const std::string& what) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return open_owned_file_at(AT_FDCWD, path, path, append, what);
    Fd dir = open_owned_dir(slash == 0 ? "/" : path.substr(0, slash), false, what);
    return open_owned_file_at(dir.get(), path.substr(slash + 1), path, append, what);
}

void check_sticky_if_shared(const struct stat& st, const std::string& named, const std::string& why) {
    if (!(st.st_mode & (S_IWGRP | S_IWOTH)) || (st.st_mode & S_ISVTX)) return;
    char mode[16];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw Error(Exit::failure, named + " has mode " + mode + ": writable by others without the sticky bit, " + why);
}

// A walk as realpath(3) takes, from / (or the working directory, itself
// reached from /) down, one name at a time, so that each directory is
// checked before anything in it is trusted, and each link where it is
// found (its own target then walked the same way).
void check_owned_chain(const std::string& path, const std::string& named, const std::string& why) {
    std::vector<std::string> todo;  // the names still to walk, the next last
    auto push_names = [&todo](const std::string& p) {
        for (size_t end = p.size(); end > 0;) {
            size_t slash = p.rfind('/', end - 1);
            size_t start = slash == std::string::npos ? 0 : slash + 1;
            if (end > start) todo.push_back(p.substr(start, end - start));
            if (slash == std::string::npos) break;
            end = slash;
        }
    };
    push_names(path);
    if (path.empty() || path[0] != '/') {
        std::string cwd(PATH_MAX, '\0');
        if (!::getcwd(cwd.data(), cwd.size())) throw system_error(errno, named);
        push_names(cwd.c_str());
    }
    auto refuse_other = [&](const std::string& at, const struct stat& st) {
        // The directory at fault is named when it is not the one given.
        std::string who = at == path ? named : named + ": " + at;
        if (S_ISDIR(st.st_mode)) check_sticky_if_shared(st, who, why);
        // Its owner may rename anything in it, sticky bit or not; a link's
        // owner may replace it in a sticky directory.
        if (!ours(st.st_uid)) throw Error(Exit::failure, who + " belongs to uid " + std::to_string(st.st_uid) + ", " + why);
    };
    std::string at = "/";
    struct stat st{};
    if (::lstat("/", &st) != 0) throw system_error(errno, named);
    refuse_other(at, st);
    for (int links = 0; !todo.empty();) {
        std::string name = std::move(todo.back());
        todo.pop_back();
        if (name == ".") continue;
        if (name == "..") {  // of a directory reached from /: checked already
            at = at.substr(0, std::max<size_t>(1, at.rfind('/')));
            continue;
        }
        std::string next = at == "/" ? "/" + name : at + "/" + name;
        if (::lstat(next.c_str(), &st) != 0) throw system_error(errno, named);
        refuse_other(next, st);
        if (S_ISLNK(st.st_mode)) {
            if (++links > 40) throw system_error(ELOOP, named);
            std::string target(PATH_MAX, '\0');
            ssize_t n = ::readlink(next.c_str(), target.data(), target.size());
            if (n < 0) throw system_error(errno, named);
            target.resize(static_cast<size_t>(n));
            push_names(target);
            if (!target.empty() && target[0] == '/') at = "/";
            continue;
        }
        if (!S_ISDIR(st.st_mode)) throw system_error(ENOTDIR, named);
        at = std::move(next);
    }
}

std::string temp_dir() {
    const char* env = std::getenv("TMPDIR");
    return env && *env ? env : "/tmp";
}

std::string make_par_name(const char* what, const char* suffix, const std::function<bool(const std::string&)>& make) {
    std::string dir = temp_dir();
    static const char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    for (int attempt = 0; attempt < 100; ++attempt) {
        unsigned char r[5];
        if (getrandom(r, sizeof r, 0) != static_cast<ssize_t>(sizeof r)) throw system_error(errno, "getrandom");
        std::string name = dir + "/par";
        for (unsigned char c : r) name += kChars[c % (sizeof kChars - 1)];
        name += suffix;
        if (make(name)) return name;
        if (errno != EEXIST) throw system_error(errno, std::string(what) + ": make a file in " + dir);
    }
    throw Error(Exit::failure, std::string(what) + ": make a file in " + dir + ": every name tried exists");
}

}  // namespace prockit
