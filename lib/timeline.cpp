#include "timeline.h"

#include <cstdio>

#include "deadline.h"
#include "diag.h"
#include "json.h"
#include "proc.h"
#include "text.h"

namespace prockit {

Timeline::Timeline(bool json) : json_(json) {
    if (!json_) std::printf("%-12s  %-17s %7s %7s  %-5s  %s\n", "TIME", "EVENT", "PID", "PPID", "STATE", "NOTE");
}

void Timeline::event(const char* name, pid_t pid, const std::string& note) {
    ProcStat st;
    bool alive = read_stat(pid, st);
    WallTime now = WallTime::now();
    std::string state = alive ? std::string(1, st.state) : "-";
    std::string ppid = alive ? std::to_string(st.ppid) : "-";
    if (json_) {
        std::printf("{\"time\":%s,\"event\":\"%s\",\"pid\":%d,\"ppid\":%s,\"state\":\"%s\",\"note\":%s}\n",
                    now.epoch_text().c_str(), name, pid, alive ? ppid.c_str() : "null", state.c_str(),
                    json_string(note).c_str());
    } else {
        std::printf("%s  %-17s %7d %7s  %-5s  %s\n", now.clock_text().c_str(), name, pid, ppid.c_str(),
                    state.c_str(), escape_text(note).c_str());
    }
    flush_stdout();  // a demo nobody can read stops here, with 4
}

int Timeline::explain(bool held, const std::string& text) {
    if (json_)
        std::printf("{\"event\":\"%s\",\"text\":%s}\n", held ? "explained" : "failed", json_string(text).c_str());
    else
        std::printf("%s%s\n", held ? "" : "FAILED: ", escape_text(text).c_str());
    flush_stdout();
    return held ? 0 : 1;
}

}  // namespace prockit
