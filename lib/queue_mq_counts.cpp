#include "queue_mq_counts.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "diag.h"
#include "queue_backend.h"

namespace prockit {

namespace {
// Gives a companion the queue's group where we may (root, or a member of
// it); one who may write the queue only as "other" keeps its own.
void give_group(const SharedSegment& s, gid_t gid) {
    try {
        s.set_group(gid);
    } catch (const Error&) {
    }
}

// "PKTASK" and the layout version in the top 16 bits. A companion cut short
// is the queue's memory to the user, who never named the companion.
constexpr SegmentKind kKind{0x4B5341544B50 | (uint64_t{1} << 48), "task counter segment",
                            "the queue's shared memory was cut short by another process"};

// "/prockit-mq.NAME", or a hash of NAME when that would pass NAME_MAX.
std::string companion_name(const std::string& mq_name) {
    std::string name = "/prockit-mq." + mq_name.substr(1);
    if (name.size() <= 255) return name;
    uint64_t h = 14695981039346656037ULL;  // FNV-1a
    for (unsigned char ch : mq_name) h = (h ^ ch) * 1099511628211ULL;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return "/prockit-mq.#" + std::string(hex);
}
}  // namespace

std::string CounterSegment::path(const std::string& mq_name) { return "/dev/shm" + companion_name(mq_name); }

unsigned CounterSegment::companion_mode(unsigned queue_mode) {
    unsigned mode = 0;
    for (int shift : {6, 3, 0}) {
        unsigned may = (queue_mode >> shift) & 06;  // read, write
        mode |= ((may ? 04u : 0u) | (may & 02u)) << shift;
    }
    return mode;
}

bool may_write_queue(const PosixMq::Owner& q, uid_t uid) {
    if (uid == q.uid || (q.mode & 02)) return true;
    if (!(q.mode & 020)) return false;
    const passwd* pw = getpwuid(uid);
    if (!pw) return false;
    int n = 64;
    std::vector<gid_t> groups(static_cast<size_t>(n));
    while (getgrouplist(pw->pw_name, pw->pw_gid, groups.data(), &n) == -1) groups.resize(static_cast<size_t>(n));
    return std::find(groups.begin(), groups.begin() + n, q.gid) != groups.begin() + n;
}

namespace {
// Whether this process may write the queue, by its own credentials: a
// supplementary group given by setpriv or newgrp counts, as the kernel's
// check counts it, though /etc/group does not list it.
bool i_may_write_queue(const PosixMq::Owner& q) {
    const uid_t me = ::geteuid();
    if (me == q.uid || (q.mode & 02)) return true;
    if (!(q.mode & 020)) return false;
    if (::getegid() == q.gid) return true;
    std::vector<gid_t> groups(static_cast<size_t>(std::max(::getgroups(0, nullptr), 0)));
    int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
    return n > 0 && std::find(groups.begin(), groups.begin() + n, q.gid) != groups.begin() + n;
}

// A companion is used only if it belongs to someone who may write the
// queue; its owner's tools keep its mode and group in step with the queue's.
// One of a group member who is not listed in /etc/group (setpriv, newgrp)
// proves the membership itself: only root or a member can give a file the
// queue's group.
SharedSegment checked(SharedSegment s, const std::string& mq_name, const PosixMq::Owner& q) {
    const uid_t owner = s.uid();
    const std::string whose = "the task counts " + CounterSegment::path(mq_name) + " belong to " + user_name(owner);
    const char* remedy = ": refused (their owner or root may remove them)";
    const bool group_member = (q.mode & 020) && s.gid() == q.gid;
    if (!group_member && !may_write_queue(q, owner))
        throw Error(Exit::failure, whose + ", who may not write the queue of " + user_name(q.uid) + remedy);
    const unsigned mode = CounterSegment::companion_mode(q.mode);
    if (s.writable() && ::geteuid() == owner && s.mode() != mode) s.set_mode(mode);
    if (s.writable() && ::geteuid() == owner && s.gid() != q.gid) give_group(s, q.gid);
    return s;
}

// Who may read the queue but not write it reads the counts, counts nothing.
// One that refuses us altogether is named: the queue itself did not.
SharedSegment check_size(SharedSegment s, const std::string& mq_name, size_t need) {
    if (s.size() < need)
        throw Error(Exit::failure, "the task counts " + CounterSegment::path(mq_name) + ": too small (" +
                                       std::to_string(s.size()) + " bytes; they take " + std::to_string(need) +
                                       ")");
    return s;
}

// A companion shorter than its layout (one planted with only the magic)
// would answer the first touch of a counter with SIGBUS: refused at open.
SharedSegment open_existing(const std::string& mq_name, size_t need) {
    SharedSegment s;
    try {
        s = SharedSegment::open(companion_name(mq_name), kKind, SharedSegment::Access::as_allowed);
    } catch (const Error& e) {
        if (e.status() == Exit::missing) throw;
        throw Error(e.status(), "the task counts " + CounterSegment::path(mq_name) + ": " + e.what());
    }
    return check_size(std::move(s), mq_name, need);
}
}  // namespace

CounterSegment CounterSegment::open(const std::string& mq_name, const PosixMq::Owner& q) {
    const std::string name = companion_name(mq_name);
    const uid_t me = ::geteuid();
    try {
        return CounterSegment(checked(open_existing(mq_name, sizeof(Layout)), mq_name, q));
    } catch (const Error& e) {
        if (e.status() != Exit::missing) throw;
    }
    if (me != 0 && !i_may_write_queue(q))
        throw Error(Exit::failure, "has no task counts yet (" + path(mq_name) +
                                       "), and only a user who may write the queue may make them");
    // The zero-filled counters are already right: nothing to initialise.
    SharedSegment s = SharedSegment::create(name, sizeof(Layout), companion_mode(q.mode), kKind, [](void*) {}, true);
    if (!s.created())  // another made them first
        return CounterSegment(checked(check_size(std::move(s), mq_name, sizeof(Layout)), mq_name, q));
    // Root makes them for the queue's owner, who must be able to use them;
    // they take the queue's group (create -g), for its members.
    if (me == 0 && q.uid != 0) s.set_owner(q.uid, "its queue's owner");
    if (s.gid() != q.gid) give_group(s, q.gid);
    return CounterSegment(std::move(s));
}

void CounterSegment::remove(const std::string& mq_name) {
    try {
        SharedSegment::remove(companion_name(mq_name), kKind);
    } catch (const Error&) {
        // A queue made by another program has no companion.
    }
}

}  // namespace prockit
