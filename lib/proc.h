// Reading processes from /proc, the way ps does but with fewer system calls:
// one getdents64 per few hundred processes, then one open, read and close
// of /proc/PID/stat each. Processes come and go during a scan; one that has
// gone by the time it is read is skipped, never an error.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace prockit {

struct ProcStat {
    pid_t pid = 0, ppid = 0, pgid = 0;
    char state = '?';          // R S D Z T t X I ..., as ps shows it
    uint64_t start_ticks = 0;  // start time since boot, in clock ticks: with pid, a process's identity
    std::string comm;          // the kernel's name for it, at most 15 bytes, any but NUL: escape it to show it
};

// Parses the text of /proc/PID/stat. The name is split off at the last ')',
// since it may itself hold spaces and parentheses. False if it does not parse.
bool parse_stat(std::string_view text, ProcStat& out);

// Reads /proc/PID/stat; false if the process does not exist (any more).
bool read_stat(pid_t pid, ProcStat& out);

// The one-letter state of PID, or 0 if it does not exist.
char process_state(pid_t pid);

// The parent of PID, or 0 if it does not exist.
pid_t parent_of(pid_t pid);

// True if PID is a zombie now.
bool is_zombie(pid_t pid);

// True once PID, a child of `ppid`, has been reaped: it is gone from /proc,
// or its pid now belongs to another parent's process.
bool is_gone(pid_t pid, pid_t ppid);

// "pid 4242 (sleep)", or "pid 4242" once it is gone: for messages.
std::string describe_process(pid_t pid);

// The command line of PID, its arguments joined by spaces; "[comm]" when it
// has none (a kernel thread, a zombie), as ps shows it. "" once it is gone.
// As the process wrote it, control characters and all: escape it to show it
// (lib/text.h).
std::string read_command(pid_t pid, std::string_view comm);

// Calls f for every process in /proc (threads are not listed).
void scan_processes(const std::function<void(const ProcStat&)>& f);

// Every process now alive whose ancestors include `root` (not root itself),
// given all processes of one scan.
std::vector<pid_t> descendants(pid_t root, const std::vector<ProcStat>& all);

// True if `ancestor` is the parent of `pid`, or its parent's parent, and so
// on up the tree.
bool is_ancestor(pid_t ancestor, pid_t pid);

// A zombie and what a person needs to cure it: its parent, which has not
// waited for it, and how many zombies that parent holds.
struct Zombie {
    ProcStat proc;
    std::string parent_command;
    std::string parent_name;  // the parent's comm: "" once it is gone
    unsigned parent_zombies = 0;
};

// Every zombie now, or (when `under` is not 0) only the descendants of
// `under`; in pid order.
std::vector<Zombie> find_zombies(pid_t under = 0);

}  // namespace prockit
