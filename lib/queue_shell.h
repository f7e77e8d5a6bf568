// A queue from the shell: the steps of shq put and shq get, which move
// messages between a queue and standard input or output.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "deadline.h"
#include "queue.h"
#include "records.h"
#include "signals.h"

namespace prockit {

// Sends `messages` to q in order or, when there are none, the records of
// fd (ending in delim), every one already read in one batch: a backend may
// then take its lock once for many. Each wait for room is bounded by
// `wait`. Throws Error(Exit::timed_out) when the queue stayed full (or its
// lock held), and an Error of the queue, each saying how many messages were
// sent before it.
void put_messages(Queue& q, const std::vector<std::string_view>& messages, int fd, char delim, unsigned prio,
                  const WaitPolicy& wait);

// How many messages get takes, and how long it waits for them.
struct GetPlan {
    uint64_t count = 1;
    bool all = false;  // as many as there are (count is ignored)
    WaitPolicy first = WaitPolicy::forever();  // the wait for the first message
    WaitPolicy rest = WaitPolicy::forever();   // and for each after it
};

// Takes messages from q into out as records in format f, as the plan says,
// and flushes out; returns how many it took (fewer when a wait ran out, a
// stop signal came, or the end-of-stream marker). A message is taken before
// it is written (a queue cannot lend one): an Error after some were taken
// says how many of them were lost.
uint64_t get_messages(Queue& q, Output& out, const RecordFormat& f, const GetPlan& plan, const StopSignals* stop);

// shq ls: the queues at `where` (see list_queues) on standard output, one
// name a line, or with `json` one status object a line ({"queue":...,
// "error":...} for one that cannot be read).
void print_queues(std::string_view where, bool json);

}  // namespace prockit
