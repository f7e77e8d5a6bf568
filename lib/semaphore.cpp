// The slot directory of a semaphore and its locks (lib/semaphore.h).
#include "semaphore.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include "deadline.h"
#include "diag.h"
#include "owned_path.h"
#include "signals.h"

namespace prockit {

namespace {

const char kRoot[] = "/dev/shm";
const char kPrefix[] = "prockit-sem.";
constexpr size_t kMaxRecord = 1024;

bool plain_byte(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Whether the permission bits of `st` let us read and write, as the
// kernel would judge an unprivileged user (root is judged so too: it must
// not enter another user's private semaphore).
bool mode_lets_us_in(const struct stat& st, unsigned want) {
    if (st.st_uid == ::geteuid()) return true;
    unsigned bits = st.st_mode & 07;
    if (st.st_gid == ::getegid()) {
        bits = (st.st_mode >> 3) & 07;
    } else {
        gid_t groups[NGROUPS_MAX];
        int n = ::getgroups(NGROUPS_MAX, groups);
        for (int i = 0; i < n; ++i)
            if (groups[i] == st.st_gid) bits = (st.st_mode >> 3) & 07;
    }
    return (bits & want) == want;
}

// The directory's mode for slot files of `mode`: x for each class that may
// touch a slot, and the sticky bit once others than its owner may write.
mode_t dir_mode(unsigned mode) {
    mode_t m = 0;
    for (int shift : {6, 3, 0})
        if ((mode >> shift) & 06) m |= static_cast<mode_t>(07 << shift);
    if (mode & 022) m |= S_ISVTX;
    return m;
}

// The slot files' mode of a directory of mode `dir`: rw for each class
// that may enter it (dir_mode's inverse).
unsigned slot_mode(mode_t dir) {
    unsigned m = 0;
    for (int shift : {6, 3, 0})
        if ((dir >> shift) & 01) m |= 06u << shift;
    return m;
}

std::string octal(unsigned m) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", m);
    return buf;
}

void check_dir(const struct stat& st, const std::string& path) {
    if (!S_ISDIR(st.st_mode)) throw Error(Exit::failure, path + " is " + file_kind(st.st_mode) + ", not a semaphore");
    // Without the sticky bit anyone who may write the directory may unlink a
    // held slot file: the next taker makes a fresh one and two get in on -j 1.
    check_sticky_if_shared(st, path, "not a semaphore");
    if (!mode_lets_us_in(st, 07))
        throw Error(Exit::failure, "belongs to uid " + std::to_string(st.st_uid) + " and its mode " +
                                       octal(st.st_mode & 07777) + " does not let others in");
}

// An open file description lock (F_OFD_SETLK) on the whole slot: like
// flock(2) it belongs to the open file, is inherited across fork and exec
// and is dropped when its last descriptor closes; unlike flock, another
// process can see it without taking it (F_OFD_GETLK), which --wait and
// --status do. /proc/locks would not do: it hides a lock whose taker has
// exited, as every pool-run of the background mode has.
bool try_lock(int fd, unsigned index) {
    struct flock fl{};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd, F_OFD_SETLK, &fl) == 0) return true;
    if (errno == EAGAIN || errno == EACCES || errno == EINTR) return false;
    throw system_error(errno, "lock slot." + std::to_string(index));
}

bool locked(int fd) {
    struct flock fl{};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd, F_OFD_GETLK, &fl) != 0) throw system_error(errno, "fcntl F_OFD_GETLK");
    return fl.l_type != F_UNLCK;
}

void drain(int fd) {
    alignas(inotify_event) char buf[4096];
    while (read_some(fd, buf, sizeof buf) > 0) {
    }
}

}  // namespace

std::string semaphore_dir_name(std::string_view id) {
    if (id.empty()) throw Error(Exit::usage, "--id: empty semaphore name");
    std::string name = kPrefix;
    for (char c : id) {
        if (plain_byte(static_cast<unsigned char>(c))) {
            name += c;
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
            name += hex;
        }
    }
    if (name.size() > NAME_MAX) throw Error(Exit::usage, "--id: semaphore name too long");
    return name;
}

