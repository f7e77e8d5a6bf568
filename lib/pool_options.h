// What pool-run's options ask of the pool (lib/run_args.h parses them), in
// a header of its own: the pool's parts read it without including pool.h,
// so the pool depends on its parts and never the other way round.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "pipe_blocks.h"

namespace prockit {

struct Halt {
    enum class When { never, soon, now } when = When::never;
    bool on_success = false;  // success=N rather than fail=N
    bool on_done = false;     // done=N: jobs finished, failed or not
    double count = 1;
    bool percent = false;
};

// How records are taken into jobs (lib/job_batch.h): -n/-N, -m/-X/--xargs, -s.
struct Batch {
    unsigned long long max_args = 1;  // records per job at most; 0: as many as the line allows
    bool spread = false;              // -m/-X: the last records spread over the job slots
    bool limit_length = false;        // -m/-X/--xargs/-s/-n N>1: the line stays under max_chars
    unsigned long long max_chars = 0; // -s; 0: GNU parallel's default (job_batch.h)
};

// One step of --termseq: send `sig`, then wait up to `wait` seconds.
struct TermStep {
    int sig;
    double wait;
    bool operator==(const TermStep&) const = default;
};

class Expansion;
class JobTemplates;

// Where the jobs' output goes besides (or instead of) standard output.
struct OutputOptions {
    std::shared_ptr<const Expansion> tag;  // --tag / --tagstring: each line's prefix, before a tab
    unsigned verbose = 0;                  // -v: the command first in the job's output
    bool verbose_stderr = false;           // -t: the command on stderr as the job starts
    bool files = false;                    // --files: output in a file whose name is printed
    std::string results;                   // --results NAME (DIR, TEMPLATE, X.csv, X.tsv, X.json)
    std::shared_ptr<const Expansion> results_template;  // NAME when it has a replacement string
    std::vector<std::string> header;       // --header names of the input sources (else 1, 2...)
    bool progress = false, eta = false;    // --progress, --eta
};

struct PoolOptions {
    unsigned jobs = 1;
    bool keep_order = false, line_buffer = false, ungroup = false, tag = false;
    double timeout = 0;          // seconds; 0: none
    double timeout_percent = 0;  // or this % of the median runtime of the jobs that succeeded
    unsigned retries = 1;  // attempts per job, as GNU parallel's --retries
    Halt halt;
    double term_grace = 1.0;
    std::string joblog;
    bool resume = false, resume_failed = false, retry_failed = false;
    bool dry_run = false, bar = false;
    bool null_stdin = false;  // jobs read /dev/null (pool-run's stdin is the input)
    Batch batch;
    // D: options
    OutputOptions output;
    double delay = 0;                 // --delay: seconds between job starts
    std::vector<TermStep> termseq;    // --termseq; empty: TERM, --term-grace, KILL
    PipeOptions pipe;                 // --pipe, --pipepart (lib/pipe_blocks.h)
    // R: the job's slot variable, --tmpl, and what the machine must have free
    std::string process_slot_var = "PARALLEL_JOBSLOT0";  // --process-slot-var: the slot - 1
    std::shared_ptr<const JobTemplates> templates;       // --tmpl FILE=NAME (lib/job_templates.h)
    bool noswap = false;                                 // --noswap: no job starts while swapping
    unsigned long long memfree = 0;                      // --memfree: nor with less memory free
};

}  // namespace prockit
