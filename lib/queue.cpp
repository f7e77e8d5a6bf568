#include "queue.h"

#include <fcntl.h>
#include <poll.h>

#include "diag.h"
#include "message_queue.h"

namespace prockit {

namespace {
class MqQueue final : public Queue {
public:
    MqQueue(Endpoint e, MessageQueue q) : endpoint_(std::move(e)), q_(std::move(q)) {}

    const Endpoint& endpoint() const override { return endpoint_; }
    size_t max_message() const override { return static_cast<size_t>(q_.msgsize()); }

    QueueStatus status() const override {
        MessageQueue::Status s = q_.status();
        return QueueStatus{endpoint_.str(), s.maxmsg, s.msgsize, s.depth, s.mode, s.uid};
    }

    bool send(std::string_view msg, unsigned prio, const Deadline& deadline) override {
        return q_.send(msg, prio, deadline);
    }

    bool try_receive(char* buf, size_t& len, unsigned& prio) override {
        return q_.try_receive(buf, len, prio);
    }

    Got receive(char* buf, size_t& len, unsigned& prio, const Deadline& deadline,
                const StopSignals* stop) override {
        for (;;) {
            if (q_.try_receive(buf, len, prio)) return Got::message;
            // A queue descriptor is pollable on Linux. Another reader may
            // take the message between poll and receive: then wait again.
            switch (wait_fd(q_.fd(), POLLIN, deadline, stop)) {
                case Wait::ready: continue;
                case Wait::timed_out: return q_.try_receive(buf, len, prio) ? Got::message : Got::timed_out;
                case Wait::stopped: return Got::stopped;
            }
        }
    }

private:
    Endpoint endpoint_;
    MessageQueue q_;
};

int oflag(Access a) {
    switch (a) {
        case Access::read: return O_RDONLY;
        case Access::write: return O_WRONLY;
        case Access::read_write: return O_RDWR;
    }
    return O_RDWR;
}

[[noreturn]] void not_yet(const Endpoint& e) {
    throw Error(Exit::usage, e.str() + ": shared-memory queues (shm:/NAME) are not available yet; use mq:/NAME");
}
}  // namespace

std::unique_ptr<Queue> create_queue(const Endpoint& e, const CreateOptions& opt) {
    if (e.kind == EndpointKind::shm) not_yet(e);
    MessageQueue q = MessageQueue::create(e.path, {opt.maxmsg, opt.msgsize}, opt.mode, opt.exist_ok);
    return std::make_unique<MqQueue>(e, std::move(q));
}

std::unique_ptr<Queue> open_queue(const Endpoint& e, Access access) {
    if (e.kind == EndpointKind::shm) not_yet(e);
    return std::make_unique<MqQueue>(e, MessageQueue::open(e.path, oflag(access)));
}

void remove_queue(const Endpoint& e) {
    if (e.kind == EndpointKind::shm) not_yet(e);
    MessageQueue::unlink(e.path);
}

std::vector<Endpoint> list_queues() {
    std::vector<Endpoint> out;
    for (std::string& name : MessageQueue::list()) out.push_back(Endpoint{EndpointKind::mq, std::move(name)});
    return out;
}

}  // namespace prockit
