// A prockit queue on a POSIX message queue (mq:/NAME, or a bare NAME):
// priorities, the kernel's limits, and task counts in a companion segment
// (queue_mq_counts.h). Only queue_factory.cpp includes this.
#pragma once

#include "queue_backend.h"

namespace prockit {

extern const QueueBackend kMqQueues;

}  // namespace prockit
