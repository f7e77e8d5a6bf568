#include "queue_factory.h"

#include "diag.h"
#include "queue_backend.h"
#include "queue_mq.h"
#include "queue_redis.h"
#include "queue_shm.h"
#include "redis.h"

namespace prockit {

namespace {
// Every kind of queue: a new backend is one more line here (and its files).
const QueueBackend* const kBackends[] = {&kMqQueues, &kShmQueues, &kRedisQueues};

const QueueBackend& backend_of(const Endpoint& e) {
    for (const QueueBackend* b : kBackends)
        if (b->kind == e.kind) return *b;
    throw Error(Exit::usage, e.str() + " is not a queue");
}

[[noreturn]] void no_place(std::string_view where) {
    throw Error(Exit::usage, "no place that holds queues: " + std::string(where));
}
}  // namespace

std::unique_ptr<Queue> create_queue(const Endpoint& e, const CreateOptions& opt) {
    return backend_of(e).create(e, opt);
}

std::unique_ptr<Queue> open_queue(const Endpoint& e, const OpenOptions& opt) { return backend_of(e).open(e, opt); }

void remove_queue(const Endpoint& e) { backend_of(e).remove(e); }

void let_stop_signals_into_queues() { Redis::let_stop_signals_in(); }

bool is_queue_place(std::string_view where) {
    for (const QueueBackend* b : kBackends)
        if (b->keeps_at(where)) return true;
    return false;
}

std::string queue_place_name(std::string_view where) {
    for (const QueueBackend* b : kBackends)
        if (b->keeps_at(where)) return b->place_name(where);
    no_place(where);
}

std::vector<Endpoint> list_queues(std::string_view where) {
    if (!is_queue_place(where)) no_place(where);
    std::vector<Endpoint> out;
    for (const QueueBackend* b : kBackends)
        if (b->keeps_at(where))
            for (Endpoint& e : b->list(where)) out.push_back(std::move(e));
    return out;
}

}  // namespace prockit
