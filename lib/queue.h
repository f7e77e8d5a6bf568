// A message queue as shq, pipe-cat and pool-run see it, whatever keeps it:
// a POSIX message queue (mq:/NAME) today, other backends behind the same
// calls. Tools speak only to this interface.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "deadline.h"
#include "endpoint.h"
#include "signals.h"

namespace prockit {

struct QueueStatus {
    std::string queue;  // canonical name, "mq:/jobs"
    long capacity;      // messages
    long msgsize;       // bytes
    long depth;         // messages waiting now
    unsigned mode;
    uid_t uid;
};

struct CreateOptions {
    long maxmsg = 0;   // 0: the backend's default
    long msgsize = 0;  // 0: the backend's default
    unsigned mode = 0600;
    bool exist_ok = false;
};

enum class Access { read, write, read_write };

class Queue {
public:
    enum class Got { message, timed_out, stopped };

    virtual ~Queue() = default;
    virtual const Endpoint& endpoint() const = 0;
    virtual size_t max_message() const = 0;
    virtual QueueStatus status() const = 0;

    // Sends one message; false if the queue stayed full until the deadline.
    // A message over max_message() throws Error naming both sizes.
    virtual bool send(std::string_view msg, unsigned prio, const Deadline& deadline) = 0;

    // Receives the next message (highest priority first, FIFO within one)
    // into `msg`, a view valid until the next call. If none is there,
    // calls before_wait (to flush output a reader is waiting for), then
    // waits until the deadline or a stop signal.
    virtual Got receive(std::string_view& msg, unsigned& prio, const Deadline& deadline,
                        const StopSignals* stop, const std::function<void()>& before_wait) = 0;
};

// Each throws prockit::Error: Exit::missing for a queue that does not exist,
// Exit::failure with the reason otherwise.
std::unique_ptr<Queue> create_queue(const Endpoint& e, const CreateOptions& opt);
std::unique_ptr<Queue> open_queue(const Endpoint& e, Access access);
void remove_queue(const Endpoint& e);
std::vector<Endpoint> list_queues();

}  // namespace prockit
