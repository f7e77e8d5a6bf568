// A queue's status as shq prints it (stat, ls --json).
#pragma once

#include <string>

#include "queue.h"

namespace prockit {

// "key  value" lines, or one JSON object (no newline) whose keys the
// shq(1) page lists. A field a backend does not have (-1, "") is left out.
std::string status_text(const QueueStatus& s);
std::string status_json(const QueueStatus& s);

}  // namespace prockit
