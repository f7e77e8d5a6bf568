#include "proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <utility>

#include "diag.h"
#include "fd.h"

namespace prockit {

namespace {

// Reads a small /proc file whole into buf; the length, or -1 if it is gone.
ssize_t read_small(int dirfd, const char* path, char* buf, size_t cap) {
    Fd fd(retry_eintr([&] { return openat(dirfd, path, O_RDONLY | O_CLOEXEC); }));
    if (!fd) return -1;
    size_t used = 0;
    while (used < cap) {
        ssize_t n = read_some(fd.get(), buf + used, cap - used);
        if (n < 0) return -1;  // ESRCH: it exited while we read
        if (n == 0) break;
        used += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(used);
}

// The next space-separated field of `s` as a decimal number of at most
// `max`, advancing s. The kernel writes these fields, but the text is
// checked as if anyone had: digits only, and no overflow.
bool next_number(std::string_view& s, uint64_t max, uint64_t& value) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    if (s.empty() || s.front() < '0' || s.front() > '9') return false;
    uint64_t v = 0;
    while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
        auto digit = static_cast<uint64_t>(s.front() - '0');
        if (v > (max - digit) / 10) return false;
        v = v * 10 + digit;
        s.remove_prefix(1);
    }
    if (!s.empty() && s.front() != ' ') return false;
    value = v;
    return true;
}

// The same for a pid (and a parent or group id, which may be 0).
bool next_pid(std::string_view& s, pid_t& pid) {
    uint64_t v = 0;
    if (!next_number(s, std::numeric_limits<pid_t>::max(), v)) return false;
    pid = static_cast<pid_t>(v);
    return true;
}

bool skip_field(std::string_view& s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    if (s.empty()) return false;
    size_t end = s.find(' ');
    s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    return true;
}

int proc_dir() {
    static int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw system_error(errno, "open /proc");
    return fd;
}

}  // namespace

bool parse_stat(std::string_view text, ProcStat& out) {
    // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt
    // majflt cmajflt utime stime cutime cstime priority nice num_threads
    // itrealvalue starttime ...
    size_t open = text.find(" (");
    size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open + 2) return false;
    std::string_view head = text.substr(0, open);
    if (!next_pid(head, out.pid) || !head.empty()) return false;
    out.comm.assign(text.substr(open + 2, close - open - 2));
    std::string_view s = text.substr(close + 1);
    s = s.substr(0, s.find('\n'));  // one line; the name alone may hold a newline
    // " S ": the state is one letter (R S D Z T t X I ...) between spaces.
    if (s.size() < 3 || s[0] != ' ' || s[2] != ' ' || !((s[1] >= 'A' && s[1] <= 'Z') || (s[1] >= 'a' && s[1] <= 'z')))
        return false;
    out.state = s[1];
    s.remove_prefix(2);
    if (!next_pid(s, out.ppid) || !next_pid(s, out.pgid)) return false;
    for (int field = 6; field < 22; ++field)
        if (!skip_field(s)) return false;
    return next_number(s, UINT64_MAX, out.start_ticks);
}

bool read_stat(pid_t pid, ProcStat& out) {
    char path[32], buf[1024];
    std::snprintf(path, sizeof path, "%d/stat", static_cast<int>(pid));
    ssize_t n = read_small(proc_dir(), path, buf, sizeof buf);
    return n > 0 && parse_stat(std::string_view(buf, static_cast<size_t>(n)), out);
}

char process_state(pid_t pid) {
    ProcStat st;
    return read_stat(pid, st) ? st.state : 0;
}

pid_t parent_of(pid_t pid) {
    ProcStat st;
    return read_stat(pid, st) ? st.ppid : 0;
}

bool is_zombie(pid_t pid) { return process_state(pid) == 'Z'; }

bool is_gone(pid_t pid, pid_t ppid) { return process_state(pid) == 0 || parent_of(pid) != ppid; }

std::string describe_process(pid_t pid) {
    ProcStat st;
    if (!read_stat(pid, st)) return "pid " + std::to_string(pid);
    return "pid " + std::to_string(pid) + " (" + st.comm + ")";
}

