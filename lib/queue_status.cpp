#include "queue_status.h"

#include <pwd.h>

#include <cstdio>
#include <cstring>

#include "json.h"
#include "text.h"

namespace prockit {

namespace {
std::string owner(uid_t uid) {
    const passwd* pw = getpwuid(uid);
    return pw ? std::string(pw->pw_name) : std::to_string(uid);
}

std::string mode_text(unsigned mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", mode);
    return text;
}
}  // namespace

std::string status_text(const QueueStatus& s) {
    std::string t;
    auto line = [&t](const char* key, const std::string& value) {
        t += key;
        t.append(12 - std::strlen(key), ' ');
        t += escape_text(value) + "\n";  // a queue name may hold a newline
    };
    line("queue", s.queue);
    line("depth", std::to_string(s.depth));
    if (s.capacity >= 0) line("capacity", std::to_string(s.capacity));
    if (s.bytes >= 0) {
        line("bytes", std::to_string(s.bytes));
        line("used", std::to_string(s.used));
        line("recovered", std::to_string(s.recoveries));
    }
    line("msgsize", std::to_string(s.msgsize));
    if (!s.lock.empty()) line("lock", s.lock);
    if (s.local) {
        line("mode", mode_text(s.mode));
        line("owner", owner(s.uid));
    }
    line("put", std::to_string(s.puts));
    line("got", std::to_string(s.gets));
    line("done", std::to_string(s.dones));
    line("unfinished", std::to_string(s.puts - s.dones));
    if (s.pending >= 0) line("pending", std::to_string(s.pending));
    if (s.consumers >= 0) line("consumers", std::to_string(s.consumers));
    return t;
}

std::string status_json(const QueueStatus& s) {
    std::string j = "{\"queue\":" + json_string(s.queue);
    auto add = [&j](const char* key, auto value) { j += ",\"" + std::string(key) + "\":" + std::to_string(value); };
    add("depth", s.depth);
    if (s.capacity >= 0) add("capacity", s.capacity);
    if (s.bytes >= 0) {
        add("bytes", s.bytes);
        add("used", s.used);
        add("recovered", s.recoveries);
    }
    add("msgsize", s.msgsize);
    if (!s.lock.empty()) j += ",\"lock\":" + json_string(s.lock);
    if (s.local) {
        j += ",\"mode\":\"" + mode_text(s.mode) + "\"";
        add("uid", s.uid);
    }
    add("put", s.puts);
    add("got", s.gets);
    add("done", s.dones);
    add("unfinished", s.puts - s.dones);
    if (s.pending >= 0) add("pending", s.pending);
    if (s.consumers >= 0) add("consumers", s.consumers);
    return j + "}";
}

}  // namespace prockit
