// Making, opening, removing and listing queues of every kind: the one file
// that knows all the backends (its .cpp includes each and holds their
// table) and picks one by the endpoint's scheme. A new backend is added
// there and in its own files; lib/README lists what else names the kinds.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "endpoint.h"
#include "queue.h"

namespace prockit {

// Each throws prockit::Error: Exit::missing for a queue that does not exist,
// Exit::failure with the reason otherwise, Exit::usage for an option the
// kind of queue does not take (-S for a message queue).
std::unique_ptr<Queue> create_queue(const Endpoint& e, const CreateOptions& opt);
std::unique_ptr<Queue> open_queue(const Endpoint& e, const OpenOptions& opt = {});
void remove_queue(const Endpoint& e);

// For a tool that ends on Stopped (shq, pipe-cat): stop signals get into
// every wait of a backend for a server, not only the blocking ones, and one
// that arrives throws Stopped. pool-run, which reads its signals from a
// signalfd, keeps them blocked there and does not call this.
void let_stop_signals_into_queues();

// Where queues are listed (shq ls): "" for this machine's, or a server that
// holds queues ("redis://HOST[:PORT][/DB]").
bool is_queue_place(std::string_view where);
// The place's name for messages, its password left out ("" for this
// machine); throws Error(Exit::usage) for one that is malformed.
std::string queue_place_name(std::string_view where);
// The queues there, in order of name.
std::vector<Endpoint> list_queues(std::string_view where = {});

}  // namespace prockit
