#include "parallel_options.h"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "diag.h"
#include "parallel_extras.h"
#include "parse.h"
#include "text.h"

namespace prockit {

namespace {

bool perl_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

[[noreturn]] void bad_words(const std::string& what, const char* why) { throw Error(Exit::usage, what + ": " + why); }

// One quoted part from `i` (at the quote): its text as shellwords keeps it.
// In "...", a backslash escapes any byte; in '...', a backslash and the byte
// after it are kept as they are, and \' does not end the quote (the
// pattern of Text::ParseWords).
std::string quoted_part(std::string_view t, size_t& i, const std::string& what) {
    char q = t[i++];
    std::string part;
    for (; i < t.size() && t[i] != q; ++i) {
        if (t[i] == '\\') {
            if (i + 1 == t.size()) break;
            if (q == '\'') part += '\\';
            ++i;
        }
        part += t[i];
    }
    if (i == t.size()) bad_words(what, q == '"' ? "unmatched \"" : "unmatched '");
    ++i;  // the closing quote
    return part;
}

}  // namespace

std::vector<std::string> parallel_env_words(std::string_view t, const std::string& what) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < t.size() && perl_space(t[i])) ++i;
    while (i < t.size()) {
        std::string word;
        while (i < t.size() && !perl_space(t[i])) {
            if (t[i] == '"' || t[i] == '\'') {
                word += quoted_part(t, i, what);
            } else if (t[i] == '\\') {
                if (i + 1 == t.size()) bad_words(what, "trailing backslash");
                word += t[i + 1];
                i += 2;
            } else {
                word += t[i++];
            }
        }
        words.push_back(std::move(word));
        while (i < t.size() && perl_space(t[i])) ++i;
    }
    return words;
}

namespace {

// s/\\(\d{n})/eval 'sprintf "\\'.$1.'"'/ge for n digits, one pass over the
// text the pass before left, as Perl makes it: in the string "\NNN" the
// leading octal digits are one byte, and an 8 or 9 stands for itself.
std::string octal_pass(const std::string& s, size_t n) {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
        bool match = s[i] == '\\' && i + n < s.size();
        for (size_t k = 1; match && k <= n; ++k) match = std::isdigit(static_cast<unsigned char>(s[i + k]));
        if (!match) {
            out += s[i++];
            continue;
        }
        std::string digits = s.substr(i + 1, n);
        size_t k = digits.find_first_of("89");
        if (k == std::string::npos) k = n;
        if (k == 0) {
            out += digits;
        } else {
            out += static_cast<char>(std::strtoul(digits.substr(0, k).c_str(), nullptr, 8) & 0xff);
            out += digits.substr(k);
        }
        i += n + 1;
    }
    return out;
}

}  // namespace

std::string unquote_printf(std::string s) {
    s = replace_all(s, "\\t", '\t');
    s = replace_all(s, "\\n", '\n');
    s = replace_all(s, "\\r", '\r');
    return octal_pass(octal_pass(s, 3), 1);
}

double parse_duration(const char* text, const char* what) {
    std::string t = text;
    if (t.find_first_of("smhdSMHD") == std::string::npos) return parse_seconds(text, what);
    // 1d2h3m4.5s: numbers each followed by a unit, in any order, summed.
    double total = 0;
    size_t i = 0;
    while (i < t.size()) {
        size_t j = i;
        while (j < t.size() && (std::isdigit(static_cast<unsigned char>(t[j])) || t[j] == '.')) ++j;
        if (j == i || j == t.size()) break;
        double unit = 0;
        switch (std::tolower(static_cast<unsigned char>(t[j]))) {
            case 's': unit = 1; break;
            case 'm': unit = 60; break;
            case 'h': unit = 3600; break;
            case 'd': unit = 86400; break;
        }
        if (unit == 0) break;
        total += parse_seconds(t.substr(i, j - i).c_str(), what) * unit;
        i = j + 1;
    }
    if (i != t.size())
        throw Error(Exit::usage, std::string("invalid ") + what + " '" + t + "': expected seconds, such as 5, 0.25 or 1m30s");
    return total;
}

std::vector<TermStep> parse_termseq(const char* text) {
    std::vector<TermStep> steps;
    std::string t = text;
    auto bad = [&] {
        throw Error(Exit::usage, "invalid --termseq '" + t + "': expected SIGNAL,MS[,SIGNAL,MS...], such as TERM,200,KILL,25");
    };
    size_t i = 0;
    while (i <= t.size()) {
        // As parallel, the last signal may come without its wait (no wait).
        size_t c1 = t.find(',', i);
        size_t c2 = c1 == std::string::npos ? c1 : t.find(',', c1 + 1);
        std::string sig = t.substr(i, c1 == std::string::npos ? std::string::npos : c1 - i);
        std::string ms = c1 == std::string::npos ? "0" : t.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
        if (sig.rfind("SIG", 0) == 0) sig.erase(0, 3);
        int n = 0;
        if (!sig.empty() && sig.find_first_not_of("0123456789") == std::string::npos) {
            n = static_cast<int>(parse_count(sig.c_str(), "signal", 1, 64));
        } else {
            for (int s = 1; s < NSIG && !n; ++s)
                if (const char* abbrev = sigabbrev_np(s); abbrev && sig == abbrev) n = s;
        }
        // The wait: a number as Perl reads it (1e3, 2.5), from 0 to a day.
        char* end = nullptr;
        double wait = ms.empty() ? -1 : std::strtod(ms.c_str(), &end);
        if (n == 0 || wait < 0 || !end || *end != '\0' || !std::isfinite(wait) || wait > 86400000 ||
            ms.find_first_of("xXnN") != std::string::npos)
            bad();
        steps.push_back({n, wait / 1000});
        if (c2 == std::string::npos) break;
        i = c2 + 1;
    }
    return steps;
}

}  // namespace prockit