std::optional<std::string> semaphore_id_of(std::string_view name) {
    if (name.substr(0, sizeof kPrefix - 1) != kPrefix || name.size() == sizeof kPrefix - 1) return std::nullopt;
    std::string id;
    for (size_t i = sizeof kPrefix - 1; i < name.size(); ++i) {
        if (name[i] != '%') {
            if (!plain_byte(static_cast<unsigned char>(name[i]))) return std::nullopt;
            id += name[i];
            continue;
        }
        if (i + 2 >= name.size()) return std::nullopt;
        int hi = hex_value(name[i + 1]), lo = hex_value(name[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        id += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return id;
}

std::string holder_record(pid_t pid, long long start_ms, std::string_view command) {
    // At most kMaxRecord, all of which the reader takes.
    return std::to_string(pid) + " " + std::to_string(start_ms) + " " + std::string(command.substr(0, kMaxRecord - 64)) + "\n";
}

std::optional<Holder> parse_holder(std::string_view text) {
    text = text.substr(0, kMaxRecord);
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    Holder h;
    auto number = [&](long long max, long long& out) {
        size_t i = 0;
        long long v = 0;
        // 18 digits at most: v stays far from overflow, whatever the file holds.
        for (; i < text.size() && i < 18 && text[i] >= '0' && text[i] <= '9'; ++i) v = v * 10 + (text[i] - '0');
        if (i == 0 || i >= text.size() || text[i] != ' ' || v > max) return false;
        out = v;
        text.remove_prefix(i + 1);
        return true;
    };
    long long pid = 0;
    if (!number(INT_MAX, pid) || pid == 0 || !number(LLONG_MAX / 10, h.start_ms)) return std::nullopt;
    h.pid = static_cast<pid_t>(pid);
    h.command = text;
    return h;
}

std::optional<SemaphoreDir> SemaphoreDir::open(const std::string& id, bool make, unsigned mode) {
    std::string name = semaphore_dir_name(id), path = std::string(kRoot) + "/" + name;
    Context c("semaphore " + id);
    Fd root(retry_eintr([&] { return ::open(kRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC); }));
    if (!root) throw system_error(errno, std::string("open ") + kRoot);
    bool made = make && ::mkdirat(root.get(), name.c_str(), 0700) == 0;
    if (make && !made && errno != EEXIST) throw system_error(errno, "mkdir " + path);
    // O_PATH: a directory we may not read is still fstat'ed, and refused in our words.
    Fd dir(retry_eintr([&] { return ::openat(root.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC); }));
    if (!dir) {
        if (errno == ENOENT && !make) return std::nullopt;
        if (errno == ELOOP || errno == ENOTDIR) throw Error(Exit::failure, path + " is not a directory: not a semaphore");
        throw system_error(errno, "open " + path);
    }
    struct stat st = stat_of(dir.get());
    // Through /proc: fchmod refuses an O_PATH descriptor; the umask cut mkdir's mode.
    std::string self = "/proc/self/fd/" + std::to_string(dir.get());
    if (made && st.st_uid == ::geteuid() && ::chmod(self.c_str(), dir_mode(mode)) != 0) throw system_error(errno, "chmod " + path);
    check_dir(st, path);
    return SemaphoreDir(id, std::move(dir), slot_mode(made ? dir_mode(mode) : st.st_mode));
}

// Opens slot `index` read-write, made with the semaphore's mode if missing
// (the directory's, whoever made it: not this caller's --semaphore-mode).
Fd SemaphoreDir::open_slot(unsigned index) const {
    std::string name = "slot." + std::to_string(index);
    const int flags = O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
    Fd fd(retry_eintr([&] { return ::openat(dir_.get(), name.c_str(), flags | O_CREAT | O_EXCL, mode_); }));
    bool made = bool(fd);
    if (!made && errno == EEXIST) fd = Fd(retry_eintr([&] { return ::openat(dir_.get(), name.c_str(), flags); }));
    if (!fd) throw system_error(errno, "open " + name);
    struct stat st = stat_of(fd.get());
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
        throw Error(Exit::failure, name + " is " + (S_ISREG(st.st_mode) ? "a hard link" : file_kind(st.st_mode)) + ", not a slot");
    if (made && ::fchmod(fd.get(), mode_) != 0) throw system_error(errno, "chmod " + name);  // the umask cut it
    if (!mode_lets_us_in(st, 06))
        throw Error(Exit::failure, name + " belongs to uid " + std::to_string(st.st_uid) + " and its mode " +
                                       octal(st.st_mode & 07777) + " does not let others in");
    return fd;
}

// The retries after an event (the lock drops just after it), then the
// steady look for a lost one, in ms.
static const int kRetryMs[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000};
// Without a watch (watch_closes), a look every 100 ms at the most.
static int retry_ms(size_t step, const Fd& watch) { return watch ? kRetryMs[step] : std::min(kRetryMs[step], 100); }

// An inotify instance on the directory: IN_CLOSE of a slot file is a slot
// coming free (the last close of a holder's descriptor, death included).
// Past the user's inotify instances or watches (fs.inotify.max_user_*,
// 128 instances by default) or our descriptors, no watch: the caller then
// polls (an invalid Fd, which ppoll ignores), as GNU sem always does.
Fd SemaphoreDir::watch_closes() const {
    auto out_of = [](int e) { return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOSPC; };
    Fd watch(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!watch) {
        if (out_of(errno)) return Fd();
        throw system_error(errno, "inotify_init1");
    }
    std::string self = "/proc/self/fd/" + std::to_string(dir_.get());
    if (::inotify_add_watch(watch.get(), self.c_str(), IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) < 0) {
        if (out_of(errno)) return Fd();
        throw system_error(errno, "inotify_add_watch");
    }
    return watch;
}

Fd SemaphoreDir::acquire(unsigned slots, double timeout, const StopSignals& stop, unsigned& index) {
    Context c("semaphore " + id_);
    // No watch for the first try: closing an inotify instance waits out an
    // SRCU grace period in the kernel (about 10 ms), which a call that
    // finds a slot free at once would pay for nothing. The watch is made
    // after a first try that found none, and all are tried again before
    // the first wait, so that a slot freed in between is not missed.
    std::optional<Fd> watch;
    // Opened (and made) only as far as the first free one: -j 0 (250) makes
    // one slot file per holder, not 250 for the first command.
    std::vector<Fd> fds;
    Deadline limit = timeout == 0 ? Deadline::never() : Deadline::after(timeout < 0 ? -timeout : timeout);
    size_t step = std::size(kRetryMs) - 1;
    for (;;) {
        for (unsigned i = 0; i < slots; ++i) {
            if (i == fds.size()) fds.push_back(open_slot(i));
            if (try_lock(fds[i].get(), i)) {
                index = i;
                return std::move(fds[i]);
            }
        }
        if (!watch) {
            watch = watch_closes();
            continue;
        }
        if (limit.expired()) {
            if (timeout < 0) throw Error(Exit::timed_out, "timed out: exiting");
            warn("timed out: running anyway");
            for (unsigned i = slots;; ++i) {  // a slot beyond -j, so that --status and --wait see it
                Fd extra = open_slot(i);
                if (try_lock(extra.get(), i)) {
                    index = i;
                    return extra;
                }
            }
        }
        int64_t left_ms = limit.is_never() ? INT64_MAX : limit.remaining_ns() / 1000000 + 1;
        Wait w = wait_fd(watch->get(), POLLIN, Deadline::after(static_cast<double>(std::min<int64_t>(retry_ms(step, *watch), left_ms)) / 1000), &stop);
        if (w == Wait::stopped) stop.die_of_signal();
        if (w == Wait::ready) {
            drain(watch->get());
            step = 0;
        } else if (step + 1 < std::size(kRetryMs)) {
            ++step;
        }
    }
}

// The slot files now, without opening one (an open's close would wake
// every waiter). `dir` is a DIR kept open and rewound: reopening the
// directory fires IN_CLOSE on it too.
std::vector<unsigned> SemaphoreDir::slots(DIR* dir) const {
    std::vector<unsigned> v;
    ::rewinddir(dir);
    while (dirent* e = ::readdir(dir)) {
        const char* n = e->d_name;
        size_t digits = std::strlen(n + std::min<size_t>(5, std::strlen(n)));
        if (std::strncmp(n, "slot.", 5) != 0 || digits == 0 || digits > 6 || std::strspn(n + 5, "0123456789") != digits)
            continue;
        v.push_back(static_cast<unsigned>(std::strtoul(n + 5, nullptr, 10)));
    }
    std::sort(v.begin(), v.end());
    return v;
}

// A slot file opened to look at, read-only: none if it is not a regular file.
Fd SemaphoreDir::probe(unsigned index) const {
    std::string name = "slot." + std::to_string(index);
    Fd fd(retry_eintr([&] { return ::openat(dir_.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC); }));
    if (fd && !S_ISREG(stat_of(fd.get()).st_mode)) fd.reset();
    return fd;
}

SemaphoreDir::Listing SemaphoreDir::listing() const {
    int fd = ::openat(dir_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw system_error(errno, "open semaphore " + id_);
    Listing d(::fdopendir(fd), &::closedir);
    if (!d) {
        ::close(fd);
        throw system_error(errno, "open semaphore " + id_);
    }
    return d;
}

void SemaphoreDir::wait_idle(const StopSignals& stop) {
    Context c("semaphore " + id_);
    Listing dir = listing();
    Fd watch = watch_closes();
    // Kept open: closing a probe would wake us (and every waiter) again.
    std::map<unsigned, Fd> probes;
    auto any_held = [&] {
        for (unsigned i : slots(dir.get())) {
            auto it = probes.find(i);
            if (it == probes.end()) it = probes.emplace(i, probe(i)).first;
            if (it->second && locked(it->second.get())) return true;
        }
        return false;
    };
    size_t step = std::size(kRetryMs) - 1;
    while (any_held()) {
        Wait w = wait_fd(watch.get(), POLLIN, Deadline::after(retry_ms(step, watch) / 1000.0), &stop);
        if (w == Wait::stopped) stop.die_of_signal();
        if (w == Wait::ready) {
            drain(watch.get());
            step = 0;
        } else if (step + 1 < std::size(kRetryMs)) {
            ++step;
        }
    }
}

std::vector<std::pair<unsigned, Holder>> SemaphoreDir::holders() const {
    std::vector<std::pair<unsigned, Holder>> v;
    Listing dir = listing();
    for (unsigned i : slots(dir.get())) {
        Fd fd = probe(i);
        if (!fd || !locked(fd.get())) continue;
        char buf[kMaxRecord];
        ssize_t n = retry_eintr([&] { return ::pread(fd.get(), buf, sizeof buf, 0); });
        Holder h;
        if (n > 0) h = parse_holder(std::string_view(buf, static_cast<size_t>(n))).value_or(Holder{});
        v.emplace_back(i, h);
    }
    return v;
}

}  // namespace prockit
