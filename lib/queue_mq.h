// A prockit queue on a POSIX message queue (mq:/NAME, or a bare NAME):
// priorities, the kernel's limits, and task counts in a companion segment
// (queue_mq_counts.h). Only queue_factory.cpp includes this.
#pragma once

#include <memory>
#include <vector>

#include "queue.h"

namespace prockit {

std::unique_ptr<Queue> create_mq_queue(const Endpoint& e, const CreateOptions& opt);
std::unique_ptr<Queue> open_mq_queue(const Endpoint& e, const OpenOptions& opt);
void remove_mq_queue(const Endpoint& e);
std::vector<Endpoint> list_mq_queues();

}  // namespace prockit
