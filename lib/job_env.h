// What each job sees in its environment, as in GNU parallel: pool-run's
// own, with PARALLEL_SEQ (the job's sequence number), PARALLEL_JOBSLOT
// (its slot, 1..-j), the slot - 1 in --process-slot-var's NAME
// (PARALLEL_JOBSLOT0 by default) and PARALLEL_PID (pool-run's pid) set for
// it -- the same names given to pool-run are replaced, so a pool-run inside
// a job numbers its own -- and without the variables pool-run keeps to itself.
//
// And GNU parallel's --env and --record-env, as far as they mean something
// on one machine: a job already sees every exported variable and
// function, so --env NAME changes nothing; `--env _` (all variables but
// those recorded) needs the record made by --record-env first, which is
// the names in ignored_vars of parallel's own configuration directory.
#pragma once

#include <array>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace prockit {

class JobEnvironment {
public:
    explicit JobEnvironment(std::initializer_list<std::string_view> without,
                            const std::string& slot_var = "PARALLEL_JOBSLOT0");
    JobEnvironment(const JobEnvironment&) = delete;
    JobEnvironment& operator=(const JobEnvironment&) = delete;

    // The environment of job `seq` in `slot`, good until the next call:
    // the per-job values are written in place, for no allocation per job.
    char* const* for_job(unsigned long long seq, unsigned slot);

private:
    std::vector<std::string> vars_;
    std::array<char, 40> seq_{}, slot_{};
    std::string pid_, slot0_;  // slot0_: NAME= and room for the number, written in place
    size_t slot0_name_ = 0;
    std::vector<char*> ptrs_;
};

// GNU parallel's configuration directories: those that exist of
// $PARALLEL_HOME, $XDG_CONFIG_HOME/parallel, each of $XDG_CONFIG_DIRS
// /parallel, ~/.parallel, in that order (profiles are looked for in each).
std::vector<std::string> parallel_config_dirs();
// Its configuration directory: the first of those; else ~/.parallel.
std::string parallel_config_dir();

// --record-env: the names of the variables GNU parallel's environment has
// when it records them, one a line, in ignored_vars of that directory
// (made if missing): ours, and those it sets at its start (OLDPWD,
// PARALLEL_RSYNC_OPTS, PARALLEL_HOME, and HOME, TMPDIR,
// PARALLEL_REMOTE_TMPDIR when unset), in environ's order (parallel's is
// Perl's hash order, random).
// Throws Error.
void record_env();
// The names it records, for an environment `env` (null-terminated, as environ).
std::vector<std::string> recorded_names(char* const* env);

// --env NAME[,NAME...] as given (each may be repeated): checks that `_`
// has its record. Throws Error(Exit::failure) when it has none.
void check_env_names(const std::vector<std::string>& names);

}  // namespace prockit