namespace prockit {

namespace {

struct Refused {
    const char* names;  // parallel's spellings, '|' between them: the first is said
    int has_arg;
    bool remote;
};

// parallel's options (sub options_hash) that pool-run does not take. A
// package that implements one adds it to run_args' table, which comes
// first: with_refused() then leaves it out here.
const Refused kRefused[] = {
    {"sshlogin", required_argument, true}, {"sshloginfile|slf", required_argument, true},
    {"controlmaster", no_argument, true}, {"ssh", required_argument, true},
    {"transferfile|transfer-file|transfer-files|transferfiles|tf", required_argument, true},
    {"return", required_argument, true}, {"trc", required_argument, true}, {"transfer", no_argument, true},
    {"basefile|bf", required_argument, true}, {"onall", no_argument, true},
    {"nonall", no_argument, true}, {"filter-hosts|filterhosts|filter-host", no_argument, true},
    {"ssh-delay|sshdelay", required_argument, true}, {"rsync-opts|rsyncopts", required_argument, true},
    {"hostgroups|hgrp|hostgrp|hostgroup", no_argument, true},
    {"workdir|work-dir|wd", required_argument, false},
    {"block-timeout|blocktimeout|bt", required_argument, false},
    {"tee", no_argument, false}, {"shard", required_argument, false},
    {"bin", required_argument, false}, {"group-by|groupby", required_argument, false},
    {"tmux", no_argument, false},
    {"tmux-pane|tmuxpane", no_argument, false}, {"latest-line|latestline|ll", no_argument, false},
    {"color|colour", no_argument, false}, {"ctag", no_argument, false},
    {"ctag-string|ctagstring", required_argument, false},
    {"color-failed|colour-failed|colorfailed|colourfailed|color-fail|colour-fail|colorfail|colourfail|cf", no_argument,
     false},
    {"compress", no_argument, false},
    {"compress-program|use-compress-program|usecompressprogram|compressprogram", required_argument, false},
    {"decompress-program|use-decompress-program|usedecompressprogram|decompressprogram", required_argument, false},
    {"load", required_argument, false},
    {"memsuspend", required_argument, false}, {"limit", required_argument, false},
    {"interactive", no_argument, false}, {"open-tty", no_argument, false}, {"tty", no_argument, false},
    {"shebang|hashbang", no_argument, false}, {"shebang-wrap|shebangwrap", no_argument, false},
    {"embed", no_argument, false},
    {"show-limits|showlimits", no_argument, false},
    {"total-jobs|totaljobs|total", required_argument, false},
    {"linkinputsource|xapplyinputsource", required_argument, false}, {"session", no_argument, false},
    {"exit", no_argument, false}, {"bug", no_argument, false},
    {"sql", required_argument, false}, {"sql-master|sqlmaster", required_argument, false},
    {"sql-worker|sqlworker", required_argument, false}, {"sql-and-worker|sqlandworker", required_argument, false},
    {"debug", required_argument, false}, {"tollef", no_argument, false},
    {"ctrl-c|ctrlc|no-ctrl-c|no-ctrlc|noctrlc", no_argument, false}, {"citation|bibtex", no_argument, false},
};
constexpr int kRefusedCount = sizeof kRefused / sizeof kRefused[0];

// parallel's one-letter options pool-run does not take, each with the
// long spelling said for it (or none).
struct RefusedLetter {
    char letter;
    const char* name;
    bool remote;
};
const RefusedLetter kRefusedLetters[] = {
    {'S', "sshlogin", true}, {'M', "controlmaster", true}, {'p', "interactive", false}, {'o', "open-tty", false},
    {'x', "exit", false},
    {'D', "debug", false}, {'Y', nullptr, false}, {'T', nullptr, false}, {'H', nullptr, false},
    {'B', nullptr, false}, {'W', "workdir", false}, {'g', nullptr, false},
};

std::string first_name(const char* names) {
    const char* bar = std::strchr(names, '|');
    return bar ? std::string(names, static_cast<size_t>(bar - names)) : names;
}

std::string say(const std::string& spelled, bool remote) {
    if (remote)
        return spelled + " runs jobs on remote hosts, which pool-run does not: share a queue instead, " +
               "a pool-run --from redis://HOST/QUEUE on each host";
    return spelled + " is not supported";
}

}  // namespace

std::vector<option> with_refused(const option* table) {
    std::vector<option> all;
    for (const option* o = table; o && o->name; ++o) all.push_back(*o);
    size_t own = all.size();
    auto taken = [&](const std::string& n) {
        for (size_t i = 0; i < own; ++i)
            if (n == all[i].name) return true;
        return false;
    };
    for (int i = 0; i < kRefusedCount; ++i) {
        for (const char *p = kRefused[i].names, *bar; *p; p = bar ? bar + 1 : p + std::strlen(p)) {
            bar = std::strchr(p, '|');
            // The names live as long as the table: each is copied once, never freed.
            std::string n = bar ? std::string(p, static_cast<size_t>(bar - p)) : p;
            if (!taken(n)) all.push_back({strdup(n.c_str()), kRefused[i].has_arg, nullptr, kRefusedBase + i});
        }
    }
    all.push_back({});
    return all;
}

bool is_refused(int value) {
    if (value >= kRefusedBase && value < kRefusedBase + kRefusedCount) return true;
    for (const RefusedLetter& r : kRefusedLetters)
        if (value == r.letter) return true;
    return false;
}

std::string refusal(int value) {
    if (value >= kRefusedBase) {
        const Refused& r = kRefused[value - kRefusedBase];
        return say("--" + first_name(r.names), r.remote);
    }
    for (const RefusedLetter& r : kRefusedLetters)
        if (value == r.letter) return say(std::string("-") + r.letter + (r.name ? std::string(" (--") + r.name + ")" : ""), r.remote);
    return "";
}

}  // namespace prockit

