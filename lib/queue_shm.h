// A prockit queue on a ring in shared memory (shm:/NAME, shm_ring.h):
// first in, first out, no priorities, many messages under one lock. Only
// queue_factory.cpp includes this.
#pragma once

#include "queue_backend.h"

namespace prockit {

extern const QueueBackend kShmQueues;

}  // namespace prockit
