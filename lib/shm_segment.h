// A named POSIX shared-memory segment that prockit laid out: it starts
// with a 64-bit magic number that the creator stores last, once the rest is
// initialised, so an opener never sees a half-made segment as valid.
//
// /dev/shm is shared by every local user: whatever we open there may have
// been planted by another one. So an open never follows a symlink (glibc's
// shm_open adds O_NOFOLLOW) nor blocks on a FIFO (O_NONBLOCK), fstats what it
// got (a regular file, its owner and mode), and maps the size it found, not
// a size written inside. Callers check the owner where they expect their own.
//
// What it cannot prevent: a user who may write a segment may also truncate
// it, and a later access past the new end raises SIGBUS. So every segment
// mapped here is registered with one SIGBUS handler (SA_SIGINFO) that, for
// a fault inside one, writes a line prepared in advance
// ("shq: get shm:/q: the queue's shared memory was cut short by another
// process") with write(2) and ends the tool with _exit(4); any other SIGBUS
// keeps its default action. The tool still stops there: what the other
// user cut off cannot be read.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fd.h"

namespace prockit {

// An mmap'ed range, unmapped exactly once.
class Mapping {
public:
    Mapping() = default;
    Mapping(void* addr, size_t len) : addr_(addr), len_(len) {}
    Mapping(Mapping&& o) noexcept : addr_(std::exchange(o.addr_, nullptr)), len_(std::exchange(o.len_, 0)) {}
    Mapping& operator=(Mapping&& o) noexcept;
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping();

    void* get() const { return addr_; }
    size_t size() const { return len_; }

private:
    void* addr_ = nullptr;
    size_t len_ = 0;
};

class SharedSegment {
public:
    // as_allowed: read_write if we may, else read_only.
    enum class Access { read_only, read_write, as_allowed };

    SharedSegment() = default;

    // Creates "/NAME" of `size` bytes with exactly `mode`, zero-filled,
    // calls init(base) and then stores `magic`. Throws Error: "queue already
    // exists" (Exit::failure) if it exists, unless exist_ok, which opens it
    // (then created() is false). A full /dev/shm is named in the error.
    static SharedSegment create(const std::string& name, size_t size, unsigned mode, uint64_t magic,
                                const std::function<void(void*)>& init, bool exist_ok,
                                const char* what = "queue");

    // Opens "/NAME" and checks its magic: Error(Exit::missing) if absent;
    // Error(Exit::failure, "... is not a prockit ...") for anything else,
    // waiting up to a second for a creator that has not finished.
    // `what` names the expected kind in that message. read_only maps the
    // segment without write access (writes to it would fault).
    static SharedSegment open(const std::string& name, uint64_t magic, const char* what,
                              Access access = Access::read_write);

    // Removes "/NAME": Error(Exit::missing) if absent.
    static void remove(const std::string& name);

    // The first 8 bytes of "/NAME" (0 if unreadable or not a regular file),
    // to tell kinds apart when listing /dev/shm without mapping foreign
    // segments.
    static uint64_t peek_magic(const std::string& name);
    // Names ("/NAME") of every shared-memory object on the system.
    static std::vector<std::string> list();

    // What the tool is doing ("get shm:/q"), for the line the SIGBUS
    // handler writes; asked when a segment is mapped. Without it the line
    // names the object (/dev/shm/NAME).
    static void set_fault_context(std::string (*context)());

    void* base() const { return map_.get(); }
    size_t size() const { return map_.size(); }
    const std::string& name() const { return name_; }
    bool created() const { return created_; }
    bool writable() const { return writable_; }
    unsigned mode() const;
    unsigned uid() const;
    // True once the name no longer leads to this segment (shm_unlink): the
    // mapping lives on, but nobody who opens the name will see it again.
    bool removed() const;
    // Narrows the permissions (fchmod) and hands the segment to another
    // user (fchown, root only): for a companion made on a queue owner's behalf.
    void set_mode(unsigned mode) const;
    void set_owner(uid_t uid) const;
    // The group (shq create -g): only root or a member of `gid` may give it.
    unsigned gid() const;
    void set_group(gid_t gid) const;

private:
    SharedSegment(std::string name, Fd fd, Mapping map, bool created, bool writable);

    std::string name_;
    Fd fd_;
    Mapping map_;
    bool created_ = false;
    bool writable_ = false;
};

}  // namespace prockit
