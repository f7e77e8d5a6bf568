// What a backend of queue.h gives the factory (queue_factory.cpp), and what
// the backends share. No caller needs this.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "endpoint.h"
#include "queue.h"

namespace prockit {

// One kind of queue: the factory finds a queue's backend by the kind of
// its endpoint, and asks every backend whether it keeps queues at a place
// (see list_queues in queue_factory.h).
struct QueueBackend {
    EndpointKind kind;
    std::unique_ptr<Queue> (*create)(const Endpoint& e, const CreateOptions& opt);
    std::unique_ptr<Queue> (*open)(const Endpoint& e, const OpenOptions& opt);
    void (*remove)(const Endpoint& e);
    // Whether it keeps queues at `where` ("" is this machine); then the
    // place's name for messages (throws Error(Exit::usage) for a malformed
    // one), and the queues there.
    bool (*keeps_at)(std::string_view where);
    std::string (*place_name)(std::string_view where);
    std::vector<Endpoint> (*list)(std::string_view where);
};

// For the backends whose queues live on this machine (where == "").
inline bool on_this_machine(std::string_view where) { return where.empty(); }
inline std::string this_machine(std::string_view) { return ""; }

// A user as a refusal names them: "alice", or "uid 1234" without a name.
std::string user_name(uid_t uid);

// create -x (CreateOptions::mine_only): a queue another user made first is
// not ours to adopt. It may be shared with us, but it may as well be a trap
// (a 0666 ring that user reads every job from). Throws Error(Exit::failure)
// naming the owner, unless we created it or it is ours.
void refuse_foreign(const CreateOptions& opt, bool created, uid_t owner);

}  // namespace prockit
