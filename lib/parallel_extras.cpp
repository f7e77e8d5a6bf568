#include "parallel_extras.h"

#include <cstring>

#include "cpu_count.h"
#include "diag.h"
#include "job_batch.h"
#include "job_sources.h"
#include "job_templates.h"
#include "parallel_options.h"
#include "parse.h"
#include "pool_limits.h"
#include "run_args.h"

namespace prockit {

namespace {

// --tmpl FILE=NAME: split at the first '=', as Getopt::Long splits a hash option.
std::pair<std::string, std::string> parse_template(const char* arg) {
    const char* eq = std::strchr(arg, '=');
    if (!eq || eq == arg || eq[1] == '\0')
        throw Error(Exit::usage, std::string("invalid --tmpl '") + arg + "': expected FILE=NAME, such as my.tmpl={#}.t");
    return {std::string(arg, static_cast<size_t>(eq - arg)), eq + 1};
}

// --process-slot-var NAME: a name the environment can hold.
std::string parse_variable_name(const char* arg) {
    if (!*arg || std::strchr(arg, '='))
        throw Error(Exit::usage, std::string("invalid --process-slot-var '") + arg + "': expected a variable name");
    return arg;
}

// --memfree SIZE: a size as --block takes it (1.5G, 512M, 100k), the bytes
// it comes to as parallel counts them (its integer part).
unsigned long long parse_memfree(const char* arg) {
    long double v = parse_parallel_size(arg, "--memfree");
    if (v < 0 || v >= 1.8e19L)
        throw Error(Exit::usage, std::string("invalid --memfree '") + arg + "': expected a size from 0 up, such as 1.5G");
    return static_cast<unsigned long long>(v);
}

}  // namespace

bool parse_extra_option(RunArgs& a, int c, const char* arg) {
    PoolOptions& p = a.pool;
    ExtraArgs& x = a.extra;
    switch (c) {
        case kShellQuote: ++a.shell.shellquote; break;  // each one quotes once more, as parallel's
        case kMaxLineLengthAllowed: a.print_count = kMaxLineLengthAllowed; break;
        case kUseSockets: x.cpus = ExtraArgs::CpuBasis::sockets; break;
        case kUseCores: x.cpus = ExtraArgs::CpuBasis::cores; break;
        case kUseCpus: break;  // parallel's ncpus() counts threads for the local machine whatever it says
        case kProcessSlotVar: p.process_slot_var = parse_variable_name(arg); break;
        case 'J': case kProfile: x.profiles.push_back(arg); break;  // read before the options (lib/profile.h)
        case kTemplate: x.templates.push_back(parse_template(arg)); break;
        case kCleanup: x.cleanup = true; break;
        case kNoSwap: p.noswap = true; break;
        case kMemFree: p.memfree = parse_memfree(arg); break;
        default: return false;
    }
    return true;
}

void settle_cpu_basis(RunArgs& a, unsigned cores) {
    if (a.extra.cpus == ExtraArgs::CpuBasis::threads) return;
    CpuCounts counts = count_cpus();
    unsigned n = a.extra.cpus == ExtraArgs::CpuBasis::cores ? counts.cores : counts.sockets;
    if (n == cores) return;
    a.pool.jobs = a.extra.jobs ? parse_jobs(a.extra.jobs->c_str(), n) : n;
}

void apply_extras(RunArgs& a, std::unique_ptr<JobSource>& source) {
    if (!a.extra.templates.empty())
        a.pool.templates = std::make_shared<JobTemplates>(a.extra.templates, a.rules, a.extra.cleanup);
    source = gated_source(std::move(source), a.pool);
}

std::string count_answer(int print_count) {
    if (print_count == kMaxLineLengthAllowed) return std::to_string(max_line_length()) + "\n";
    CpuCounts c = count_cpus();
    return std::to_string(print_count == kNumberOfThreads ? c.threads : print_count == kNumberOfSockets ? c.sockets : c.cores) +
           "\n";
}

}  // namespace prockit
