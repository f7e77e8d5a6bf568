// zombie-watch: find zombie processes and the parents that should reap them;
// watch them come and go; check their number against monitoring thresholds;
// or run a command as a child subreaper that reaps every orphan below it.
//
// A scan is one pass over /proc (lib/proc.h); in watch mode the zombies are
// followed from one scan to the next (lib/zombie_sightings.h). Names and
// command lines belong to whoever runs those processes: every text line
// shows them escaped
// (lib/text.h), so that a name cannot forge a line or move the cursor.
// --prometheus replaces its file whole after every scan (lib/prometheus.h),
// so node_exporter's collector never reads half of one.

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deadline.h"
#include "diag.h"
#include "json.h"
#include "options.h"
#include "parse.h"
#include "proc.h"
#include "prometheus.h"
#include "reaper.h"
#include "signals.h"
#include "text.h"
#include "threshold.h"
#include "zombie_sightings.h"

using namespace prockit;

namespace {

const char kUsage[] =
    "usage: zombie-watch [--once | -i SECONDS [-n COUNT]] [--json] [-q] [-w RANGE]\n"
    "                    [-c RANGE] [-p PID] [--prometheus FILE]\n"
    "       zombie-watch --subreaper [-g] [-v] [--] COMMAND [ARG...]\n";

const char kHelp[] =
    "\n"
    "Lists zombie processes with their parents, the processes that must reap them.\n"
    "  --once         one scan (the default)\n"
    "  -i SECONDS     scan again every SECONDS, reporting zombies that come and go\n"
    "  -n COUNT       stop after COUNT scans\n"
    "  --json         a JSON object per zombie per scan\n"
    "  -w RANGE, -c RANGE\n"
    "                 warning and critical ranges for the number of zombies, as\n"
    "                 monitoring plugins take them: the counts that are OK (N is\n"
    "                 0..N, N: at least N, '~:N' at most N, START:END; @ makes them\n"
    "                 the alerts); prints one status line:\n"
    "                 ZOMBIES OK: 0 zombie processes | zombies=0;5;10;0\n"
    "  -q             print nothing when the answer is OK (no zombie, without -w\n"
    "                 and -c)\n"
    "  --prometheus FILE\n"
    "                 after each scan, replace FILE whole with the counts in\n"
    "                 Prometheus's text format, for node_exporter's textfile\n"
    "                 collector\n"
    "  -p PID         only zombies descended from PID\n"
    "  --subreaper    run COMMAND as our child, reap every orphan below it,\n"
    "                 forward signals to it\n"
    "  -g             forward signals to COMMAND's process group\n"
    "  -v             report each orphan reaped and each signal forwarded\n"
    "Long forms: --interval --count --quiet --warning --critical --pid --group\n"
    "--verbose.\n"
    "\n"
    "Exit status: with -w or -c, 0 OK, 1 WARNING, 2 CRITICAL; otherwise 0 after\n"
    "the scans; 3 bad usage, a -p PID that names no process, /proc unreadable,\n"
    "output that cannot be written (UNKNOWN: every error of zombie-watch's own);\n"
    "128+N ended by signal N.\n"
    "With --subreaper: COMMAND's status, 128+N if signal N killed it, 126/127 if\n"
    "it could not run.\n";

enum Long { kOnce = 1000, kJson, kSubreaper, kPrometheus };
const option kLongOptions[] = {{"once", no_argument, nullptr, kOnce},
                               {"json", no_argument, nullptr, kJson},
                               {"subreaper", no_argument, nullptr, kSubreaper},
                               {"prometheus", required_argument, nullptr, kPrometheus},
                               {"quiet", no_argument, nullptr, 'q'},
                               {"interval", required_argument, nullptr, 'i'},
                               {"count", required_argument, nullptr, 'n'},
                               {"warning", required_argument, nullptr, 'w'},
                               {"critical", required_argument, nullptr, 'c'},
                               {"pid", required_argument, nullptr, 'p'},
                               {"group", no_argument, nullptr, 'g'},
                               {"verbose", no_argument, nullptr, 'v'},
                               {}};

struct Settings {
    bool once = false, json = false, quiet = false, subreaper = false, group = false, verbose = false;
    const char* prometheus = nullptr;
    std::optional<double> interval;
    std::optional<uint64_t> count;
    std::optional<Range> warning, critical;
    pid_t under = 0;
    std::vector<std::string> command;
};

Settings parse_args(int argc, char** argv) {
    Settings s;
    Options o(argc, argv, "i:n:qw:c:p:gv", kLongOptions, "", kUsage, kHelp);
    int c = 0;
    try {
        while ((c = o.next()) != -1) {
            switch (c) {
                case kOnce: s.once = true; break;
                case kJson: s.json = true; break;
                case kSubreaper: s.subreaper = true; break;
                case kPrometheus: s.prometheus = optarg; break;
                case 'q': s.quiet = true; break;
                case 'i': s.interval = parse_seconds(optarg, "interval"); break;
                case 'n': s.count = parse_count(optarg, "count", 1, UINT64_MAX); break;
                case 'w': s.warning = Range::parse(optarg); break;
                case 'c': s.critical = Range::parse(optarg); break;
                case 'p': s.under = static_cast<pid_t>(parse_count(optarg, "pid", 1, 4194304)); break;
                case 'g': s.group = true; break;
                case 'v': s.verbose = true; break;
            }
        }
    } catch (const Error& e) {
        // A monitor reads standard output: a bad range is UNKNOWN there too.
        if (c == 'w' || c == 'c') std::printf("ZOMBIES UNKNOWN: %s\n", escape_text(e.what()).c_str());
        std::fflush(stdout);
        o.fail("%s", e.what());
    }
    for (int i = 0; i < o.count(); ++i) s.command.emplace_back(o.operand(i));
    if (s.subreaper) {
        if (s.once || s.json || s.quiet || s.prometheus || s.interval || s.count || s.warning || s.critical ||
            s.under)
            o.fail("--subreaper takes only -g and -v");
        if (s.command.empty()) o.fail("--subreaper needs a COMMAND");
        return s;
    }
    if (s.group || s.verbose) o.fail("-%c goes with --subreaper", s.group ? 'g' : 'v');
    if (!s.command.empty()) o.fail("unexpected operand '%s'", s.command[0].c_str());
    if (s.once && s.interval) o.fail("--once and -i exclude each other");
    if (s.prometheus && !*s.prometheus) o.fail("--prometheus needs a FILE");
    if (s.count && !s.interval) o.fail("-n counts the scans of -i");
    if (s.interval && *s.interval <= 0) o.fail("-i needs more than 0 seconds");
    return s;
}

using Sighting = ZombieSightings::Sighting;

void print_json(const WallTime& clock, uint64_t scan, const Sighting& s) {
    const Zombie& z = *s.zombie;
    std::printf("{\"time\":%s,\"scan\":%llu,\"event\":\"%s\",\"pid\":%d,\"ppid\":%d,\"command\":%s,"
                "\"parent_command\":%s,\"parent_zombies\":%u,\"seen_seconds\":%.3f}\n",
                clock.epoch_text().c_str(), static_cast<unsigned long long>(scan), s.event, z.proc.pid, z.proc.ppid,
                json_string(z.proc.comm).c_str(), json_string(z.parent_command).c_str(), z.parent_zombies, s.seen);
}

// The table of --once: the zombies, then their parents with a count each,
// most zombies first, since the parent is what a person must fix.
void print_table(const std::vector<Zombie>& zombies) {
    if (zombies.empty()) {
        std::printf("0 zombie processes\n");
        return;
    }
    std::printf("%7s %7s  %-16s %s\n", "PID", "PPID", "COMMAND", "PARENT COMMAND");
    for (const Zombie& z : zombies)
        std::printf("%7d %7d  %-16s %s\n", z.proc.pid, z.proc.ppid, escape_text(z.proc.comm).c_str(),
                    escape_text(z.parent_command).c_str());
    std::vector<const Zombie*> parents;
    for (const Zombie& z : zombies)
        if (std::none_of(parents.begin(), parents.end(), [&](const Zombie* p) { return p->proc.ppid == z.proc.ppid; }))
            parents.push_back(&z);
    std::stable_sort(parents.begin(), parents.end(),
                     [](const Zombie* a, const Zombie* b) { return a->parent_zombies > b->parent_zombies; });
    std::printf("\n%7s %7s  %s\n", "PPID", "ZOMBIES", "PARENT COMMAND");
    for (const Zombie* p : parents)
        std::printf("%7d %7u  %s\n", p->proc.ppid, p->parent_zombies, escape_text(p->parent_command).c_str());
}

void print_event(const WallTime& clock, const Sighting& s, bool& header) {
    if (!header) {
        std::printf("%-12s  %-8s %7s %7s %8s  %-16s %s\n", "TIME", "EVENT", "PID", "PPID", "SEEN", "COMMAND",
                    "PARENT COMMAND (ZOMBIES)");
        header = true;
    }
    const Zombie& z = *s.zombie;
    std::printf("%-12s  %-8s %7d %7d %7.1fs  %-16s %s (%u)\n", clock.clock_text().c_str(), s.event, z.proc.pid,
                z.proc.ppid, s.seen, escape_text(z.proc.comm).c_str(), escape_text(z.parent_command).c_str(),
                z.parent_zombies);
}

// The monitoring verdict and its one-line status in plugin format.
PluginState judge(const Settings& s, size_t zombies, std::string& line) {
    PluginState state = PluginState::ok;
    if (s.warning && s.warning->alerts(static_cast<double>(zombies))) state = PluginState::warning;
    if (s.critical && s.critical->alerts(static_cast<double>(zombies))) state = PluginState::critical;
    line = std::string("ZOMBIES ") + plugin_state_name(state) + ": " + std::to_string(zombies) +
           (zombies == 1 ? " zombie process" : " zombie processes") + " | zombies=" + std::to_string(zombies) +
           ";" + (s.warning ? s.warning->text() : "") + ";" + (s.critical ? s.critical->text() : "") + ";0";
    return state;
}

// The counts in Prometheus's text format: the total, and one sample per
// parent, labelled with its pid and name (not its command line, which may
// hold what its user would not publish, and would make a new series with
// every argument).
std::string prometheus_text(const std::vector<Zombie>& zombies) {
    std::string t = "# HELP prockit_zombies Zombie processes found by the last scan of zombie-watch.\n"
                    "# TYPE prockit_zombies gauge\n"
                    "prockit_zombies " + std::to_string(zombies.size()) + "\n"
                    "# HELP prockit_zombies_by_parent Zombie processes of each parent, the process that must reap them.\n"
                    "# TYPE prockit_zombies_by_parent gauge\n";
    std::map<pid_t, const Zombie*> parents;
    for (const Zombie& z : zombies) parents.emplace(z.proc.ppid, &z);
    for (auto [ppid, z] : parents)
        t += "prockit_zombies_by_parent{ppid=\"" + std::to_string(ppid) + "\",parent=\"" +
             prometheus_label_value(z->parent_name) + "\"} " + std::to_string(z->parent_zombies) + "\n";
    return t;
}

// What one scan found, and what it is to say.
struct Scan {
    uint64_t number;
    WallTime clock;
    const std::vector<Zombie>& zombies;
    const std::vector<Sighting>& report;
    bool monitoring;
    PluginState state;
    const std::string& status;
};

// Prints one scan's report on standard output; `last_status` is the status
// line printed last, which watch mode repeats only when it changes.
void print_scan(const Settings& s, const Scan& scan, bool& header, const std::string& last_status) {
    // -q: an answer that is OK says nothing (cron mails every line).
    const bool ok = scan.monitoring ? scan.state == PluginState::ok : scan.zombies.empty();
    if (s.quiet && ok) return;
    if (s.json) {
        for (const Sighting& r : scan.report) print_json(scan.clock, scan.number, r);
        if (scan.monitoring)
            std::printf("{\"time\":%s,\"scan\":%llu,\"event\":\"status\",\"state\":\"%s\",\"zombies\":%zu}\n",
                        scan.clock.epoch_text().c_str(), static_cast<unsigned long long>(scan.number),
                        plugin_state_name(scan.state), scan.zombies.size());
    } else if (!s.interval) {
        if (scan.monitoring) std::printf("%s\n", scan.status.c_str());
        if (!scan.monitoring || !scan.zombies.empty()) print_table(scan.zombies);
    } else {
        for (const Sighting& r : scan.report)
            if (r.event[0] != 's') print_event(scan.clock, r, header);  // appeared and gone, not still
        if (scan.monitoring && scan.status != last_status) std::printf("%s\n", scan.status.c_str());
    }
}

// The watch loop (a single scan for --once). Returns the exit status.
int watch(const Settings& s) {
    if (s.under && process_state(s.under) == 0)
        throw Error(Exit::missing, "-p " + std::to_string(s.under) + ": no such process");
    const bool monitoring = s.warning || s.critical;
    StopSignals stop;
    ZombieSightings sightings(s.interval.has_value());
    bool header = false;
    std::string last_status;
    PluginState state = PluginState::ok;
    const double started = monotonic_seconds();
    for (uint64_t scan = 1;; ++scan) {
        WallTime clock = WallTime::now();
        double now = monotonic_seconds();
        std::vector<Zombie> zombies = find_zombies(s.under);
        const std::vector<Sighting>& report = sightings.scan(zombies, now);

        std::string status;
        if (monitoring) state = judge(s, zombies.size(), status);
        if (s.prometheus)
            with_context(std::string("--prometheus ") + s.prometheus,
                         [&] { replace_file(s.prometheus, prometheus_text(zombies)); });
        print_scan(s, Scan{scan, clock, zombies, report, monitoring, state, status}, header, last_status);
        last_status = status;
        flush_stdout();  // a lost line ends the watch (3), not seen by anyone

        if (!s.interval || (s.count && scan >= *s.count)) break;
        double next = started + static_cast<double>(scan) * *s.interval;
        if (sleep_until(Deadline::after(next - monotonic_seconds()), &stop) == Wait::stopped) stop.die_of_signal();
    }
    return monitoring ? static_cast<int>(state) : 0;
}

}  // namespace

int main(int argc, char** argv) {
    set_program_name("zombie-watch");
    default_sigchld();
    set_usage_status(static_cast<int>(PluginState::unknown));
    // Output that cannot be written is UNKNOWN too: a scheduler reads a
    // status past 3 as a broken plugin, and every error of ours is 3.
    check_stdout_at_exit(static_cast<int>(PluginState::unknown));
    Settings s = parse_args(argc, argv);
    try {
        if (s.subreaper) return run_subreaper(s.command, SubreaperOptions{s.group, s.verbose});
        return watch(s);
    } catch (const Error& e) {
        if (s.warning || s.critical) std::printf("ZOMBIES UNKNOWN: %s\n", escape_text(e.message()).c_str());
        warn("%s", e.message().c_str());
        return static_cast<int>(PluginState::unknown);
    }
}
