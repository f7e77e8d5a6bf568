#include "run_args.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "diag.h"
#include "fd.h"
#include "options.h"
#include "parallel_options.h"
#include "parse.h"

namespace prockit {

namespace {

enum Long {
    kLineBuffer = 1000, kTag, kTimeout, kRetries, kHalt, kTermGrace, kJoblog, kResume, kResumeFailed,
    kRetryFailed, kDryRun, kBar, kShell, kNoShell, kFrom, kIdle,
    // A: shell
    kEnv, kRecordEnv,
    kShellEnd = 1100,
    // B: replacement
    kPlus, kParens, kRpl, kExtensionReplace, kBasenameReplace, kDirnameReplace, kBasenameExtensionReplace,
    kSeqReplace, kSlotReplace, kFilter,
    kReplacementEnd = 1200,
    // C: inputs
    kArgSep, kArgFileSep, kLink, kEof, kShuf, kCsv, kTrim, kHeader, kXargs, kMaxLines, kSkipFirstLine,
    kInputsEnd = 1300,
    // D: options
    kOptionsEnd = 1400,
};

Bar parse_bar(const char* text, const Options& o) {
    if (!text || std::strcmp(text, "auto") == 0) return Bar::on_terminal;
    if (std::strcmp(text, "always") == 0) return Bar::always;
    o.fail("invalid --bar=%s: expected --bar or --bar=always", text);
}

// B: --parens: its first half opens Perl, its second closes it.
std::string parse_parens(const char* text) {
    std::string t = text;
    if (t.size() < 2) throw Error(Exit::usage, "invalid --parens '" + t + "': expected the two halves of a string, such as {==}");
    return t;
}

// B: -I, --er...: an empty string would be found at every place of every
// word, so the substitution never ends (parallel loops forever there).
std::string replacement_string(const char* option, const char* text) {
    if (*text == '\0') throw Error(Exit::usage, std::string(option) + ": empty replacement string");
    return text;
}

// C: an optional value as Getopt::Long's ':s' takes it: attached (--eof=x),
// or the next word when that is not an option (--eof x); else "".
std::string optional_value(const Options& o) {
    if (optarg) return optarg;
    if (o.count() == 0 || (o.operand(0)[0] == '-' && o.operand(0)[1] != '\0')) return "";
    std::string v = o.operand(0);
    ++optind;  // taken: getopt goes on after it
    return v;
}

// C: -l's value as Getopt::Long's ':f' takes it: attached (-l2,
// --max-lines=2), or the next word when it is a number (-l 2, -l -0);
// else none (-l echo: echo is the command).
std::optional<std::string> optional_number(const Options& o) {
    if (optarg) return std::string(optarg);
    if (o.count() == 0) return std::nullopt;
    std::string w = o.operand(0);
    size_t i = w[0] == '-' || w[0] == '+' ? 1 : 0;
    if (i == w.size() || w.find_first_not_of("0123456789.", i) != std::string::npos || std::count(w.begin(), w.end(), '.') > 1 ||
        w.find_first_of("0123456789") == std::string::npos)
        return std::nullopt;
    ++optind;  // taken: getopt goes on after it
    return w;
}

}  // namespace

// The short options, for Options: each package adds its letters in its
// section (a letter followed by ':' takes a value).
const char kRunShortOptions[] =
    "j:0a:ku"
    // A: shell
    "q"
    // B: replacement
    "I:"
    // C: inputs
    "n:N:mXs:d:E:rC:L:l::"
    // D: options
    "vtVP:"
    "S:MpoJ:xD:YTH:B:W:g";  // refused (lib/parallel_options.h)

const option kRunLongOptions[] = {
    {"line-buffer", no_argument, nullptr, kLineBuffer}, {"tag", no_argument, nullptr, kTag},
    {"timeout", required_argument, nullptr, kTimeout},  {"retries", required_argument, nullptr, kRetries},
    {"halt", required_argument, nullptr, kHalt},        {"term-grace", required_argument, nullptr, kTermGrace},
    {"joblog", required_argument, nullptr, kJoblog},    {"resume", no_argument, nullptr, kResume},
    {"resume-failed", no_argument, nullptr, kResumeFailed}, {"dry-run", no_argument, nullptr, kDryRun},
    {"retry-failed", no_argument, nullptr, kRetryFailed},
    {"bar", optional_argument, nullptr, kBar},          {"shell", no_argument, nullptr, kShell},
    {"no-shell", no_argument, nullptr, kNoShell},       {"from", required_argument, nullptr, kFrom},
    {"idle", required_argument, nullptr, kIdle},
    {"keep-order", no_argument, nullptr, 'k'},          {"ungroup", no_argument, nullptr, 'u'},
    {"jobs", required_argument, nullptr, 'j'},          {"null", no_argument, nullptr, '0'},
    {"arg-file", required_argument, nullptr, 'a'},
    // A: shell
    {"quote", no_argument, nullptr, 'q'},                {"env", required_argument, nullptr, kEnv},
    {"record-env", no_argument, nullptr, kRecordEnv},    {"recordenv", no_argument, nullptr, kRecordEnv},
    // B: replacement
    {"plus", no_argument, nullptr, kPlus},               {"parens", required_argument, nullptr, kParens},
    {"rpl", required_argument, nullptr, kRpl},           {"filter", required_argument, nullptr, kFilter},
    {"extensionreplace", required_argument, nullptr, kExtensionReplace},
    {"er", required_argument, nullptr, kExtensionReplace},
    {"basenamereplace", required_argument, nullptr, kBasenameReplace},
    {"bnr", required_argument, nullptr, kBasenameReplace},
    {"dirnamereplace", required_argument, nullptr, kDirnameReplace},
    {"dnr", required_argument, nullptr, kDirnameReplace},
    {"basenameextensionreplace", required_argument, nullptr, kBasenameExtensionReplace},
    {"bner", required_argument, nullptr, kBasenameExtensionReplace},
    {"seqreplace", required_argument, nullptr, kSeqReplace}, {"slotreplace", required_argument, nullptr, kSlotReplace},
    // C: inputs
    {"max-args", required_argument, nullptr, 'n'},       {"max-replace-args", required_argument, nullptr, 'N'},
    {"xargs", no_argument, nullptr, kXargs},             {"max-chars", required_argument, nullptr, 's'},
    {"delimiter", required_argument, nullptr, 'd'},      {"eof", optional_argument, nullptr, kEof},
    {"no-run-if-empty", no_argument, nullptr, 'r'},      {"shuf", no_argument, nullptr, kShuf},
    {"colsep", required_argument, nullptr, 'C'},         {"col-sep", required_argument, nullptr, 'C'},
    {"csv", no_argument, nullptr, kCsv},                 {"trim", required_argument, nullptr, kTrim},
    {"header", required_argument, nullptr, kHeader},     {"link", no_argument, nullptr, kLink},
    {"xapply", no_argument, nullptr, kLink},             {"arg-sep", required_argument, nullptr, kArgSep},
    {"arg-file-sep", required_argument, nullptr, kArgFileSep},
    {"max-lines", optional_argument, nullptr, kMaxLines}, {"maxlines", optional_argument, nullptr, kMaxLines},
    {"skip-first-line", no_argument, nullptr, kSkipFirstLine},
    {"skipfirstline", no_argument, nullptr, kSkipFirstLine},
    // P: --pipe, --pipepart (lib/pipe_args.h), in parallel's spellings
    {"pipe", no_argument, nullptr, kPipe},               {"spreadstdin", no_argument, nullptr, kPipe},
    {"pipepart", no_argument, nullptr, kPipePart},       {"pipe-part", no_argument, nullptr, kPipePart},
    {"block", required_argument, nullptr, kBlock},       {"block-size", required_argument, nullptr, kBlock},
    {"blocksize", required_argument, nullptr, kBlock},   {"recstart", required_argument, nullptr, kRecStart},
    {"recend", required_argument, nullptr, kRecEnd},     {"regexp", no_argument, nullptr, kRegexp},
    {"regex", no_argument, nullptr, kRegexp},            {"remove-rec-sep", no_argument, nullptr, kRemoveRecSep},
    {"removerecsep", no_argument, nullptr, kRemoveRecSep}, {"rrs", no_argument, nullptr, kRemoveRecSep},
    {"round-robin", no_argument, nullptr, kRoundRobin},  {"roundrobin", no_argument, nullptr, kRoundRobin},
    {"round", no_argument, nullptr, kRoundRobin},        {"cat", no_argument, nullptr, kCat},
    {"fifo", no_argument, nullptr, kFifo},
    // D: options
    {"results", required_argument, nullptr, kResults},   {"result", required_argument, nullptr, kResults},
    {"res", required_argument, nullptr, kResults},       {"files", no_argument, nullptr, kFiles},
    {"output-as-files", no_argument, nullptr, kFiles},   {"outputasfiles", no_argument, nullptr, kFiles},
    {"tagstring", required_argument, nullptr, kTagString}, {"tag-string", required_argument, nullptr, kTagString},
    {"delay", required_argument, nullptr, kDelay},       {"nice", required_argument, nullptr, kNice},
    {"termseq", required_argument, nullptr, kTermSeq},   {"term-seq", required_argument, nullptr, kTermSeq},
    {"eta", no_argument, nullptr, kEta},                 {"progress", no_argument, nullptr, kProgress},
    {"minversion", required_argument, nullptr, kMinVersion}, {"min-version", required_argument, nullptr, kMinVersion},
    {"number-of-cores", no_argument, nullptr, kNumberOfCores}, {"numberofcores", no_argument, nullptr, kNumberOfCores},
    {"number-of-cpus", no_argument, nullptr, kNumberOfCores}, {"numberofcpus", no_argument, nullptr, kNumberOfCores},
    {"number-of-threads", no_argument, nullptr, kNumberOfThreads},
    {"numberofthreads", no_argument, nullptr, kNumberOfThreads},
    {"number-of-sockets", no_argument, nullptr, kNumberOfSockets},
    {"numberofsockets", no_argument, nullptr, kNumberOfSockets},
    {"shell-completion", required_argument, nullptr, kShellCompletion},
    {"shellcompletion", required_argument, nullptr, kShellCompletion},
    {"tmpdir", required_argument, nullptr, kTmpdir},     {"tempdir", required_argument, nullptr, kTmpdir},
    {"plain", no_argument, nullptr, kPlain},             {"gnu", no_argument, nullptr, kAccepted},
    {"will-cite", no_argument, nullptr, kAccepted},      {"willcite", no_argument, nullptr, kAccepted},
    {"nn", no_argument, nullptr, kAccepted},             {"nonotice", no_argument, nullptr, kAccepted},
    {"no-notice", no_argument, nullptr, kAccepted},      {"silent", no_argument, nullptr, kSilent},
    {"group", no_argument, nullptr, kGroup},             {"no-keep-order", no_argument, nullptr, kNoKeepOrder},
    {"nokeeporder", no_argument, nullptr, kNoKeepOrder}, {"nok", no_argument, nullptr, kNoKeepOrder},
    {"no-k", no_argument, nullptr, kNoKeepOrder},        {"verbose", no_argument, nullptr, 't'},
    // parallel's other spellings of the options above
    {"jl", required_argument, nullptr, kJoblog},         {"resumefailed", no_argument, nullptr, kResumeFailed},
    {"retryfailed", no_argument, nullptr, kRetryFailed}, {"keeporder", no_argument, nullptr, 'k'},
    {"line-buffered", no_argument, nullptr, kLineBuffer}, {"linebuffer", no_argument, nullptr, kLineBuffer},
    {"linebuffered", no_argument, nullptr, kLineBuffer}, {"lb", no_argument, nullptr, kLineBuffer},
    {"max-procs", required_argument, nullptr, 'j'},      {"maxprocs", required_argument, nullptr, 'j'},
    {"dryrun", no_argument, nullptr, kDryRun},           {"dr", no_argument, nullptr, kDryRun},
    {"halt-on-error", required_argument, nullptr, kHalt}, {"haltonerror", required_argument, nullptr, kHalt},
    {"argfile", required_argument, nullptr, 'a'},
    // S: semaphore
    {"semaphore", no_argument, nullptr, kSemaphore},     {"semaphore-timeout", required_argument, nullptr, kSemaphoreTimeout},
    {"semaphoretimeout", required_argument, nullptr, kSemaphoreTimeout}, {"st", required_argument, nullptr, kSemaphoreTimeout},
    {"semaphore-name", required_argument, nullptr, kSemaphoreName}, {"semaphorename", required_argument, nullptr, kSemaphoreName},
    {"id", required_argument, nullptr, kSemaphoreName},  {"fg", no_argument, nullptr, kSemaphoreFg},
    {"bg", no_argument, nullptr, kSemaphoreBg},          {"wait", no_argument, nullptr, kSemaphoreWait},
    {"status", no_argument, nullptr, kSemaphoreStatus},  {"semaphore-mode", required_argument, nullptr, kSemaphoreMode},
    // R: the rest of parallel's options (lib/parallel_extras.h), in its spellings
    {"shellquote", no_argument, nullptr, kShellQuote},   {"shell-quote", no_argument, nullptr, kShellQuote},
    {"shell_quote", no_argument, nullptr, kShellQuote},
    {"max-line-length-allowed", no_argument, nullptr, kMaxLineLengthAllowed},
    {"maxlinelengthallowed", no_argument, nullptr, kMaxLineLengthAllowed},
    {"use-sockets-instead-of-threads", no_argument, nullptr, kUseSockets},
    {"usesocketsinsteadofthreads", no_argument, nullptr, kUseSockets},
    {"use-cores-instead-of-threads", no_argument, nullptr, kUseCores},
    {"usecoresinsteadofthreads", no_argument, nullptr, kUseCores},
    {"use-cpus-instead-of-cores", no_argument, nullptr, kUseCpus},
    {"usecpusinsteadofcores", no_argument, nullptr, kUseCpus},
    {"process-slot-var", required_argument, nullptr, kProcessSlotVar},
    {"processslotvar", required_argument, nullptr, kProcessSlotVar},
    {"profile", required_argument, nullptr, kProfile},   {"tmpl", required_argument, nullptr, kTemplate},
    {"template", required_argument, nullptr, kTemplate}, {"cleanup", no_argument, nullptr, kCleanup},
    {"noswap", no_argument, nullptr, kNoSwap},           {"memfree", required_argument, nullptr, kMemFree},
    {}};

// One case per option: a table, long only because pool-run has many.
RunArgs parse_run_options(Options& o, unsigned cores) {
    RunArgs a;
    PoolOptions& p = a.pool;
    p.jobs = cores;
    for (int c; (c = o.next()) != -1;) {
        switch (c) {
            case 'j': case 'P':
                p.jobs = parse_jobs(optarg, cores);
                a.jobs_given = true;
                a.extra.jobs = optarg;  // R: counted again in cores or sockets
                break;
            case '0':
                if (!a.delim_given) a.delim = std::string(1, '\0');
                break;
            case 'a': a.arg_files.push_back(optarg); break;
            case 'k': p.keep_order = true; break;
            case 'u': p.ungroup = true; break;
            case kLineBuffer: p.line_buffer = true; break;
            case kTag: p.tag = true; break;
            case kTimeout: parse_timeout(optarg, p); break;
            // As parallel: 0 is its default, one run.
            case kRetries: p.retries = std::max(1u, static_cast<unsigned>(parse_count(optarg, "retries", 0, 1000))); break;
            case kHalt: p.halt = parse_halt(optarg); break;
            case kTermGrace: p.term_grace = parse_duration(optarg, "term-grace"); break;  // 1m, as --timeout
            case kJoblog: p.joblog = optarg; break;
            case kResume: p.resume = true; break;
            case kResumeFailed: p.resume_failed = true; break;
            case kRetryFailed: p.retry_failed = true; break;
            case kDryRun: p.dry_run = true; break;
            case kBar: a.bar = parse_bar(optarg, o); break;
            case kShell: a.shell.mode = CommandTemplate::Shell::always; break;
            case kNoShell: a.shell.mode = CommandTemplate::Shell::never; break;
            case kFrom: a.from = optarg; break;
            case kIdle:
                a.idle = parse_seconds(optarg, "idle");
                a.idle_given = true;
                break;
            // A: shell
            case 'q': a.shell.quote = true; break;
            case kEnv: a.env.push_back(optarg); break;
            case kRecordEnv: a.record_env = true; break;
            // B: replacement
            case kPlus: a.rules.plus = true; break;
            case kParens: a.rules.parens = parse_parens(optarg); break;
            case kRpl: a.rules.rpl.push_back(optarg); break;
            case kFilter: a.rules.filter.push_back(optarg); break;
            case 'I': a.rules.input = replacement_string("-I", optarg); break;
            case kExtensionReplace: a.rules.extension = replacement_string("--extensionreplace", optarg); break;
            case kBasenameReplace: a.rules.basename = replacement_string("--basenamereplace", optarg); break;
            case kDirnameReplace: a.rules.dirname = replacement_string("--dirnamereplace", optarg); break;
            case kBasenameExtensionReplace: a.rules.basename_extension = replacement_string("--basenameextensionreplace", optarg); break;
            case kSeqReplace: a.rules.seq = replacement_string("--seqreplace", optarg); break;
            case kSlotReplace: a.rules.slot = replacement_string("--slotreplace", optarg); break;
            // C: inputs
            case 'n':  // -N wins over -n whatever their order, as in parallel
                if (unsigned long long n = parse_unit_count(optarg, "max-args"); !a.max_replace) a.max_args = n;
                break;
            case 'N':
                a.max_args = parse_unit_count(optarg, "max-replace-args");
                a.max_replace = true;
                break;
            case 'm': a.multi_m = true; break;
            case 'X': a.multi_x = true; break;
            case kXargs: a.multi_xargs = true; break;
            case 's': a.max_chars = parse_unit_count(optarg, "max-chars"); break;
            case 'd':
                a.delim = unquote_delimiter(optarg);
                a.delim_given = true;
                break;
            case 'E': a.eof = optarg; break;
            case kEof: a.eof = optional_value(o); break;
            case 'r': a.skip_blank = true; break;
            case kShuf: a.shuf = true; break;
            case 'C': a.colsep = optarg; break;
            case kCsv: a.csv = true; break;
            case kTrim: a.trim = optarg; break;
            case kHeader: a.header = optarg; break;
            case kLink: a.link = true; break;
            case kArgSep: a.arg_sep = optarg; break;
            case kArgFileSep: a.arg_file_sep = optarg; break;
            case 'L': a.lines_L = parse_unit_count(optarg, "-L"); break;
            case 'l': case kMaxLines: parse_max_lines(a, optional_number(o)); break;
            case kSkipFirstLine: a.skip_first_line = true; break;
            // P: --pipe, --pipepart
            case kPipe: case kPipePart: case kBlock: case kRecStart: case kRecEnd: case kRegexp:
            case kRemoveRecSep: case kRoundRobin: case kCat: case kFifo:
                parse_pipe_option(a, c, optarg);
                break;
            // D: options
            default:
                if (!parse_semaphore_option(a.sem, c, optarg)) parse_output_option(a, c, optarg);  // S, D
                break;
        }
    }
    settle_pipe(a);    // P: first, -N and --header mean blocks then
    settle_inputs(a);  // C: inputs
    settle_cpu_basis(a, cores);  // R: --use-cores-instead-of-threads...
    if (p.ungroup) {
        // As parallel: -u passes output through as it comes, so -k, --tag
        // and --tagstring have nothing to act on and are ignored.
        p.keep_order = p.tag = false;
        a.tagstring.reset();
    }
    a.rules.jobs = p.jobs;  // B: replacement ({0%}'s width)
    return a;
}

// As parallel's user_requested_processes: N, N%, 0 (250), +N and -N
// (the cores plus or minus N, at least 1), or a file that holds one of
// these (read once, at the start: parallel re-reads it as jobs end).
unsigned parse_jobs(const char* text, unsigned cores, bool in_file) {
    std::string t = text;
    if (!in_file && !t.empty() && t.find_first_not_of("+-0123456789%") != std::string::npos) {
        // A regular file, as parallel's -f: a FIFO (or a device) would
        // block the start until someone wrote it, or never end.
        auto refuse = [&](mode_t m) {
            return Error(Exit::usage, "-j " + t + ": " + file_kind(m) + ", not a regular file that holds the number of jobs");
        };
        struct stat st{};
        if (::stat(text, &st) != 0)
            throw Error(Exit::usage, "-j " + t + ": not a number of jobs, nor a file that holds one (" +
                                         std::strerror(errno) + ")");
        if (!S_ISREG(st.st_mode)) throw refuse(st.st_mode);
        Fd f(::open(text, O_RDONLY | O_NONBLOCK | O_CLOEXEC));
        if (!f) throw system_error(errno, "-j: open " + t);
        if (mode_t m = stat_of(f.get()).st_mode; !S_ISREG(m)) throw refuse(m);
        std::string n;
        if (!read_to_end(f.get(), n)) throw system_error(errno, "-j: read " + t);
        if (!n.empty() && n.back() == '\n') n.pop_back();
        try {
            return parse_jobs(n.c_str(), cores, true);
        } catch (const Error&) {  // the file named, not only what it holds
            if (n.size() > 40) n = n.substr(0, 40) + "...";
            throw Error(Exit::usage, "-j " + t + ": " + t + " holds '" + n + "', not a number of jobs");
        }
    }
    if ((t[0] == '+' || t[0] == '-') && t.size() > 1 && t.find_first_not_of("0123456789", 1) == std::string::npos) {
        auto n = static_cast<long long>(parse_count(t.c_str() + 1, "number of jobs", 0, 100000));
        return static_cast<unsigned>(std::clamp<long long>(cores + (t[0] == '+' ? n : -n), 1, 100000));
    }
    if (!t.empty() && t.back() == '%') {
        t.pop_back();
        uint64_t pct = parse_count(t.c_str(), "percentage of cores", 1, 10000);
        return static_cast<unsigned>(std::max<uint64_t>(1, static_cast<uint64_t>(cores) * pct / 100));
    }
    uint64_t n = parse_count(text, "number of jobs", 0, 100000);
    return n == 0 ? 250 : static_cast<unsigned>(n);
}


void check_options(const RunArgs& a) {
    const PoolOptions& p = a.pool;
    if (p.ungroup && p.line_buffer)
        throw Error(Exit::usage, "-u passes output through as it is: it excludes --line-buffer");
    if (p.resume + p.resume_failed + p.retry_failed > 1)
        throw Error(Exit::usage, "--resume, --resume-failed and --retry-failed exclude each other");
    if ((p.resume || p.resume_failed || p.retry_failed) && p.joblog.empty())
        throw Error(Exit::usage, std::string("--") + (p.resume ? "resume" : p.resume_failed ? "resume-failed" : "retry-failed") +
                                     " needs --joblog FILE");
    check_pipe(a);  // P: --pipe, --pipepart
    // S: options of the pool that one command under a semaphore would silently ignore.
    if (a.sem.on) {
        const char* ignored = p.timeout > 0 || p.timeout_percent > 0 ? "--timeout"
                              : !p.joblog.empty()                     ? "--joblog"
                              : p.tag || a.tagstring                  ? "--tag/--tagstring"
                              : !p.output.results.empty()             ? "--results"
                                                                      : nullptr;
        if (ignored) throw Error(Exit::usage, std::string("--semaphore: ") + ignored + " is not supported in semaphore mode");
    }
}

}  // namespace prockit
