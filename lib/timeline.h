// A timeline of process events as they happen, for a person (a table) or a
// program (one JSON object a line): each event shows the time, the pid and
// the parent and state /proc reports for that pid at that moment, so that
// every claim a demonstration makes is checked as it is made.
#pragma once

#include <sys/types.h>

#include <string>

namespace prockit {

class Timeline {
public:
    // Prints the table's header, unless `json`.
    explicit Timeline(bool json);

    // An event about `pid`, with its parent and state as /proc shows them
    // now. A note may name another user's process (an adopter): escaped as
    // text. Standard output is flushed at once: a timeline nobody can read
    // stops here (flush_stdout throws, lib/diag.h).
    void event(const char* name, pid_t pid, const std::string& note = {});

    // The one line that says what was shown; returns the exit status, 0 if
    // it held and 1 if it did not.
    int explain(bool held, const std::string& text);

private:
    bool json_;
};

}  // namespace prockit
