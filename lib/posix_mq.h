// The raw POSIX message queue (mq_overview(7)): a thin wrapper of mq_open,
// mq_send and mq_timedreceive, with the kernel's limits turned into
// messages a person can act on. The prockit queue built on it (task counts,
// waits that stop signals get into) is queue_mq.h.
#pragma once

#include <mqueue.h>
#include <sys/stat.h>

#include <string>
#include <string_view>
#include <vector>

#include "deadline.h"

namespace prockit {

class PosixMq {
public:
    struct Attributes {
        long maxmsg = 0;   // 0: the system default (/proc/sys/fs/mqueue/msg_default)
        long msgsize = 0;  // 0: the system default (/proc/sys/fs/mqueue/msgsize_default)
    };
    struct Status {
        long maxmsg, msgsize, depth;
        unsigned mode;
        uid_t uid;
    };
    // Who owns a queue and what its mode lets others do.
    struct Owner {
        uid_t uid;
        gid_t gid;
        unsigned mode;
    };

    // Creates the queue "/NAME" with exactly `mode` (the umask does not
    // apply). An existing queue is an error unless exist_ok, in which case it
    // is opened as it is. Throws prockit::Error naming the limit at fault.
    static PosixMq create(const std::string& name, Attributes attr, unsigned mode, bool exist_ok);
    // Opens an existing queue; oflag is O_RDONLY, O_WRONLY or O_RDWR.
    // Throws Error(Exit::missing, "queue does not exist") when it is absent.
    static PosixMq open(const std::string& name, int oflag);
    static void unlink(const std::string& name);
    // Names ("/NAME") of every queue on the system. Mounts the mqueue file
    // system at /dev/mqueue when it is mounted nowhere and we may mount it.
    static std::vector<std::string> list();

    PosixMq(PosixMq&& o) noexcept;
    PosixMq& operator=(PosixMq&&) = delete;
    PosixMq(const PosixMq&) = delete;
    ~PosixMq();

    int fd() const { return mqd_; }
    const std::string& name() const { return name_; }
    long msgsize() const { return msgsize_; }
    Status status() const;
    unsigned mode() const;  // the permission bits, from one fstat
    uid_t uid() const;      // the owner, from one fstat
    Owner owner() const;  // owner, group and mode, from one fstat
    // True once mq_unlink removed the name: the descriptor still works, but
    // no other process will ever send to (or take from) this queue again.
    bool removed() const;
    // Gives the queue to group `gid` (only root or a member may).
    void set_group(gid_t gid) const;
    // True if create() made it; false if it opened one that existed (exist_ok).
    bool created() const { return created_; }

    // Sends one message; false if the queue stayed full until the deadline.
    // A message longer than msgsize() throws, naming both sizes.
    bool send(std::string_view msg, unsigned prio, const Deadline& deadline);
    // Takes the next message without waiting into buf, which must hold
    // msgsize() bytes: true with its length and priority, or false if the
    // queue is empty.
    bool try_receive(char* buf, size_t& len, unsigned& prio);

private:
    PosixMq(std::string name, mqd_t mqd);

    std::string name_;
    mqd_t mqd_;
    long msgsize_;
    bool created_ = false;
};

}  // namespace prockit
