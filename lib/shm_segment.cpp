#include "shm_segment.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "diag.h"

namespace prockit {

namespace {
// The mappings of segments, for the SIGBUS handler: a fixed table it can
// read without locks or allocation. A slot is filled (line first, then its
// range, released) before the mapping is used, and emptied before it is
// unmapped.
struct FaultSlot {
    std::atomic<uintptr_t> begin{0}, end{0};
    char line[512];
    size_t length = 0;
};
constexpr size_t kFaultSlots = 32;
FaultSlot g_fault_slots[kFaultSlots];

void on_sigbus(int sig, siginfo_t* info, void*) {
    auto at = reinterpret_cast<uintptr_t>(info->si_addr);
    for (FaultSlot& s : g_fault_slots) {
        uintptr_t begin = s.begin.load(std::memory_order_acquire);
        if (begin != 0 && at >= begin && at < s.end.load(std::memory_order_acquire)) {
            ssize_t ignored = ::write(STDERR_FILENO, s.line, s.length);
            (void)ignored;
            ::_exit(code(Exit::failure));
        }
    }
    // Not ours: die of it, as without a handler.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

void watch_faults(void* addr, size_t len, const std::string& object, const char* when_cut) {
    static bool installed = [] {
        struct sigaction sa{};
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        return ::sigaction(SIGBUS, &sa, nullptr) == 0;
    }();
    if (!installed) return;
    std::string context = Context::text();  // what the tool is doing: "get shm:/q"
    std::string line = std::string(program_name()) + ": " + (context.empty() ? object : context) + ": " + when_cut + "\n";
    for (FaultSlot& s : g_fault_slots) {
        uintptr_t free_slot = 0;
        if (!s.begin.compare_exchange_strong(free_slot, 1)) continue;  // 1: being filled
        s.length = std::min(line.size(), sizeof s.line);
        std::memcpy(s.line, line.data(), s.length);
        s.end.store(reinterpret_cast<uintptr_t>(addr) + len, std::memory_order_release);
        s.begin.store(reinterpret_cast<uintptr_t>(addr), std::memory_order_release);
        return;
    }
}

void unwatch_faults(void* addr) {
    for (FaultSlot& s : g_fault_slots)
        if (s.begin.load() == reinterpret_cast<uintptr_t>(addr)) {
            s.end.store(0);
            s.begin.store(0, std::memory_order_release);
        }
}
}  // namespace

Mapping& Mapping::operator=(Mapping&& o) noexcept {
    if (this != &o) {
        if (addr_) {
            unwatch_faults(addr_);
            ::munmap(addr_, len_);
        }
        addr_ = std::exchange(o.addr_, nullptr);
        len_ = std::exchange(o.len_, 0);
    }
    return *this;
}

Mapping::~Mapping() {
    if (addr_) {
        unwatch_faults(addr_);
        ::munmap(addr_, len_);
    }
}

SharedSegment::SharedSegment(std::string name, Fd fd, Mapping map, bool created, bool writable,
                             const char* when_cut)
    : name_(std::move(name)), fd_(std::move(fd)), map_(std::move(map)), created_(created), writable_(writable) {
    watch_faults(map_.get(), map_.size(), "/dev/shm" + name_, when_cut);
}

namespace {
void pause_1ms() { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }

// Why an object in /dev/shm could not be made: a full file system is named,
// for it is not the fault of what was to be kept there.
Error create_failure(int err, size_t size, const SegmentKind& kind) {
    if (err == ENOSPC)
        return Error(Exit::failure, "not enough room in /dev/shm for " + std::to_string(size) + " bytes");
    if (err == EEXIST) return Error(Exit::failure, std::string(kind.noun) + " already exists");
    return system_error(err, "create");
}

Mapping map(int fd, size_t size, bool writable) {
    void* p = ::mmap(nullptr, size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) throw system_error(errno, "map " + std::to_string(size) + " bytes");
    return Mapping(p, size);
}
}  // namespace

SharedSegment SharedSegment::create(const std::string& name, size_t size, unsigned mode, const SegmentKind& kind,
                                    const std::function<void(void*)>& init, bool exist_ok) {
    Fd fd(::shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) {
        int err = errno;
        if (err == EEXIST && exist_ok) return open(name, kind);
        throw create_failure(err, size, kind);
    }
    try {
        // The umask applied to shm_open's mode; the user asked for this one.
        if (::fchmod(fd.get(), static_cast<mode_t>(mode)) == -1) throw system_error(errno, "set mode");
        if (retry_eintr([&] { return ::ftruncate(fd.get(), static_cast<off_t>(size)); }) == -1)
            throw create_failure(errno, size, kind);
        // Reserve the pages now: a tmpfs that runs out of room later would
        // answer a write into the mapping with SIGBUS, not an error.
        if (int err = ::posix_fallocate(fd.get(), 0, static_cast<off_t>(size))) throw create_failure(err, size, kind);
        Mapping m = map(fd.get(), size, true);
        init(m.get());
        static_cast<std::atomic<uint64_t>*>(m.get())->store(kind.magic, std::memory_order_release);
        return SharedSegment(name, std::move(fd), std::move(m), true, true, kind.when_cut);
    } catch (...) {
        ::shm_unlink(name.c_str());  // never leave half a segment behind
        throw;
    }
}

SharedSegment SharedSegment::open(const std::string& name, const SegmentKind& kind, Access access) {
    const uint64_t magic = kind.magic;
    const std::string what = kind.noun;
    bool writable = access != Access::read_only;
    const int flags = O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC;
    Fd fd(::shm_open(name.c_str(), (writable ? O_RDWR : O_RDONLY) | flags, 0));
    if (!fd && errno == EACCES && access == Access::as_allowed) {
        writable = false;
        fd = Fd(::shm_open(name.c_str(), O_RDONLY | flags, 0));
    }
    if (!fd) {
        int err = errno;
        if (err == ENOENT) throw Error(Exit::missing, what + " does not exist");
        // A symbolic link (O_NOFOLLOW) or a directory planted at the name
        // fails the open with a reason that does not say what is there.
        struct stat st{};
        if (::lstat(("/dev/shm" + name).c_str(), &st) == 0 && !S_ISREG(st.st_mode))
            throw Error(Exit::failure, std::string("not a regular file (") + file_kind(st.st_mode) + ")");
        throw system_error(err, "open");
    }
    if (struct stat st = stat_of(fd.get()); !S_ISREG(st.st_mode))
        throw Error(Exit::failure, std::string("not a regular file (") + file_kind(st.st_mode) + ")");
    // A creator sizes, initialises and marks the segment in that order;
    // touching a mapping past its size would raise SIGBUS, so wait (a
    // second at most) for the size, then for the mark.
    auto size = [&] { return stat_of(fd.get()).st_size; };
    for (int i = 0; i < 1000 && size() < static_cast<off_t>(sizeof(uint64_t)); ++i) pause_1ms();
    off_t found_size = size();
    if (found_size < static_cast<off_t>(sizeof(uint64_t)))
        throw Error(Exit::failure, "not a prockit " + what + " (too small to be one)");
    Mapping m = map(fd.get(), static_cast<size_t>(found_size), writable);
    auto* mark = static_cast<std::atomic<uint64_t>*>(m.get());
    for (int i = 0; i < 1000 && mark->load(std::memory_order_acquire) == 0; ++i) pause_1ms();
    uint64_t found = mark->load(std::memory_order_acquire);
    if ((found & 0xFFFFFFFFFFFF) != (magic & 0xFFFFFFFFFFFF))
        throw Error(Exit::failure, "not a prockit " + what);
    if (found != magic)
        throw Error(Exit::failure, "made by another version of prockit (layout " + std::to_string(found >> 48) +
                                       "; this one reads layout " + std::to_string(magic >> 48) + ")");
    return SharedSegment(name, std::move(fd), std::move(m), false, writable, kind.when_cut);
}

void SharedSegment::remove(const std::string& name, const SegmentKind& kind) {
    if (::shm_unlink(name.c_str()) == -1) {
        if (errno == ENOENT) throw Error(Exit::missing, std::string(kind.noun) + " does not exist");
        throw system_error(errno);
    }
}

uint64_t SharedSegment::peek_magic(const std::string& name) {
    Fd fd(::shm_open(name.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0));
    uint64_t magic = 0;
    struct stat st{};
    if (!fd || ::fstat(fd.get(), &st) == -1 || !S_ISREG(st.st_mode)) return 0;
    if (::pread(fd.get(), &magic, sizeof magic, 0) != sizeof magic) magic = 0;
    return magic;
}

std::vector<std::string> SharedSegment::list() {
    std::vector<std::string> names;
    DIR* d = ::opendir("/dev/shm");
    if (!d) return names;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != ".." && e->d_type == DT_REG) names.push_back("/" + n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

unsigned SharedSegment::mode() const { return fd_ ? stat_of(fd_.get()).st_mode & 07777u : 0; }
unsigned SharedSegment::uid() const { return fd_ ? stat_of(fd_.get()).st_uid : 0; }
// An unlinked file of /dev/shm keeps its inode while mapped, with no link left.
bool SharedSegment::removed() const { return fd_ && stat_of(fd_.get()).st_nlink == 0; }

void SharedSegment::set_mode(unsigned mode) const {
    if (::fchmod(fd_.get(), static_cast<mode_t>(mode)) == -1) throw system_error(errno, "set the mode of /dev/shm" + name_);
}

unsigned SharedSegment::gid() const { return fd_ ? stat_of(fd_.get()).st_gid : 0; }

void SharedSegment::set_group(gid_t gid) const {
    if (::fchown(fd_.get(), static_cast<uid_t>(-1), gid) == -1)
        throw system_error(errno, "give /dev/shm" + name_ + " to group " + std::to_string(gid));
}

void SharedSegment::set_owner(uid_t uid, const char* whom) const {
    if (::fchown(fd_.get(), uid, static_cast<gid_t>(-1)) == -1)
        throw system_error(errno, "give /dev/shm" + name_ + " to " + whom);
}

}  // namespace prockit
