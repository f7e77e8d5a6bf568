#include "posix_mq.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <string>
#include <utility>

#include "diag.h"
#include "fd.h"

namespace prockit {

namespace {
const char kProc[] = "/proc/sys/fs/mqueue/";

long read_limit(const char* file, long fallback) {
    std::ifstream in(std::string(kProc) + file);
    long v = 0;
    return (in >> v) ? v : fallback;
}

// CAP_SYS_RESOURCE lifts msg_max and msgsize_max up to the kernel's hard
// limits; see mq_overview(7).
bool has_sys_resource() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("CapEff:", 0) == 0) {
            unsigned long long caps = std::stoull(line.substr(7), nullptr, 16);
            return caps & (1ULL << 24);
        }
    }
    return false;
}

std::string limit_source(const char* file, bool privileged) {
    return privileged ? std::string("the kernel's hard limit") : std::string(kProc) + file;
}

// Why mq_open(O_CREAT) said EINVAL or EMFILE, in terms of the limit at fault.
Error explain_create_failure(int err, long maxmsg, long msgsize) {
    bool privileged = has_sys_resource();
    if (err == EINVAL) {
        long max_msgs = privileged ? 65536 : read_limit("msg_max", 10);
        long max_size = privileged ? 16L * 1024 * 1024 : read_limit("msgsize_max", 8192);
        if (maxmsg > max_msgs)
            return Error(Exit::failure, std::to_string(maxmsg) + " messages exceeds the limit of " +
                                            std::to_string(max_msgs) + " (" +
                                            limit_source("msg_max", privileged) + ")");
        if (msgsize > max_size)
            return Error(Exit::failure, "message size " + std::to_string(msgsize) +
                                            " exceeds the limit of " + std::to_string(max_size) + " (" +
                                            limit_source("msgsize_max", privileged) + ")");
    }
    if (err == EMFILE) {
        rlimit rl{};
        getrlimit(RLIMIT_MSGQUEUE, &rl);
        // The kernel charges each queue its messages plus roughly 100 bytes
        // of bookkeeping per message (struct msg_msg and a priority node).
        auto bytes = static_cast<rlim_t>(maxmsg) * (static_cast<rlim_t>(msgsize) + 100);
        if (rl.rlim_cur != RLIM_INFINITY && bytes > rl.rlim_cur)
            return Error(Exit::failure, "a queue of " + std::to_string(maxmsg) + " messages of " +
                                            std::to_string(msgsize) +
                                            " bytes exceeds this user's queue memory limit of " +
                                            std::to_string(rl.rlim_cur) +
                                            " bytes (RLIMIT_MSGQUEUE, see ulimit -q)");
        return Error(Exit::failure, "too many open files, or this user's queue memory limit "
                                    "(RLIMIT_MSGQUEUE, see ulimit -q) is used up by other queues");
    }
    if (err == ENOSPC)
        return Error(Exit::failure, "the system's limit of " + std::to_string(read_limit("queues_max", 256)) +
                                        " queues is reached (" + kProc + "queues_max)");
    if (err == EEXIST) return Error(Exit::failure, "queue already exists");
    return system_error(err);
}

// Where the mqueue file system is mounted, or "" if nowhere.
std::string mqueue_mount() {
    std::ifstream in("/proc/self/mounts");
    std::string dev, dir, type, rest;
    while (in >> dev >> dir >> type && std::getline(in, rest))
        if (type == "mqueue") return dir;
    return "";
}
}  // namespace

PosixMq::PosixMq(std::string name, mqd_t mqd) : name_(std::move(name)), mqd_(mqd) {
    mq_attr a{};
    mq_getattr(mqd_, &a);
    msgsize_ = a.mq_msgsize;
}

PosixMq::PosixMq(PosixMq&& o) noexcept
    : name_(std::move(o.name_)), mqd_(std::exchange(o.mqd_, static_cast<mqd_t>(-1))),
      msgsize_(o.msgsize_), created_(o.created_) {}

PosixMq::~PosixMq() {
    if (mqd_ != static_cast<mqd_t>(-1)) mq_close(mqd_);
}

PosixMq PosixMq::create(const std::string& name, Attributes attr, unsigned mode, bool exist_ok) {
    mq_attr a{};
    mq_attr* ap = nullptr;
    if (attr.maxmsg || attr.msgsize) {
        a.mq_maxmsg = attr.maxmsg ? attr.maxmsg : read_limit("msg_default", 10);
        a.mq_msgsize = attr.msgsize ? attr.msgsize : read_limit("msgsize_default", 8192);
        ap = &a;
    }
    int oflag = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC;
    mqd_t q = mq_open(name.c_str(), oflag, static_cast<mode_t>(mode), ap);
    if (q == static_cast<mqd_t>(-1)) {
        int err = errno;
        if (err == EEXIST && exist_ok) return open(name, O_RDWR);
        if (!ap) {
            a.mq_maxmsg = read_limit("msg_default", 10);
            a.mq_msgsize = read_limit("msgsize_default", 8192);
        }
        throw explain_create_failure(err, a.mq_maxmsg, a.mq_msgsize);
    }
    // mq_open applies the umask; the user asked for this mode exactly.
    if (fchmod(q, static_cast<mode_t>(mode)) == -1) {
        int err = errno;
        mq_close(q);
        mq_unlink(name.c_str());
        throw system_error(err, "set mode");
    }
    PosixMq made(name, q);
    made.created_ = true;
    return made;
}

