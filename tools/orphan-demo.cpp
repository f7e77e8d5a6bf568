// orphan-demo: show, with real processes, how orphans are adopted, how
// zombies are made, and each way of never leaving one.
//
// Every claim is checked against /proc as it happens: each event line shows
// the state and parent the kernel reports for that pid at that moment
// (lib/timeline.h). The demonstrations themselves are lib/lifecycle_demo.h.
#include <sys/wait.h>

#include <string>

#include "diag.h"
#include "fd.h"
#include "lifecycle_demo.h"
#include "options.h"
#include "parse.h"
#include "signals.h"
#include "timeline.h"

using namespace prockit;

namespace {

const char kUsage[] =
    "usage: orphan-demo orphan [--json]\n"
    "       orphan-demo zombie [-c COUNT] [--hold SECONDS] [--json]\n"
    "       orphan-demo reap --method wait|sigchld|ignore|double-fork|subreaper\n"
    "                        [-c COUNT] [--json]\n";

const char kHelp[] =
    "\n"
    "  orphan   a child outlives its parent and is adopted by init or the nearest\n"
    "           subreaper\n"
    "  zombie   COUNT children (default 3) stay zombies for SECONDS (default 5),\n"
    "           then are reaped\n"
    "  reap     COUNT children (default 5) end without leaving a zombie, by the\n"
    "           METHOD named:\n"
    "           wait: waitpid for each; sigchld: a SIGCHLD handler reaping with\n"
    "           WNOHANG; ignore: SIGCHLD set to SIG_IGN; double-fork: the grandchild\n"
    "           is given to init (or the nearest subreaper); subreaper:\n"
    "           PR_SET_CHILD_SUBREAPER adopts the grandchildren, which we reap\n"
    "  -c COUNT, --count COUNT  how many children, 1 to 1000 (-n, its old\n"
    "           spelling, goes in a later release)\n"
    "  --json   one JSON object per event instead of a text line\n"
    "\n"
    "Each event line shows the time, the event, and the pid's parent and state\n"
    "read from /proc.\n"
    "Exit status: 0 what was shown held (checked in /proc); 1 it did not; 2 bad\n"
    "usage; 4 a system call failed or the output could not be written; 128+N\n"
    "killed by signal N.\n";

struct Settings {
    std::string mode, method;
    bool json = false;
    unsigned count = 0;
    double hold = 5;
};

Settings parse_args(int argc, char** argv) {
    if (argc < 2 || argv[1][0] == '-') {
        Options(argc, argv, "", nullptr, "", kUsage, kHelp).next();  // --help, --version, or misuse
        usage_error(kUsage, "a mode is needed: orphan, zombie or reap");
    }
    Settings s;
    s.mode = argv[1];
    const std::string& mode = s.mode;
    if (mode != "orphan" && mode != "zombie" && mode != "reap")
        usage_error(kUsage, "unknown mode '%s': expected orphan, zombie or reap", mode.c_str());
    enum Long { kJson = 1000, kHold, kMethod };
    const option longopts[] = {{"json", no_argument, nullptr, kJson},
                               {"hold", required_argument, nullptr, kHold},
                               {"method", required_argument, nullptr, kMethod},
                               {"count", required_argument, nullptr, 'c'},
                               {}};
    Options o(argc - 1, argv + 1, "c:n:", longopts, mode, kUsage, kHelp, Options::Order::anywhere);
    bool has_count = false, has_hold = false, said_n = false;
    s.count = mode == "zombie" ? 3 : 5;
    try {
        for (int c; (c = o.next()) != -1;) {
            switch (c) {
                case kJson: s.json = true; break;
                case kHold: s.hold = parse_seconds(optarg, "hold"), has_hold = true; break;
                case kMethod: s.method = optarg; break;
                case 'n':
                    // -n is shq's "never wait"; -c is a count in every tool.
                    if (!said_n) warn("-n is now -c; -n will go in a later release");
                    said_n = true;
                    [[fallthrough]];
                case 'c':
                    s.count = static_cast<unsigned>(parse_count(optarg, "count", 1, kMaxDemoChildren));
                    has_count = true;
                    break;
            }
        }
    } catch (const Error& e) {
        o.fail("%s", e.what());
    }
    if (o.count() > 0) o.fail("unexpected operand '%s'", o.operand(0));
    if (mode == "orphan" && has_count) o.fail("-c does not go with orphan");
    if (mode != "zombie" && has_hold) o.fail("--hold goes only with zombie");
    if (mode != "reap" && !s.method.empty()) o.fail("--method goes only with reap");
    if (mode == "reap" && s.method.empty()) o.fail("--method is needed");
    if (mode == "reap" && !is_reap_method(s.method))
        o.fail("unknown method '%s': expected wait, sigchld, ignore, double-fork or subreaper", s.method.c_str());
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    set_program_name("orphan-demo");
    default_sigchld();
    check_stdout_at_exit();
    const Settings s = parse_args(argc, argv);
    try {
        Timeline t(s.json);
        if (s.mode == "orphan") return show_orphan(t);
        if (s.mode == "zombie") return show_zombies(t, s.count, s.hold);
        return show_reaping(t, s.method, s.count);
    } catch (const Error& e) {
        // The pipes the children wait on are closed by now: they end, and
        // are reaped here rather than left to init.
        while (retry_eintr([] { return waitpid(-1, nullptr, 0); }) > 0) {
        }
        die(e);
    }
}
