#include "queue_backend.h"

#include <pwd.h>
#include <unistd.h>

#include "diag.h"

namespace prockit {

void refuse_foreign(const CreateOptions& opt, bool created, uid_t owner) {
    if (created || !opt.mine_only || owner == ::geteuid()) return;
    const passwd* pw = getpwuid(owner);
    throw Error(Exit::failure, "exists and belongs to " + (pw ? std::string(pw->pw_name) : "uid " + std::to_string(owner)) +
                                   ", not to you: refused (-x and -C use only a queue of your own)");
}

}  // namespace prockit
