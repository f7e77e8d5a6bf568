// pool-run: run a command once per input, N at a time.
//
// Inputs come from stdin (a line or -0 record each), -a files, ::: groups
// (their cross product) or a queue (--from). The job's command line is built
// with GNU parallel's replacement strings (lib/command_template.h) and run
// by the pool (lib/pool.h): posix_spawn into a process group of its own,
// each job a Boost.Process v2 handle (lib/launcher.h), one asio loop over
// their pidfds, output pipes, the input and the timers. Exit status as GNU
// parallel's, so scripts port unchanged.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <new>
#include <string>
#include <vector>

#include "command_template.h"
#include "cpu_count.h"
#include "diag.h"
#include "endpoint.h"
#include "input_files.h"
#include "input_sources.h"
#include "job_env.h"
#include "job_results.h"
#include "options.h"
#include "parallel_options.h"
#include "pool.h"
#include "profile.h"
#include "queue.h"
#include "queue_factory.h"
#include "run_args.h"
#include "semaphore.h"
#include "signals.h"

using namespace prockit;

namespace {

const char kUsage[] = "usage: pool-run [OPTION...] [COMMAND [ARG...]] [::: ARG... | :::: FILE...]...\n"
                      "       pool-run --pipe | --pipepart [OPTION...] COMMAND [ARG...]\n"
                      "       pool-run --semaphore [--id NAME] [-j N] [--bg | --fg] [--st SECONDS]\n"
                      "                [--semaphore-mode MODE] COMMAND [ARG...]\n"
                      "       pool-run --semaphore [--id NAME] --wait | --status\n";

// One option a line (or a few, indented), in the order of pool-run(1)'s
// OPTIONS: each option added is a line added.
const char kHelp[] =
    "\n"
    "Runs COMMAND once per input, N at a time. Inputs: the lines of stdin, of -a\n"
    "FILEs, the ARGs after each :::, the lines of each FILE after :::: ('-':\n"
    "stdin); several give their cross product (:::+ and ::::+ link a source to the\n"
    "one before), an empty one runs nothing.\n"
    "Replacement strings: {} the input, {.} without extension, {/} basename, {//}\n"
    "dirname, {/.} basename without extension, {#} job number, {%} slot (1..N),\n"
    "{N} the Nth input ({-N} from the end; {N.} {N/}...), {= perl =} the input\n"
    "after Perl ran on $_; more with --plus ({..} {+.} {%re} {/re/str} {:-str}...):\n"
    "pool-run(1), REPLACEMENT STRINGS.\n"
    "Without one, the inputs are added at the end. As GNU parallel, the words are\n"
    "joined into one line, values quoted, run by $PARALLEL_SHELL or the shell\n"
    "pool-run was started from; a line that is a simple command (plain words, no\n"
    "builtin first) is run directly, with no shell.\n"
    "\n"
    "  -0, --null            input records end in NUL\n"
    "  -a, --arg-file FILE   read inputs from FILE ('-': stdin)\n"
    "  --arg-sep SEP         SEP instead of ::: (SEP+ for :::+); --arg-file-sep\n"
    "                        SEP: instead of ::::\n"
    "  --bar[=always]        progress on stderr when it is a terminal; =always:\n"
    "                        whatever it is\n"
    "  --block SIZE          --pipe's blocks: SIZE bytes (default 1M; k m g: 1000s,\n"
    "                        K M G: 1024s); --pipepart: -N for N parts a slot\n"
    "  --cat                 --pipe's block in a temporary file, named by {}\n"
    "  -C, --colsep REGEX    split each input into columns {1} {2}... (implies\n"
    "                        --trim lr)\n"
    "  --csv                 read each input as CSV (separator: --colsep's one\n"
    "                        character, or ,)\n"
    "  --delay SECONDS       between job starts (units: 1m30s, 2h, 1d)\n"
    "  -d, --delimiter DELIM input records end in DELIM (\\n \\t \\r \\0 \\NNN)\n"
    "  --dry-run             print the commands, run nothing, write no file\n"
    "  -E, --eof STR         each input source ends at its line STR\n"
    "  --env NAME            no change: jobs have the whole environment (_ needs\n"
    "                        --record-env)\n"
    "  --eta                 --progress with the estimated time left\n"
    "  --files               each job's stdout in a file $TMPDIR/parXXXXX.par,\n"
    "                        its name printed\n"
    "  --fifo                --pipe's block through a FIFO, named by {}\n"
    "  --filter PERL         run a job only if PERL, its replacement strings\n"
    "                        replaced, is true\n"
    "  --from QUEUE          inputs from a shq queue, each marked done after its\n"
    "                        job; stops at the end-of-stream marker or after\n"
    "                        --idle SECONDS without a message\n"
    "  --halt WHEN,fail=N    now|soon,fail|success|done=N|N%: stop after N jobs\n"
    "                        failed (succeeded, finished); 1 2 -1 -2 N% as GNU\n"
    "                        parallel's\n"
    "  --header : | REGEX | 0  the first line of each source names its columns:\n"
    "                        {name}; --pipe: N lines, or REGEX, before each block\n"
    "  -h, --help            this help; -V, --version: the version\n"
    "  -I STR                STR instead of {}; --er, --bnr, --dnr, --bner,\n"
    "                        --seqreplace, --slotreplace STR: instead of {.} {/}\n"
    "                        {//} {/.} {#} {%}\n"
    "  -j, --jobs N          jobs at once: N, N% of the cores, 0 as many as 250,\n"
    "                        +N/-N the cores plus/minus N, FILE holding N\n"
    "                        (default: cores)\n"
    "  --joblog FILE         GNU parallel's joblog (- for standard output)\n"
    "  -J, --profile NAME    options from the profile ~/.parallel/NAME (default:\n"
    "                        ~/.parallel/config and the others, if there)\n"
    "  -k, --keep-order      output in input order\n"
    "  --line-buffer         whole lines as they come\n"
    "  --link, --xapply      sources side by side, the shorter ones starting over\n"
    "  -m                    as many inputs a job as its line allows (-s), spread\n"
    "                        over the slots\n"
    "  --max-line-length-allowed  print the longest command line, and exit\n"
    "  -L N, -l[N], --max-lines[=N]  as -n N, a line ending in a space or tab\n"
    "                        going on into the next; --pipe: records of N lines\n"
    "  --memfree SIZE        start no job while less memory than SIZE is free\n"
    "  -n, --max-args N      up to N inputs a job; -N, --max-replace-args N:\n"
    "                        {1}..{N} are they; --pipe: N records a block\n"
    "  --minversion VERSION  print the GNU parallel version followed; 255 if\n"
    "                        older than VERSION\n"
    "  --nice N              run the jobs at niceness N\n"
    "  --number-of-cores     print the number of cores (--number-of-threads,\n"
    "                        --number-of-sockets)\n"
    "  --noswap              start no job while the machine swaps in and out\n"
    "  --parens OPENCLOSE    other brackets for {= perl =}, cut in the middle:\n"
    "                        '[[]]'\n"
    "  --pipe                cut stdin into blocks at record ends, each one job's\n"
    "                        stdin; --pipepart: from the parts of the -a files\n"
    "  --plain               ignore $PARALLEL (extra options, split as a shell\n"
    "                        would)\n"
    "  --plus                more replacement strings: {..} {+.} {##} {%re}\n"
    "                        {/re/str} {:-str}...\n"
    "  --process-slot-var NAME  the job's slot - 1 in NAME (else in\n"
    "                        PARALLEL_JOBSLOT0)\n"
    "  --progress            GNU parallel's progress lines on stderr\n"
    "  -q, --quote           quote each word of COMMAND: it gets them as given,\n"
    "                        none the shell's\n"
    "  -r, --no-run-if-empty no job for an input of white space only\n"
    "  --recend STR          records end with STR (default \\n); --recstart STR:\n"
    "                        start with it\n"
    "  --record-env          record the environment's names for --env _, and exit\n"
    "  --regexp              --recstart and --recend are Perl regular expressions\n"
    "  --remove-rec-sep, --rrs  the record separators taken out of each block\n"
    "  --results NAME        output in files NAME/1/VALUE/.../{seq,stdout,stderr};\n"
    "                        NAME with replacement strings: that file; NAME.csv,\n"
    "                        .tsv, .json: records\n"
    "  --resume              with --joblog: skip the logged jobs\n"
    "  --resume-failed       with --joblog: rerun the logged jobs that failed\n"
    "  --retries N           run a failing job up to N times\n"
    "  --retry-failed        with --joblog: rerun the failed commands of the log,\n"
    "                        ignoring COMMAND and inputs\n"
    "  --round-robin         --pipe: one job a slot, each fed many blocks\n"
    "  --rpl 'TAG PERL'      TAG means {= PERL =}; a (group) in TAG is $$1 in PERL\n"
    "  -s, --max-chars N     each job's command line shorter than N (default\n"
    "                        63664)\n"
    "  --semaphore           as GNU sem (also implied when run as sem, by a link\n"
    "                        of that name): run COMMAND once one of the -j N\n"
    "                        slots (default 1) of semaphore --id NAME is free,\n"
    "                        in the background (--bg); --fg: wait, its status;\n"
    "                        --wait: until no slot is held; --status: the\n"
    "                        holders; --st SECS: <0 give up, >0 run anyway;\n"
    "                        --semaphore-mode MODE\n"
    "  --shell, --no-shell   always the shell, even for a simple line; or never:\n"
    "                        words as given\n"
    "  --shell-completion bash  print a bash completion of these options\n"
    "  --shellquote, --shell-quote  print each job's line quoted, run nothing\n"
    "  --shuf                run the jobs in a random order\n"
    "  --skip-first-line     drop the first line of the first input source\n"
    "  --tag                 each line after its inputs and a tab\n"
    "  --tagstring STR       each line after STR (replacement strings expanded)\n"
    "                        and a tab\n"
    "  --term-grace SECONDS  from SIGTERM to SIGKILL when a job is ended\n"
    "                        (default 1)\n"
    "  --termseq SEQ         how a job is ended: SIGNAL,MS,... as TERM,200,KILL,25\n"
    "  --timeout SECONDS     end a job after SECONDS; N% of the median runtime of\n"
    "                        successful jobs\n"
    "  --tmpl FILE=NAME      FILE, its replacement strings replaced, written to\n"
    "                        NAME before each job (--template); --cleanup:\n"
    "                        removed after it\n"
    "  --tmpdir DIR          TMPDIR, for --files and output beyond memory\n"
    "  --trim n|l|r|lr|rl    white space off the left, right or both ends of each\n"
    "                        input\n"
    "  -u, --ungroup         output not grouped\n"
    "  --use-sockets-instead-of-threads, --use-cores-instead-of-threads: -j counts\n"
    "                        sockets or cores (--use-cpus-instead-of-cores:\n"
    "                        threads, as GNU parallel)\n"
    "  -v                    each command first in its output; -t, --verbose: on\n"
    "                        stderr\n"
    "  -X                    as -m, the word around {} repeated per input;\n"
    "                        --xargs: -m unspread\n"
    "  --gnu, --will-cite, --no-notice, --nn, --group, --no-keep-order, --silent:\n"
    "                        accepted, as GNU parallel's (--no-keep-order undoes\n"
    "                        -k)\n"
    "GNU parallel's other spellings work too (dryrun, dr, jl, keeporder, lb,\n"
    "linebuffer, line-buffered, max-procs, P, output-as-files, res, tag-string,\n"
    "tempdir, term-seq, block-size, blocksize, spreadstdin, pipe-part, regex,\n"
    "removerecsep, roundrobin, round...); its remote options (S, sshlogin,\n"
    "transfer...) and the others pool-run lacks are refused: one line, 255.\n"
    "\n"
    "Exit status: 0 all jobs succeeded; 1-100 the number that failed; 101 more than\n"
    "100; with --halt ...=1, the status of the job that halted it; with N%, the\n"
    "percentage failed (rounded up); 128+N killed by signal N; 255 pool-run's own\n"
    "errors, usage errors and output that cannot be written included.\n";


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

// The options that print something and end the run, as parallel's:
// --number-of-cores and the like, --minversion, --shell-completion.
std::optional<int> answer(const RunArgs& a, const option* longopts) {
    if (a.print_count) return std::fputs(count_answer(a.print_count).c_str(), stdout), 0;  // and --max-line-length-allowed
    if (a.minversion) {
        // pool-run stands for the GNU parallel whose options it takes.
        std::printf("%s\n", kParallelVersion);
        return std::strtoull(kParallelVersion, nullptr, 10) >= std::strtoull(a.minversion->c_str(), nullptr, 10) ? 0 : 255;
    }
    if (!a.shell_completion.empty()) {
        if (a.shell_completion != "bash")
            throw Error(Exit::usage, "--shell-completion " + a.shell_completion + ": only bash is supported");
        std::fputs(bash_completion_script(longopts, kRunShortOptions).c_str(), stdout);
        return 0;
    }
    return std::nullopt;
}

// What the options ask of pool-run itself and of the pool, once the
// replacement rules are known: --tmpdir, --nice, --tag/--tagstring and a
// --results NAME with replacement strings.
void apply_output_options(RunArgs& a) {
    // As parallel sets them at its start, for the jobs (`~-`, $TMPDIR).
    const char* pwd = std::getenv("PWD");
    ::setenv("OLDPWD", pwd ? pwd : "", 1);
    if (const char* t = std::getenv("TMPDIR"); !t || !*t) ::setenv("TMPDIR", "/tmp", 1);
    if (a.tmpdir) ::setenv("TMPDIR", a.tmpdir->c_str(), 1);
    // Jobs inherit it; as parallel, a niceness the user may not take is not an error.
    if (a.nice) (void)::setpriority(PRIO_PROCESS, 0, *a.nice);
    OutputOptions& out = a.pool.output;
    out.header = a.rules.column_names;  // --header: --results names its directories so
    if (a.pool.tag) out.tag = std::make_shared<Expansion>(a.tagstring.value_or("{}"), a.rules);
    if (!out.results.empty() && results_kind(out.results) == ResultsKind::dir) {
        auto e = std::make_shared<Expansion>(out.results, a.rules);
        if (e->has_replacement()) out.results_template = e;
    }
}

}  // namespace