PosixMq PosixMq::open(const std::string& name, int oflag) {
    mqd_t q = mq_open(name.c_str(), oflag | O_CLOEXEC);
    if (q == static_cast<mqd_t>(-1)) {
        if (errno == ENOENT) throw Error(Exit::missing, "queue does not exist");
        throw system_error(errno);
    }
    return PosixMq(name, q);
}

void PosixMq::unlink(const std::string& name) {
    if (mq_unlink(name.c_str()) == -1) {
        if (errno == ENOENT) throw Error(Exit::missing, "queue does not exist");
        throw system_error(errno);
    }
}

std::vector<std::string> PosixMq::list() {
    std::string dir = mqueue_mount();
    if (dir.empty()) {
        // The queues exist whether or not the file system is mounted; only
        // listing needs it. Mount it where mq_overview(7) says it lives.
        if (geteuid() != 0)
            throw Error(Exit::failure, "the mqueue file system is not mounted (as root: "
                                       "mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue)");
        ::mkdir("/dev/mqueue", 01777);
        if (::mount("none", "/dev/mqueue", "mqueue", 0, nullptr) == -1)
            throw system_error(errno, "mount the mqueue file system at /dev/mqueue");
        dir = "/dev/mqueue";
    }
    DIR* d = ::opendir(dir.c_str());
    if (!d) throw system_error(errno, "open " + dir);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n != "." && n != "..") names.push_back("/" + n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

PosixMq::Status PosixMq::status() const {
    mq_attr a{};
    if (mq_getattr(mqd_, &a) == -1) throw system_error(errno);
    struct stat st{};
    if (fstat(mqd_, &st) == -1) throw system_error(errno);
    return Status{a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs, st.st_mode & 07777u, st.st_uid};
}

unsigned PosixMq::mode() const {
    struct stat st{};
    if (fstat(mqd_, &st) == -1) throw system_error(errno);
    return st.st_mode & 07777u;
}

uid_t PosixMq::uid() const {
    struct stat st{};
    if (fstat(mqd_, &st) == -1) throw system_error(errno);
    return st.st_uid;
}

PosixMq::Owner PosixMq::owner() const {
    struct stat st{};
    if (fstat(mqd_, &st) == -1) throw system_error(errno);
    return Owner{st.st_uid, st.st_gid, st.st_mode & 07777u};
}

void PosixMq::set_group(gid_t gid) const {
    if (fchown(mqd_, static_cast<uid_t>(-1), gid) == -1)
        throw system_error(errno, "give the queue to group " + std::to_string(gid));
}

bool PosixMq::removed() const {
    // The mqueue file system drops the inode's link on mq_unlink, as any
    // file system does; a new queue made under the name is another inode.
    struct stat st{};
    return fstat(mqd_, &st) == 0 && st.st_nlink == 0;
}

bool PosixMq::send(std::string_view msg, unsigned prio, const Deadline& deadline) {
    int r = retry_eintr([&] {
        if (deadline.is_never()) return mq_send(mqd_, msg.data(), msg.size(), prio);
        timespec at = deadline.realtime();
        return mq_timedsend(mqd_, msg.data(), msg.size(), prio, &at);
    });
    if (r == 0) return true;
    if (errno == ETIMEDOUT || errno == EAGAIN) return false;
    if (errno == EMSGSIZE)
        throw Error(Exit::failure, "message of " + std::to_string(msg.size()) + " bytes exceeds the queue's " +
                                       std::to_string(msgsize_));
    throw system_error(errno);
}

bool PosixMq::try_receive(char* buf, size_t& len, unsigned& prio) {
    // An absolute time already past makes mq_timedreceive a non-blocking
    // receive without switching the descriptor to O_NONBLOCK.
    static const timespec past = {0, 0};
    ssize_t n = retry_eintr([&] { return mq_timedreceive(mqd_, buf, static_cast<size_t>(msgsize_), &prio, &past); });
    if (n >= 0) {
        len = static_cast<size_t>(n);
        return true;
    }
    if (errno == ETIMEDOUT || errno == EAGAIN) return false;
    throw system_error(errno);
}

}  // namespace prockit
