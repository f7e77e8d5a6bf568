// pool-run: run a command once per input, N at a time.
//
// Inputs come from stdin (a line or -0 record each), -a files, ::: groups
// (their cross product) or a queue (--from). The job's command line is built
// with GNU parallel's replacement strings (lib/command_template.h) and run
// by the pool (lib/pool.h): posix_spawn into a process group of its own,
// each job a Boost.Process v2 handle (lib/launcher.h), one asio loop over
// their pidfds, output pipes, the input and the timers. Exit status as GNU
// parallel's, so scripts port unchanged.
#include <unistd.h>

#include <new>
#include <string>
#include <vector>

#include "command_template.h"
#include "diag.h"
#include "endpoint.h"
#include "input_files.h"
#include "input_sources.h"
#include "job_env.h"
#include "options.h"
#include "pool.h"
#include "queue.h"
#include "queue_factory.h"
#include "run_args.h"
#include "signals.h"

using namespace prockit;

namespace {

const char kUsage[] = "usage: pool-run [OPTION...] [COMMAND [ARG...]] [::: ARG... | :::: FILE...]...\n";

// One option a line (or a few, indented), in the order of pool-run(1)'s
// OPTIONS: each option added is a line added.
const char kHelp[] =
    "\n"
    "Runs COMMAND once per input, N at a time. Inputs: the lines of stdin, of -a FILEs, the\n"
    "ARGs after each :::, the lines of each FILE after :::: ('-': stdin); several give their\n"
    "cross product, and an empty group runs nothing.\n"
    "Replacement strings: {} the input, {.} without extension, {/} basename, {//} dirname,\n"
    "{/.} basename without extension, {#} job number, {%} slot (1..N), {N} the Nth input.\n"
    "Without one, the input is the last argument. COMMAND given as one word with spaces or\n"
    "shell syntax runs under /bin/sh -c, the inputs quoted; as separate words, directly.\n"
    "\n"
    "  -0, --null            input records end in NUL\n"
    "  -a, --arg-file FILE   read inputs from FILE ('-': stdin)\n"
    "  --bar[=always]        progress on stderr when it is a terminal; =always: whatever it is\n"
    "  --dry-run             print the commands, run nothing\n"
    "  --from QUEUE          inputs from a shq queue, each marked done after its job; stops at the\n"
    "                        end-of-stream marker or after --idle SECONDS without a message\n"
    "  --halt WHEN,fail=N    now|soon,fail|success=N|N%: stop after N jobs failed (succeeded)\n"
    "  -j, --jobs N          jobs at once: N, N% of the cores, 0 as many as 250 (default: cores)\n"
    "  --joblog FILE         GNU parallel's joblog\n"
    "  -k, --keep-order      output in input order\n"
    "  --line-buffer         whole lines as they come\n"
    "  --shell, --no-shell   under /bin/sh -c, or directly, whatever COMMAND looks like\n"
    "  --resume              with --joblog: skip the logged jobs\n"
    "  --resume-failed       with --joblog: rerun the logged jobs that failed\n"
    "  --retries N           run a failing job up to N times\n"
    "  --retry-failed        with --joblog: rerun the failed commands of the log, ignoring\n"
    "                        COMMAND and inputs\n"
    "  --tag                 each line after its inputs and a tab\n"
    "  --term-grace SECONDS  from SIGTERM to SIGKILL when a job is ended (default 1)\n"
    "  --timeout SECONDS     end a job after SECONDS; N% of the median runtime of successful jobs\n"
    "  -u, --ungroup         output not grouped\n"
    "\n"
    "Exit status: 0 all jobs succeeded; 1-100 the number that failed; 101 more than 100;\n"
    "with --halt, the status of the job that halted it; 128+N killed by signal N;\n"
    "255 pool-run's own errors, usage errors and output that cannot be written included.\n";


// Misuse found by a check of lib/run_args.h: said as Options says it.
template <class F>
void check(const Options& o, F f) {
    try {
        f();
    } catch (const Error& e) {
        if (e.status() != Exit::usage) throw;
        o.fail("%s", e.what());
    }
}

std::vector<std::string> operands(const Options& o) {
    std::vector<std::string> v;
    for (int i = 0; i < o.count(); ++i) v.push_back(o.operand(i));
    return v;
}

}  // namespace

int main(int argc, char** argv) {
    set_program_name("pool-run");
    default_sigchld();
    set_usage_status(255);  // as GNU parallel
    check_stdout_at_exit(255);  // --help and --version too (lib/diag.h)
    try {
        Options o(argc, argv, kRunShortOptions, kRunLongOptions, "", kUsage, kHelp);
        RunArgs a = parse_run_options(o, static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN)));
        check(o, [&] { check_options(a); });
        if (a.record_env) return record_env(), 0;  // as GNU parallel: nothing else is done
        check_env_names(a.env);
        if (a.shell.mode != CommandTemplate::Shell::never) a.shell.shell = pick_job_shell();
        a.pool.bar = a.bar == Bar::always || (a.bar == Bar::on_terminal && isatty(STDERR_FILENO));
        parse_operands(a, operands(o));
        read_groups(a);
        check(o, [&] { check_sources(a); });
        std::unique_ptr<JobSource> source = open_inputs(a);  // first: --header names columns for the template
        CommandTemplate cmd(a.command, a.shell, a.rules);
        StopSignals stop;
        return run_pool(cmd, *source, a.pool, stop);
    } catch (const Error& e) {
        warn("%s", e.message().c_str());
        return e.status() == Exit::usage ? usage_status() : 255;
    } catch (const std::bad_alloc&) {
        // The pool has ended its jobs before letting this out (lib/pool.h).
        warn("out of memory");
        return 255;
    } catch (const std::exception& e) {
        warn("%s", e.what());
        return 255;
    }
}
