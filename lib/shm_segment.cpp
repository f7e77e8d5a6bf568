#include "shm_segment.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "diag.h"
#include "fd.h"

namespace prockit {

namespace bip = boost::interprocess;

namespace {
// Boost wants names without the leading slash.
const char* bare(const std::string& name) { return name.c_str() + 1; }

Error from_boost(const bip::interprocess_exception& e, const char* action) {
    int err = e.get_native_error();
    if (err == ENOENT) return Error(Exit::missing, "queue does not exist");
    if (err == EEXIST) return Error(Exit::failure, "queue already exists");
    if (err != 0) return system_error(err, action);
    return Error(Exit::failure, std::string(action) + ": " + e.what());
}

off_t segment_size(const bip::shared_memory_object& shm) {
    bip::offset_t size = 0;
    return shm.get_size(size) ? static_cast<off_t>(size) : 0;
}

void pause_1ms() { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }
}  // namespace

SharedSegment SharedSegment::create(const std::string& name, size_t size, unsigned mode, uint64_t magic,
                                    const std::function<void(void*)>& init, bool exist_ok, const char* what) {
    bip::shared_memory_object shm;
    try {
        // Boost applies the permissions with fchmod: the umask does not apply.
        shm = bip::shared_memory_object(bip::create_only, bare(name), bip::read_write, bip::permissions(mode));
    } catch (const bip::interprocess_exception& e) {
        if (e.get_native_error() == EEXIST && exist_ok) return open(name, magic, what);
        throw from_boost(e, "create");
    }
    try {
        shm.truncate(static_cast<bip::offset_t>(size));
        // Reserve the pages now: a tmpfs that runs out of room later would
        // answer a write into the mapping with SIGBUS, not an error.
        if (int err = ::posix_fallocate(shm.get_mapping_handle().handle, 0, static_cast<off_t>(size))) {
            bip::shared_memory_object::remove(bare(name));
            if (err == ENOSPC)
                throw Error(Exit::failure, "not enough room in /dev/shm for " + std::to_string(size) + " bytes");
            throw system_error(err, "reserve " + std::to_string(size) + " bytes");
        }
        bip::mapped_region region(shm, bip::read_write);
        init(region.get_address());
        static_cast<std::atomic<uint64_t>*>(region.get_address())->store(magic, std::memory_order_release);
        return SharedSegment(std::move(shm), std::move(region));
    } catch (const bip::interprocess_exception& e) {
        bip::shared_memory_object::remove(bare(name));
        throw from_boost(e, "create");
    }
}

SharedSegment SharedSegment::open(const std::string& name, uint64_t magic, const char* what) {
    try {
        bip::shared_memory_object shm(bip::open_only, bare(name), bip::read_write);
        // A creator sizes, initialises and marks the segment in that order;
        // touching a mapping past its size would raise SIGBUS, so wait (a
        // second at most) for the size, then for the mark.
        for (int i = 0; i < 1000 && segment_size(shm) < static_cast<off_t>(sizeof(uint64_t)); ++i) pause_1ms();
        if (segment_size(shm) < static_cast<off_t>(sizeof(uint64_t)))
            throw Error(Exit::failure, std::string("not a prockit ") + what + " (too small to be one)");
        bip::mapped_region region(shm, bip::read_write);
        auto* mark = static_cast<std::atomic<uint64_t>*>(region.get_address());
        for (int i = 0; i < 1000 && mark->load(std::memory_order_acquire) == 0; ++i) pause_1ms();
        uint64_t found = mark->load(std::memory_order_acquire);
        if ((found & 0xFFFFFFFFFFFF) != (magic & 0xFFFFFFFFFFFF))
            throw Error(Exit::failure, std::string("not a prockit ") + what);
        if (found != magic)
            throw Error(Exit::failure, "made by another version of prockit (layout " + std::to_string(found >> 48) +
                                           "; this one reads layout " + std::to_string(magic >> 48) + ")");
        return SharedSegment(std::move(shm), std::move(region));
    } catch (const bip::interprocess_exception& e) {
        throw from_boost(e, "open");
    }
}

void SharedSegment::remove(const std::string& name) {
    if (::shm_unlink(name.c_str()) == -1) {
        if (errno == ENOENT) throw Error(Exit::missing, "queue does not exist");
        throw system_error(errno);
    }
}

uint64_t SharedSegment::peek_magic(const std::string& name) {
    Fd fd(::shm_open(name.c_str(), O_RDONLY | O_CLOEXEC, 0));
    uint64_t magic = 0;
    if (fd && ::pread(fd.get(), &magic, sizeof magic, 0) != sizeof magic) magic = 0;
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

unsigned SharedSegment::mode() const {
    struct stat st{};
    ::fstat(shm_.get_mapping_handle().handle, &st);
    return st.st_mode & 07777u;
}

unsigned SharedSegment::uid() const {
    struct stat st{};
    ::fstat(shm_.get_mapping_handle().handle, &st);
    return st.st_uid;
}

}  // namespace prockit
