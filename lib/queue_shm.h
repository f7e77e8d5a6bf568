// A prockit queue on a ring in shared memory (shm:/NAME, shm_ring.h):
// first in, first out, no priorities, many messages under one lock. Only
// queue_factory.cpp includes this.
#pragma once

#include <memory>
#include <vector>

#include "queue.h"

namespace prockit {

std::unique_ptr<Queue> create_shm_queue(const Endpoint& e, const CreateOptions& opt);
std::unique_ptr<Queue> open_shm_queue(const Endpoint& e, const OpenOptions& opt);
void remove_shm_queue(const Endpoint& e);
std::vector<Endpoint> list_shm_queues();

}  // namespace prockit