std::string read_command(pid_t pid, std::string_view comm) {
    char path[32];
    std::snprintf(path, sizeof path, "%d/cmdline", static_cast<int>(pid));
    std::string text(4096, '\0');
    ssize_t n = read_small(proc_dir(), path, text.data(), text.size());
    if (n < 0) return {};
    text.resize(static_cast<size_t>(n));
    while (!text.empty() && text.back() == '\0') text.pop_back();
    if (text.empty()) return "[" + std::string(comm) + "]";
    for (char& c : text)
        if (c == '\0') c = ' ';
    return text;
}

void scan_processes(const std::function<void(const ProcStat&)>& f) {
    // Our own descriptor on /proc, so that the scan's position is ours.
    Fd dir(retry_eintr([] { return openat(proc_dir(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); }));
    if (!dir) throw system_error(errno, "open /proc");
    alignas(8) char entries[32768];
    char path[32], buf[1024];
    ProcStat st;
    for (;;) {
        long n = syscall(SYS_getdents64, dir.get(), entries, sizeof entries);
        if (n < 0) throw system_error(errno, "read /proc");
        if (n == 0) break;
        for (long at = 0; at < n;) {
            struct Entry {
                ino64_t ino;
                off64_t off;
                unsigned short reclen;
                unsigned char type;
                char name[1];
            };
            const auto* e = reinterpret_cast<const Entry*>(entries + at);
            at += e->reclen;
            if (e->name[0] < '1' || e->name[0] > '9') continue;
            std::snprintf(path, sizeof path, "%s/stat", e->name);
            ssize_t len = read_small(dir.get(), path, buf, sizeof buf);
            if (len > 0 && parse_stat(std::string_view(buf, static_cast<size_t>(len)), st)) f(st);
        }
    }
}

std::vector<pid_t> descendants(pid_t root, const std::vector<ProcStat>& all) {
    std::unordered_multimap<pid_t, pid_t> children;
    for (const ProcStat& p : all) children.emplace(p.ppid, p.pid);
    std::vector<pid_t> found;
    std::vector<pid_t> todo{root};
    while (!todo.empty()) {
        pid_t parent = todo.back();
        todo.pop_back();
        auto [begin, end] = children.equal_range(parent);
        for (auto it = begin; it != end; ++it) {
            // pid 0 is the parent of init and of kthreadd: never a descendant.
            if (it->second == root || it->second == 0) continue;
            found.push_back(it->second);
            todo.push_back(it->second);
        }
    }
    return found;
}

std::vector<Zombie> find_zombies(pid_t under) {
    std::vector<ProcStat> all;
    std::vector<Zombie> zombies;
    scan_processes([&](const ProcStat& p) {
        if (under) all.push_back(p);
        if (p.state == 'Z') zombies.push_back(Zombie{p, {}, {}, 0});
    });
    if (under) {
        std::vector<pid_t> below = descendants(under, all);
        std::sort(below.begin(), below.end());
        std::erase_if(zombies, [&](const Zombie& z) { return !std::binary_search(below.begin(), below.end(), z.proc.pid); });
    }
    std::sort(zombies.begin(), zombies.end(), [](const Zombie& a, const Zombie& b) { return a.proc.pid < b.proc.pid; });
    std::unordered_map<pid_t, unsigned> per_parent;
    for (const Zombie& z : zombies) ++per_parent[z.proc.ppid];
    std::unordered_map<pid_t, std::pair<std::string, std::string>> parents;  // name, command
    for (Zombie& z : zombies) {
        z.parent_zombies = per_parent[z.proc.ppid];
        auto [it, fresh] = parents.try_emplace(z.proc.ppid);
        if (fresh) {
            ProcStat parent;
            if (read_stat(z.proc.ppid, parent))
                it->second = {parent.comm, read_command(z.proc.ppid, parent.comm)};
        }
        z.parent_name = it->second.first;
        z.parent_command = it->second.second;
    }
    return zombies;
}

bool is_ancestor(pid_t ancestor, pid_t pid) {
    ProcStat st;
    for (int depth = 0; depth < 4096 && pid > 0; ++depth) {
        if (!read_stat(pid, st)) return false;
        if (st.ppid == ancestor) return true;
        pid = st.ppid;
    }
    return false;
}

}  // namespace prockit
