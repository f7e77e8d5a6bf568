#include "queue_factory.h"

#include "diag.h"
#include "queue_mq.h"
#include "queue_redis.h"
#include "queue_shm.h"
#include "redis.h"

namespace prockit {

namespace {
[[noreturn]] void not_a_queue(const Endpoint& e) {
    throw Error(Exit::usage, e.str() + " is not a queue");
}

bool is_redis_server(std::string_view where) { return where.substr(0, 8) == "redis://"; }
}  // namespace

std::unique_ptr<Queue> create_queue(const Endpoint& e, const CreateOptions& opt) {
    switch (e.kind) {
        case EndpointKind::mq: return create_mq_queue(e, opt);
        case EndpointKind::shm: return create_shm_queue(e, opt);
        case EndpointKind::redis: return create_redis_queue(e, opt);
        default: not_a_queue(e);
    }
}

std::unique_ptr<Queue> open_queue(const Endpoint& e, const OpenOptions& opt) {
    switch (e.kind) {
        case EndpointKind::mq: return open_mq_queue(e, opt);
        case EndpointKind::shm: return open_shm_queue(e, opt);
        case EndpointKind::redis: return open_redis_queue(e, opt);
        default: not_a_queue(e);
    }
}

void remove_queue(const Endpoint& e) {
    switch (e.kind) {
        case EndpointKind::mq: return remove_mq_queue(e);
        case EndpointKind::shm: return remove_shm_queue(e);
        case EndpointKind::redis: return remove_redis_queue(e);
        default: not_a_queue(e);
    }
}

void let_stop_signals_into_queues() { Redis::let_stop_signals_in(); }

bool is_queue_place(std::string_view where) { return where.empty() || is_redis_server(where); }

std::string queue_place_name(std::string_view where) {
    if (where.empty()) return "";
    if (is_redis_server(where)) return parse_redis_server(where).str();
    throw Error(Exit::usage, "no place that holds queues: " + std::string(where));
}

std::vector<Endpoint> list_queues(std::string_view where) {
    if (!where.empty()) {
        if (!is_redis_server(where)) throw Error(Exit::usage, "no place that holds queues: " + std::string(where));
        return list_redis_queues(parse_redis_server(where));
    }
    std::vector<Endpoint> out = list_mq_queues();
    for (Endpoint& e : list_shm_queues()) out.push_back(std::move(e));
    return out;
}

}  // namespace prockit
