// The Perl that GNU parallel's {= expr =}, --rpl and --filter run: one
// long-lived `perl` helper process per pool-run, started on first use (a
// command with only {} never starts it), which compiles each expression
// once into a sub and evaluates it per input as parallel does in its own
// process: $_ is the input, @arg the job's inputs ($arg[1] the first),
// $job->seq(), slot(), skip(), uq(), Q(), total_jobs(), and globals keep
// their values from one job to the next.
//
// Why a separate process and not an embedded interpreter: perl-base is on
// every Debian system but libperl-dev is not, and a crash or an endless
// loop in user Perl stays in the helper. The cost is one round trip per
// job over a socketpair, only for commands that use Perl.
//
// The wire: every message both ways is a list of strings, each written as
// its length in decimal, a newline, then its bytes, so no input needs
// quoting. The helper talks on a socket of its own (its stdin and stdout
// are /dev/null and our stderr, so a `print` in user code cannot reach our
// stdout nor the protocol), and it exits when the socket reaches end of
// file: when we close it; the kernel kills it when we die, even by SIGKILL
// (PR_SET_PDEATHSIG), so user Perl that loops does not outlive us either.
// The destructor closes it and reaps the helper, so it never outlives us as
// a zombie. A stop signal that comes while we wait for its answer kills it.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "fd.h"

namespace prockit {

class PerlEval {
public:
    // The one helper of this process, started on first call.
    static PerlEval& instance();
    // Whether instance() has started the helper.
    static bool running();

    // Compiles `code` into a sub and returns its number (the same code,
    // the same number). A syntax error is
    // Error(Exit::usage, "cannot use {= CODE =}: REASON"), one line;
    // `shown` is how the expression is named to the user.
    size_t compile(const std::string& code, const std::string& shown);

    struct Job {
        const std::vector<std::string>* args = nullptr;  // the job's inputs, $arg[1]...
        unsigned long long seq = 0, total = 0;
        unsigned slot = 0;
    };
    struct Call {
        size_t sub;  // from compile()
        size_t arg;  // index into Job::args: the $_ it starts from
    };
    struct Value {
        std::string text;
        bool unquoted = false;  // uq() was called
    };
    // Runs each call in order; `skip` is set when one called skip(). A
    // die in user code is Error(Exit::usage, "{= CODE =}: REASON").
    // Values are kept for the job (its seq and slot) as parallel keeps
    // them on its Arg: a sub runs once per input of a job, however often
    // the job's line is composed (display, argv, a length probe).
    std::vector<Value> evaluate(const Job& job, const std::vector<Call>& calls, bool& skip);

    // --filter: `code` (its replacement strings already replaced) is
    // true for this job. A filter that does not compile is false, as in
    // GNU parallel.
    bool filter(const Job& job, const std::string& code);
    // Whether the job's Perl called skip() (as far as it has run).
    bool skipped(unsigned long long seq, unsigned slot) const;

    ~PerlEval();
    PerlEval(const PerlEval&) = delete;
    PerlEval& operator=(const PerlEval&) = delete;

private:
    PerlEval();
    std::vector<std::string> round_trip(const std::vector<std::string>& message);
    struct JobKept;
    void run(const std::vector<std::string>& message, const std::vector<const Call*>& calls,
             const std::vector<std::string>& args, JobKept& k);
    void send(const std::vector<std::string>& message);
    std::string receive_string();
    char next_byte();
    [[noreturn]] void stopped(int sig);
    static void add_job(std::vector<std::string>& message, const Job& job);

    Fd sock_;
    pid_t pid_ = -1;
    std::vector<std::string> shown_;  // by sub number
    std::map<std::string, size_t> subs_;  // by code
    struct Kept {
        std::string arg;  // the input it ran on
        Value value;
    };
    struct JobKept {
        std::map<std::pair<size_t, size_t>, Kept> values;  // by (sub, input)
        bool skip = false;
        size_t bytes = 0;  // of its inputs and values
    };
    // By (seq, slot), the latest jobs': a job's line is made again when it
    // ends (the joblog, --halt's message), after later jobs have started.
    // The oldest go past kKeptJobs jobs or kKeptBytes of inputs and values
    // (a job's line made again after that runs its Perl again), so that
    // memory is bounded whatever the values' size.
    static constexpr size_t kKeptJobs = 4096, kKeptBytes = size_t{8} << 20;
    std::map<std::pair<unsigned long long, unsigned>, JobKept> kept_;
    size_t kept_bytes_ = 0;
    JobKept& kept(const Job& job);
    void keep(JobKept& k, std::pair<size_t, size_t> key, Kept value);
    std::string buf_;
    size_t at_ = 0;
};

// The helper's Perl program (lib/perl_eval_script.cpp).
extern const char* const kPerlHelperScript;

}  // namespace prockit
