// What the backends of queue.h share and no caller needs.
#pragma once

#include <sys/types.h>

#include "queue.h"

namespace prockit {

// create -x (CreateOptions::mine_only): a queue another user made first is
// not ours to adopt. It may be shared with us, but it may as well be a trap
// (a 0666 ring that user reads every job from). Throws Error(Exit::failure)
// naming the owner, unless we created it or it is ours.
void refuse_foreign(const CreateOptions& opt, bool created, uid_t owner);

}  // namespace prockit
