// A named POSIX shared-memory segment that prockit laid out: it starts
// with a 64-bit magic number that the creator stores last, once the rest is
// initialised, so an opener never sees a half-made segment as valid.
//
// Built on Boost.Interprocess (shared_memory_object, mapped_region).
#pragma once

#include <boost/interprocess/mapped_region.hpp>
#include <boost/interprocess/shared_memory_object.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace prockit {

class SharedSegment {
public:
    // Creates "/NAME" of `size` bytes with exactly `mode`, zero-filled,
    // calls init(base) and then stores `magic`. Throws Error: "queue already
    // exists" (Exit::failure) if it exists, unless exist_ok, which opens it.
    static SharedSegment create(const std::string& name, size_t size, unsigned mode, uint64_t magic,
                                const std::function<void(void*)>& init, bool exist_ok,
                                const char* what = "queue");

    // Opens "/NAME" and checks its magic: Error(Exit::missing) if absent;
    // Error(Exit::failure, "... is not a prockit ...") for anything else,
    // waiting up to a second for a creator that has not finished.
    // `what` names the expected kind in that message.
    static SharedSegment open(const std::string& name, uint64_t magic, const char* what);

    // Removes "/NAME": Error(Exit::missing) if absent.
    static void remove(const std::string& name);

    // The first 8 bytes of "/NAME" (0 if unreadable), to tell kinds apart
    // when listing /dev/shm without mapping foreign segments.
    static uint64_t peek_magic(const std::string& name);
    // Names ("/NAME") of every shared-memory object on the system.
    static std::vector<std::string> list();

    void* base() const { return region_.get_address(); }
    size_t size() const { return region_.get_size(); }
    unsigned mode() const;
    unsigned uid() const;

private:
    SharedSegment(boost::interprocess::shared_memory_object shm, boost::interprocess::mapped_region region)
        : shm_(std::move(shm)), region_(std::move(region)) {}

    boost::interprocess::shared_memory_object shm_;
    boost::interprocess::mapped_region region_;
};

}  // namespace prockit
