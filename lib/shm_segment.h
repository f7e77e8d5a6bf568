// A named POSIX shared-memory segment that prockit laid out: it starts
// with a 64-bit magic number that the creator stores last, once the rest is
// initialised, so an opener never sees a half-made segment as valid. What
// the segment holds is its caller's business: the caller names it (a
// SegmentKind) in the words its errors use.
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
// a fault inside one, writes a line prepared in advance when the segment
// was mapped ("TOOL: CONTEXT: " and the kind's when_cut; CONTEXT is the
// diag Context then, "get shm:/q", or else the object, /dev/shm/NAME) with
// write(2) and ends the tool with _exit(4); any other SIGBUS keeps its
// default action. The tool still
// stops there: what the other user cut off cannot be read.
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

// What a caller keeps in a segment: its mark, and the words of the errors
// about it.
struct SegmentKind {
    // The first 8 bytes: 48 bits that say what it is, then 16 bits of
    // layout version.
    uint64_t magic;
    // "queue": "not a prockit queue", "queue does not exist", "queue
    // already exists".
    const char* noun;
    // What the line of a SIGBUS inside the mapping says after the context.
    const char* when_cut;
};

class SharedSegment {
public:
    // as_allowed: read_write if we may, else read_only.
    enum class Access { read_only, read_write, as_allowed };

    SharedSegment() = default;

    // Creates "/NAME" of `size` bytes with exactly `mode`, zero-filled,
    // calls init(base) and then stores kind.magic. Throws Error: "NOUN
    // already exists" (Exit::failure) if it exists, unless exist_ok, which
    // opens it (then created() is false). A full /dev/shm is named in the
    // error.
    static SharedSegment create(const std::string& name, size_t size, unsigned mode, const SegmentKind& kind,
                                const std::function<void(void*)>& init, bool exist_ok);

    // Opens "/NAME" and checks its magic: Error(Exit::missing, "NOUN does
    // not exist") if absent; Error(Exit::failure, "not a prockit NOUN") for
    // anything else, waiting up to a second for a creator that has not
    // finished. read_only maps the segment without write access (writes to
    // it would fault).
    static SharedSegment open(const std::string& name, const SegmentKind& kind, Access access = Access::read_write);

    // Removes "/NAME": Error(Exit::missing, "NOUN does not exist") if absent.
    static void remove(const std::string& name, const SegmentKind& kind);

    // The first 8 bytes of "/NAME" (0 if unreadable or not a regular file),
    // to tell kinds apart when listing /dev/shm without mapping foreign
    // segments.
    static uint64_t peek_magic(const std::string& name);
    // Names ("/NAME") of every shared-memory object on the system.
    static std::vector<std::string> list();

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
    // user (fchown, root only): for a segment made on another's behalf.
    void set_mode(unsigned mode) const;
    // `whom` names the new owner in an error ("its queue's owner").
    void set_owner(uid_t uid, const char* whom) const;
    // The group (shq create -g): only root or a member of `gid` may give it.
    unsigned gid() const;
    void set_group(gid_t gid) const;

private:
    SharedSegment(std::string name, Fd fd, Mapping map, bool created, bool writable, const char* when_cut);

    std::string name_;
    Fd fd_;
    Mapping map_;
    bool created_ = false;
    bool writable_ = false;
};

}  // namespace prockit
