// The rest of GNU parallel's options that its documentation uses, each as
// /usr/bin/parallel does it on one machine:
//
//   --shellquote (-q's cousin: each job prints its line quoted, runs nothing);
//   --use-sockets-instead-of-threads, --use-cores-instead-of-threads (what
//     -j N% and +N count; --use-cpus-instead-of-cores, whose documentation
//     calls it the sockets one, counts threads on the local machine, as
//     parallel's ncpus() does);
//   --max-line-length-allowed (job_batch's probe of the longest line);
//   --process-slot-var NAME (the slot - 1, in NAME; PARALLEL_JOBSLOT0 by default);
//   -J/--profile (read before the options: lib/profile.h);
//   --tmpl FILE=NAME and --cleanup (lib/job_templates.h);
//   --noswap, --memfree SIZE (lib/pool_limits.h: no job starts meanwhile).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace prockit {

struct RunArgs;
class JobSource;

// Their values in run_args' option table (section R).
enum ExtraOption {
    kShellQuote = 1350, kMaxLineLengthAllowed, kUseSockets, kUseCores, kUseCpus, kProcessSlotVar, kProfile,
    kTemplate, kCleanup, kNoSwap, kMemFree,
};

// What they ask that is not the pool's (PoolOptions) or the command's (ShellChoice).
struct ExtraArgs {
    enum class CpuBasis { threads, cores, sockets } cpus = CpuBasis::threads;
    std::optional<std::string> jobs;                              // -j as given, counted again by `cpus`
    std::vector<std::string> profiles;                            // -J NAME, in order
    std::vector<std::pair<std::string, std::string>> templates;  // --tmpl FILE=NAME
    bool cleanup = false;                                         // --cleanup: the filled files removed
};

// One case per option; false when `c` is none of them.
bool parse_extra_option(RunArgs& a, int c, const char* arg);

// After the options: -j (given or not) counted in cores or sockets when
// asked; `cores` is what it was counted in (the online CPUs, threads).
void settle_cpu_basis(RunArgs& a, unsigned cores);

// Once the replacement rules are known (--header's names): --tmpl's
// templates read, and the source held back by --memfree and --noswap.
void apply_extras(RunArgs& a, std::unique_ptr<JobSource>& source);

// What --number-of-cores and the like, or --max-line-length-allowed, print
// (a.print_count says which): one line.
std::string count_answer(int print_count);

}  // namespace prockit
