// The demonstrations orphan-demo runs: real processes made orphans and
// zombies, and five ways of never leaving a zombie, each step reported on
// a Timeline (lib/timeline.h) with what /proc shows at that moment.
//
// The children run only async-signal-safe code (read, write, _exit) after
// fork. They wait on pipes only orphan-demo holds the write ends of, so that
// when an Error unwinds the stack, the pipes close, every child ends, and the
// caller can reap them all (waitpid(-1)) instead of leaving them to init.
#pragma once

#include <string>
#include <string_view>

namespace prockit {

class Timeline;

// The most children a demonstration makes (-c).
constexpr unsigned kMaxDemoChildren = 1000;

// Each returns the exit status: 0 if what was shown held (checked in
// /proc), 1 if it did not. Errors (a fork refused) are thrown.

// A child outlives its parent and is adopted by init or the nearest
// subreaper, which reaps it.
int show_orphan(Timeline& t);

// `count` children stay zombies for `hold` seconds, then are reaped; a stop
// signal cuts the hold short, and the process dies of it once they are.
int show_zombies(Timeline& t, unsigned count, double hold);

// True for the methods show_reaping knows: wait, sigchld, ignore,
// double-fork and subreaper.
bool is_reap_method(std::string_view method);

// `count` children end without leaving a zombie, by `method`.
int show_reaping(Timeline& t, const std::string& method, unsigned count);

}  // namespace prockit