#include "run_args.h"

namespace prockit {

namespace {

// --delay 13m3sauto: parallel then adapts the delay to failures; pool-run
// keeps it as given.
double parse_delay(const char* arg) {
    std::string t = arg;
    if (t.size() > 4 && t.compare(t.size() - 4, 4, "auto") == 0) t.resize(t.size() - 4);
    return parse_duration(t.c_str(), "delay");
}

// As parallel (setpriority and nice(1) clamp): a niceness past -20 or 19
// is taken as -20 or 19.
int parse_nice(const char* arg) {
    bool sign = arg[0] == '-' || arg[0] == '+';
    const char* digits = arg + sign;
    if (!*digits || std::strspn(digits, "0123456789") != std::strlen(digits))
        throw Error(Exit::usage, std::string("invalid niceness '") + arg + "': expected a whole number from -20 to 19");
    // At most 19 or 20 whatever the number of digits (past 2 it is clamped).
    int n = std::strlen(digits) > 2 ? 99 : std::atoi(digits);
    return arg[0] == '-' ? -std::min(n, 20) : std::min(n, 19);
}

}  // namespace

// One case per option, as run_args' switch.
bool parse_output_option(RunArgs& a, int c, const char* arg) {
    PoolOptions& p = a.pool;
    OutputOptions& out = p.output;
    switch (c) {
        case 'v': ++out.verbose; break;
        case 't': out.verbose_stderr = true; break;
        case 'V': Options::print_version();
        case kResults: out.results = arg; break;
        case kFiles: out.files = true; break;
        case kTagString:
            a.tagstring = unquote_printf(arg);
            p.tag = true;
            break;
        case kDelay: p.delay = parse_delay(arg); break;
        case kNice: a.nice = parse_nice(arg); break;
        case kTermSeq: p.termseq = parse_termseq(arg); break;
        case kEta: out.eta = out.progress = true; break;
        case kProgress: out.progress = true; break;
        case kMinVersion:
            // A version is a whole number (parallel's minversion=i): refuse others, as it does.
            (void)parse_count(arg, "minversion", 0, UINT64_MAX);
            a.minversion = arg;
            break;
        case kNumberOfCores: case kNumberOfThreads: case kNumberOfSockets: a.print_count = c; break;
        case kShellCompletion: a.shell_completion = arg; break;
        case kTmpdir: a.tmpdir = arg; break;
        case kPlain: a.plain = true; break;
        case kAccepted: case kGroup: break;  // --gnu, --will-cite...: what pool-run does anyway
        case kSilent: out.verbose = 0; break;
        case kNoKeepOrder: p.keep_order = false; break;
        default:
            if (parse_extra_option(a, c, arg)) return true;  // R: lib/parallel_extras.h
            if (is_refused(c)) throw Error(Exit::usage, refusal(c));
            return false;
    }
    return true;
}

}  // namespace prockit

namespace prockit {

std::string bash_completion_script(const option* table, const char* letters) {
    std::string words;
    for (const char* l = letters; *l; ++l)
        if (*l != ':' && !is_refused(*l)) words += std::string("-") + *l + " ";
    for (const option* o = table; o && o->name; ++o)
        if (!is_refused(o->val)) words += std::string("--") + o->name + " ";
    words += "-h --help --version";
    // parallel's own form: one line, the options as words for compgen.
    return "complete -F _comp_pool_run pool-run;_comp_pool_run() { COMPREPLY=($(compgen -W \"" + words +
           "\" -- \"${COMP_WORDS[$COMP_CWORD]}\")); };\n";
}

}  // namespace prockit
