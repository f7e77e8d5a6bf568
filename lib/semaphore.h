// pool-run --semaphore (GNU parallel's sem): a named counting semaphore
// for shell scripts and cron jobs, which a SIGKILL cannot leave stale.
//
// A semaphore is a directory, /dev/shm/prockit-sem.ID, holding one file
// per slot (slot.0, slot.1...). A holder is whoever holds the open file
// description lock (fcntl F_OFD_SETLK, which behaves as flock(2)) of a slot
// file. The kernel drops it when the last descriptor of the open file goes
// away, death by SIGKILL included, so there is nothing to clean
// up and no pid to check for liveness (GNU sem links a file per pid and
// removes the dead ones by kill -0, which a reused pid fools). The lock's
// descriptor is inherited by the command (not close-on-exec): the slot is
// held as long as the command, and anything it left holding the
// descriptor, runs -- as flock(1) -- and the count never exceeds N even
// when the pool-run that waited for it is killed. Whoever waits for the
// command keeps the descriptor too (--fg: pool-run; else a waiter process
// that starts the command, reaps it and exits), so a command that closes
// what it inherited (a daemon, closefrom) still holds its slot; only if
// its waiter is killed by SIGKILL as well does the slot come free early.
//
// Waiters keep their slot descriptors open and sleep on inotify: the close
// of the last descriptor of a slot file (a holder ending, however it ends)
// fires IN_CLOSE on the directory, and they try F_OFD_SETLK again. The kernel
// queues that event just before it drops the lock (__fput: fsnotify_close,
// then locks_remove_file), so a waiter that loses that race retries after
// 1, 2, 4... ms, and never sleeps longer than a second without a look (a
// lost or overflowed event costs a second, never a hang).
//
// --wait and --status see a held slot with F_OFD_GETLK, which takes no lock
// (flock would have to take one, and a waiter's try would fail on it), on
// descriptors --wait keeps open (its own closes would wake it).
// The holder of a slot writes "PID START_MS COMMAND\n" into its file, for
// --status; a reader believes it only while the slot is locked, and
// validates it (numbers in range, the text cut at 1 KiB) because a shared
// semaphore's files may be written by another user.
//
// /dev/shm is every local user's: the directory is opened O_NOFOLLOW and
// checked (a directory; ours, or another user's whose mode lets us in by
// its permission bits -- root included, which the kernel would let in
// anyway), slot files likewise (regular, one link). --semaphore-mode sets
// the slot files' mode when the semaphore is made (0600: its user alone);
// the directory gets x for each class that may read or write, and the
// sticky bit once others may write, so that nobody removes a slot another
// user's holder locks.
//
// What it does not do: a -j 3 caller looks at slots 0-2 only, so callers
// that give different -j for the same ID bound each their own count; and a
// user allowed into a shared semaphore may hold all its slots.
#pragma once

#include <dirent.h>
#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command_template.h"
#include "fd.h"

namespace prockit {

class StopSignals;

// The options of the semaphore mode (run_args' table: kSemaphore...).
struct SemaphoreOptions {
    bool on = false;      // --semaphore, or any option below, or run as `sem`
    bool fg = false;      // --fg: wait for the command, its status is ours
    bool wait = false;    // --wait: until no slot is held
    bool status = false;  // --status: list the holders
    std::optional<std::string> id;  // --id; default: the terminal's name, as `tty` says it
    double timeout = 0;   // --semaphore-timeout: > 0 run anyway after it, < 0 give up (exit 1)
    unsigned mode = 0600; // --semaphore-mode: the slot files' mode when made
    unsigned jobs = 1;    // -j: the number of slots (GNU sem's default: 1, a mutex)
};

// The long options' values in run_args' table.
enum SemaphoreOption {
    kSemaphore = 1600, kSemaphoreTimeout, kSemaphoreName, kSemaphoreFg, kSemaphoreBg, kSemaphoreWait,
    kSemaphoreStatus, kSemaphoreMode,
};
// Parses one of them into `s` (and turns the mode on, as parallel does
// for each); false when `c` is none of them.
bool parse_semaphore_option(SemaphoreOptions& s, int c, const char* arg);
// True when argv[0]'s last component is "sem": as GNU parallel, pool-run
// run under that name is in semaphore mode.
bool called_as_sem(const char* argv0);

// The directory name of semaphore `id`: "prockit-sem." and the id with each
// byte other than [-_.A-Za-z0-9] written %XX. Error(Exit::usage) when empty
// or too long for a file name.
std::string semaphore_dir_name(std::string_view id);
// The id back from a directory name; nullopt when `name` is none.
std::optional<std::string> semaphore_id_of(std::string_view name);

// What a holder wrote in its slot file.
struct Holder {
    pid_t pid = 0;
    long long start_ms = 0;  // since the epoch
    std::string command;     // as written: escape it to print
};
// The record written for a holder, and its parse (nullopt: not a valid one).
std::string holder_record(pid_t pid, long long start_ms, std::string_view command);
std::optional<Holder> parse_holder(std::string_view text);

// One semaphore's directory, opened and checked (see above).
class SemaphoreDir {
public:
    // Opens (with `make`: makes, with `mode`) the semaphore `id`. Without
    // `make`, a missing one is an empty optional.
    static std::optional<SemaphoreDir> open(const std::string& id, bool make, unsigned mode);

    // Takes a free slot of the first `slots`, waiting for one; after
    // `timeout` seconds (0: never), < 0 gives up (Error(Exit::timed_out)),
    // > 0 takes a slot beyond them. A stop signal while waiting ends the
    // tool of it. Returns the slot's locked descriptor (close-on-exec) and
    // sets `index` to its number.
    Fd acquire(unsigned slots, double timeout, const StopSignals& stop, unsigned& index);
    // Waits until no slot is held.
    void wait_idle(const StopSignals& stop);
    // The slots held now: their numbers and what their holders wrote.
    std::vector<std::pair<unsigned, Holder>> holders() const;

    const std::string& id() const { return id_; }

private:
    SemaphoreDir(std::string id, Fd dir, unsigned mode) : id_(std::move(id)), dir_(std::move(dir)), mode_(mode) {}
    using Listing = std::unique_ptr<DIR, int (*)(DIR*)>;
    Fd open_slot(unsigned index) const;
    Listing listing() const;
    std::vector<unsigned> slots(DIR* dir) const;
    Fd probe(unsigned index) const;
    Fd watch_closes() const;

    std::string id_;
    Fd dir_;
    unsigned mode_;
};

// Semaphore mode, after the options: --status, --wait, or the command run
// once a slot is free (in the background, or with --fg as our status).
// `words` are the command's, its line composed and run as a job's (lib/
// command_template.h) with no input. Returns the exit status.
int run_semaphore(const SemaphoreOptions& s, const std::vector<std::string>& words, const ShellChoice& shell,
                  const ReplacementRules& rules);

}  // namespace prockit
