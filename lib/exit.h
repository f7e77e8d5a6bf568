// Exit statuses shared by every prockit tool.
//
// A meaning keeps its number in every tool that has it, so a script can
// treat `shq`, `pipe-cat` and `pool-run` alike: 2 is always a usage error,
// 126/127 always "cannot run" / "not found", 128+N always "killed by N".
#pragma once

namespace prockit {

enum class Exit : int {
    ok = 0,
    timed_out = 1,   // nothing could be done in time (empty, full, -n, -t)
    usage = 2,       // bad option, bad name, bad number
    missing = 3,     // the named object (queue, endpoint) does not exist
    failure = 4,     // any other system error; always with a one-line reason
    cannot_run = 126,
    not_found = 127,
    signal_base = 128,
};

constexpr int code(Exit e) { return static_cast<int>(e); }

}  // namespace prockit