int main(int argc, char** argv) {
    set_program_name(called_as_sem(argv[0]) ? "sem" : "pool-run");  // as it was run: sem's messages say sem
    default_sigchld();
    set_usage_status(255);  // as GNU parallel
    check_stdout_at_exit(255);  // --help and --version too (lib/diag.h)
    try {
        std::vector<option> longopts = with_refused(kRunLongOptions);
        std::vector<std::string> env_words;
        std::vector<char*> args = with_profiles_and_env(argc, argv, longopts.data(), kUsage, kHelp, env_words);
        Options o(static_cast<int>(args.size()) - 1, args.data(), kRunShortOptions, longopts.data(), "", kUsage, kHelp);
        RunArgs a = parse_run_options(o, static_cast<unsigned>(sysconf(_SC_NPROCESSORS_ONLN)));
        a.sem.on |= called_as_sem(argv[0]);
        check(o, [&] { check_options(a); });
        if (std::optional<int> status = answer(a, longopts.data())) return *status;
        if (a.record_env) return record_env(), 0;  // as GNU parallel: nothing else is done
        check_env_names(a.env);
        if (a.shell.mode != CommandTemplate::Shell::never) a.shell.shell = pick_job_shell();
        if (a.sem.on) {  // GNU parallel's sem: the operands are one command, no input is read
            a.sem.jobs = a.jobs_given ? a.pool.jobs : 1;  // as sem: a mutex unless -j says
            return run_semaphore(a.sem, operands(o), a.shell, a.rules);
        }
        a.pool.bar = a.bar == Bar::always || (a.bar == Bar::on_terminal && isatty(STDERR_FILENO)) || a.pool.output.progress;
        parse_operands(a, operands(o));
        check(o, [&] { settle_pipe_files(a); });  // --pipepart: the files of :::: are cut, not read as lines
        read_groups(a);
        check(o, [&] { check_sources(a); });
        // --pipe, --pipepart: the pool cuts standard input or the files into blocks itself.
        if (a.skip_first_line && a.pool.pipe.mode == PipeOptions::Mode::pipe) skip_first_line(STDIN_FILENO);
        std::unique_ptr<JobSource> source = a.pool.pipe.mode == PipeOptions::Mode::none ? open_inputs(a)  // first: --header names columns for the template
                                                                                         : combined_source({}, {}, false);
        CommandTemplate cmd(a.command, a.shell, a.rules);
        apply_output_options(a);
        source = counted_if_needed(std::move(source), cmd, a);  // {##} of a stream: read to its end first
        apply_extras(a, source);  // --tmpl, --memfree, --noswap (lib/parallel_extras.h)
        StopSignals stop;
        return run_pool(cmd, *source, a.pool, stop);
    } catch (const Stopped& s) {
        s.die();  // a stop signal while user Perl ran (lib/perl_eval.h): the jobs have ended
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
