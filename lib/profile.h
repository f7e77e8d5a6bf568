// Where pool-run's options come from besides its command line, as GNU
// parallel's read_options takes them: profiles (-J NAME, or by default
// /etc/parallel/config, CONFIGDIR/config and ~/.parallelrc), then
// $PARALLEL, then the command line. Each gives its options first, in that
// order, so the command line wins; then their other words (a command such
// as `nice`), in the same order, before the command line's operands.
// --plain on the command line reads neither.
//
// A profile is lines of words split as a shell would (parallel's
// shell_words), lines starting with # ignored. It is read only if it is a
// regular file owned by the user or root and not writable by others: a
// profile says which commands run, so another user who may write it could
// run theirs as ours (parallel reads whatever it finds).
#pragma once

#include <getopt.h>

#include <string>
#include <vector>

namespace prockit {

// The profiles' words: the names of -J (NAME in each of parallel's
// configuration directories, ./NAME or /PATH as it is), or the default ones
// that exist. `read` gets the paths read. Error(Exit::usage) for a -J
// profile found nowhere or one not safe to read.
std::vector<std::string> profile_words(const std::vector<std::string>& names, std::vector<std::string>& read);

// argv with the profiles' and $PARALLEL's words where parallel puts them
// (null-terminated, as argv). `store` holds the words the pointers point
// into. `usage` and `help` are for misuse found in them.
std::vector<char*> with_profiles_and_env(int argc, char** argv, const option* longopts, const char* usage,
                                         const char* help, std::vector<std::string>& store);

}  // namespace prockit
