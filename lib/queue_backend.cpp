#include "queue_backend.h"

#include <pwd.h>
#include <unistd.h>

#include "diag.h"

namespace prockit {

std::string user_name(uid_t uid) {
    const passwd* pw = getpwuid(uid);
    return pw ? std::string(pw->pw_name) : "uid " + std::to_string(uid);
}

void refuse_foreign(const CreateOptions& opt, bool created, uid_t owner) {
    if (created || !opt.mine_only || owner == ::geteuid()) return;
    throw Error(Exit::failure, "exists and belongs to " + user_name(owner) +
                                   ", not to you: refused (-x and -C use only a queue of your own)");
}

}  // namespace prockit
