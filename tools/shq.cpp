// shq: shared queues from the shell.
//
// Every verb is a short pipeline: parse its options, name the queue, open
// it through lib/queue_factory.h (which hides the backends), move messages
// between the queue and stdio (lib/queue_shell.h). Each verb runs in a
// Context (lib/diag.h) that names it and its queue: errors from the library
// arrive as prockit::Error and are printed once, here, as
// "shq: VERB QUEUE: reason".
#include <grp.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "diag.h"
#include "endpoint.h"
#include "options.h"
#include "parse.h"
#include "queue.h"
#include "queue_factory.h"
#include "queue_shell.h"
#include "queue_status.h"
#include "signals.h"
#include "text.h"

using namespace prockit;

namespace {

const char kUsage[] =
    "usage: shq create [-m MAXMSG | -S BYTES] [-s MSGSIZE] [-M MODE] [-g GROUP]\n"
    "                  [-x] QUEUE\n"
    "       shq put [-p PRIO] [-t SECONDS] [-n] [-0] [-C] QUEUE [MESSAGE ...]\n"
    "       shq get [-t SECONDS] [-n] [-c COUNT | -a] [-0] [-P] QUEUE\n"
    "       shq done [-c COUNT] QUEUE\n"
    "       shq join [-t SECONDS] QUEUE\n"
    "       shq recover [--older-than SECONDS] QUEUE\n"
    "       shq stat [--json] QUEUE\n"
    "       shq ls [--json] [redis://HOST[:PORT][/DB]]\n"
    "       shq rm [-f] QUEUE ...\n"
    "       shq --help | --version\n";

const char kHelp[] =
    "\n"
    "QUEUE is NAME, /NAME or mq:/NAME (a POSIX message queue), shm:/NAME\n"
    "(a prockit ring in shared memory: faster, first in first out, no priorities),\n"
    "or redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME (a queue on a Redis server,\n"
    "for many machines; the password also from PROCKIT_REDIS_PASSWORD).\n"
    "\n"
    "  create  -m MAXMSG  capacity in messages (mq) -S BYTES    ring size (shm, 1M)\n"
    "          -s MSGSIZE largest message in bytes  -M MODE     permissions (0600)\n"
    "          -g GROUP   give it (and its task counts) to GROUP, to share with\n"
    "                     -M 0660\n"
    "          -x         succeed if it exists and is yours\n"
    "  put     -p PRIO    priority, 0 to 32767; higher is received first\n"
    "          -t SECONDS wait at most this long for room, for each message\n"
    "          -n         never wait        -0  stdin records end in NUL, not \\n\n"
    "          -C         create the queue with defaults if it is missing\n"
    "  get     -t SECONDS wait at most this long, for each message\n"
    "          -n         never wait        -c COUNT  get COUNT messages (1)\n"
    "          -a         get all that are there now (with -t: wait for the first)\n"
    "          -0         end each message with NUL, not newline\n"
    "          -P         print the priority and a tab before each message\n"
    "  done    -c COUNT   mark COUNT fetched messages finished (1)\n"
    "  join    -t SECONDS wait at most this long for every message put to be done\n"
    "  recover --older-than SECONDS  also take back from consumers silent that long\n"
    "          (redis: returns to the queue what dead consumers took, unfinished)\n"
    "  rm      -f         a missing queue is not an error\n"
    "\n"
    "Exit status: 0 success; 1 nothing could be done in time (queue empty for get,\n"
    "full for put, a ring's lock held by another process, with -n or after -t;\n"
    "tasks unfinished for join -t); 2 usage error or invalid argument; 3 the queue\n"
    "does not exist, or was removed while get, put or join waited on it; 4 any other\n"
    "error (permission, kernel limit, message too large, more done than put, a\n"
    "damaged ring, out of memory, output that cannot be written); 128+N killed by\n"
    "signal N. Sizes take K, M, G or T; -- ends the options.\n";

// The usage line of one verb, for misuse of that verb.
std::string verb_usage(const char* verb) {
    std::string all = kUsage, key = std::string("shq ") + verb + " ";
    size_t at = all.find(key);
    size_t end = all.find('\n', at);
    return "usage: " + all.substr(at, end - at + 1);
}

// The queue the verb works on, for "shq: VERB QUEUE: reason".
Endpoint named(const char* text) {
    Endpoint e = parse_queue(text);
    Context::set_object(e.display());
    return e;
}

struct Args {
    const char* verb;
    int argc;
    char** argv;
};

// The options of one verb, with its usage line for misuse and --help.
class VerbOptions : public Options {
public:
    VerbOptions(const Args& a, const char* optstring, const option* longopts = nullptr,
                Order order = Order::options_first)
        : Options(a.argc, a.argv, optstring, longopts, a.verb, verb_usage(a.verb), kHelp, order) {}

    // The first operand, QUEUE.
    Endpoint queue() const {
        if (count() < 1) fail("missing QUEUE");
        return named(operand(0));
    }
    // The one operand, QUEUE (for verbs that take no other).
    Endpoint sole_queue() const {
        if (count() > 1) fail("too many operands");
        return queue();
    }
};

constexpr int kJson = 1000;
const option kJsonOpts[] = {{"json", no_argument, nullptr, kJson}, {}};

// The options of stat and ls: --json, and at most one operand.
struct JsonVerbOptions : VerbOptions {
    bool json = false;
    explicit JsonVerbOptions(const Args& a) : VerbOptions(a, "", kJsonOpts) {
        for (int c; (c = next()) != -1;) json = json || c == kJson;
        if (count() > 1) fail("too many operands");
    }
};

// A group by name, or by number (one /etc/group need not list).
gid_t group_id(const VerbOptions& o, const char* text) {
    if (const group* g = getgrnam(text)) return g->gr_gid;
    if (text[0] < '0' || text[0] > '9') o.fail("no such group '%s'", escape_text(text).c_str());
    return static_cast<gid_t>(parse_count(text, "group", 0, UINT32_MAX - 1));
}

int create(const Args& a) {
    CreateOptions opt;
    VerbOptions o(a, "m:S:s:M:g:x");
    for (int c; (c = o.next()) != -1;) {
        switch (c) {
            case 'm': opt.maxmsg = static_cast<long>(parse_count(optarg, "capacity", 1, 1'000'000'000)); break;
            // Sizes take K, M, G and T as every prockit tool's do (pipe-cat -B).
            case 'S': opt.bytes = static_cast<long>(parse_size(optarg, "ring size", 64, 1UL << 40)); break;
            case 's': opt.msgsize = static_cast<long>(parse_size(optarg, "message size", 1, 1'000'000'000)); break;
            case 'M': opt.mode = parse_mode(optarg); break;
            case 'g': opt.gid = group_id(o, optarg); break;
            case 'x': opt.exist_ok = opt.mine_only = true; break;
        }
    }
    create_queue(o.sole_queue(), opt);
    return 0;
}

// -t SECONDS and -n, shared by put and get.
struct WaitOption {
    WaitPolicy policy = WaitPolicy::forever();
    bool set = false;
    int last = 0;

    void take(const VerbOptions& o, int c) {
        if (set && c != last) o.fail("-n and -t exclude each other");
        set = true;
        last = c;
        policy = c == 'n' ? WaitPolicy::no_wait() : WaitPolicy::seconds(parse_seconds(optarg, "seconds"));
    }
};

int put(const Args& a) {
    unsigned prio = 0;
    WaitOption wait;
    char delim = '\n';
    bool create_missing = false;
    VerbOptions o(a, "p:t:n0C");
    for (int c; (c = o.next()) != -1;) {
        switch (c) {
            case 'p': prio = static_cast<unsigned>(parse_count(optarg, "priority", 0, 32767)); break;
            case 't': case 'n': wait.take(o, c); break;
            case '0': delim = '\0'; break;
            case 'C': create_missing = true; break;
        }
    }
    Endpoint e = o.queue();
    auto q = create_missing ? create_queue(e, CreateOptions{.exist_ok = true, .mine_only = true})
                            : open_queue(e, {Access::write});
    // Options end at QUEUE; a "--" right after it ends them too, as a user
    // who writes `put Q -- -n` means (so `put Q -- --` sends "--").
    int first = o.count() > 1 && std::strcmp(o.operand(1), "--") == 0 ? 2 : 1;
    std::vector<std::string_view> messages;
    for (int i = first; i < o.count(); ++i) messages.emplace_back(o.operand(i));
    put_messages(*q, messages, STDIN_FILENO, delim, prio, wait.policy);
    return 0;
}

int get(const Args& a) {
    WaitOption wait;
    uint64_t count = 1;
    bool all = false, with_prio = false, count_set = false;
    char delim = '\n';
    VerbOptions o(a, "t:nc:a0P");
    for (int c; (c = o.next()) != -1;) {
        switch (c) {
            case 't': case 'n': wait.take(o, c); break;
            case 'c': count = parse_count(optarg, "count", 1, UINT64_MAX); count_set = true; break;
            case 'a': all = true; break;
            case '0': delim = '\0'; break;
            case 'P': with_prio = true; break;
        }
    }
    if (all && count_set) o.fail("-c and -a exclude each other");
    Endpoint e = o.sole_queue();
    // -a drains what is there now: it waits only when -t says how long.
    GetPlan plan{count, all, all && !wait.set ? WaitPolicy::no_wait() : wait.policy,
                 all ? WaitPolicy::no_wait() : wait.policy};

    StopSignals stop;
    auto q = open_queue(e, {Access::read});
    Output out(STDOUT_FILENO);
    uint64_t got = get_messages(*q, out, RecordFormat{delim, with_prio, true, true}, plan, &stop);
    if (stop.received()) stop.die_of_signal();
    if (!q->blocked_by().empty()) warn("%s", q->blocked_by().c_str());
    return got == 0 || (!all && got < count) ? code(Exit::timed_out) : 0;
}

int done(const Args& a) {
    uint64_t count = 1;
    VerbOptions o(a, "c:");
    for (int c; (c = o.next()) != -1;) count = parse_count(optarg, "count", 1, UINT64_MAX);
    open_queue(o.sole_queue(), {Access::read})->done(count);
    return 0;
}

int join(const Args& a) {
    WaitOption wait;
    VerbOptions o(a, "t:");
    for (int c; (c = o.next()) != -1;) wait.take(o, c);
    Endpoint e = o.sole_queue();
    StopSignals stop;
    auto q = open_queue(e, {Access::read});
    switch (q->join(wait.policy.deadline(), &stop)) {
        case Joined::yes: return 0;
        case Joined::timed_out: return code(Exit::timed_out);
        case Joined::stopped: stop.die_of_signal();
    }
    return 0;
}

int recover(const Args& a) {
    constexpr int kOlderThan = 1001;
    const option longopts[] = {{"older-than", required_argument, nullptr, kOlderThan}, {}};
    double older_than = -1;  // not given; 0 takes back what every consumer holds
    // Options anywhere: `recover QUEUE --older-than 60` reads as it is meant.
    VerbOptions o(a, "", longopts, Options::Order::anywhere);
    for (int c; (c = o.next()) != -1;) older_than = parse_seconds(optarg, "age");
    for (const Recovered& r : open_queue(o.sole_queue(), {Access::read_write})->recover(older_than))
        std::printf("recovered %llu %s of consumer %s: %s\n", static_cast<unsigned long long>(r.messages),
                    r.messages == 1 ? "message" : "messages", escape_text(r.consumer).c_str(),
                    escape_text(r.why).c_str());
    return 0;
}

int stat(const Args& a) {
    JsonVerbOptions o(a);
    QueueStatus s = open_queue(o.queue(), {Access::read})->status();
    std::fputs((o.json ? status_json(s) + "\n" : status_text(s)).c_str(), stdout);
    return 0;
}

int ls(const Args& a) {
    JsonVerbOptions o(a);
    const char* where = o.count() == 1 ? o.operand(0) : "";
    if (!is_queue_place(where))
        o.fail("ls lists this machine's queues, or those of a Redis server such as redis://127.0.0.1:6379");
    Context::set_object(queue_place_name(where));
    print_queues(where, o.json);
    return 0;
}

int rm(const Args& a) {
    bool force = false;
    VerbOptions o(a, "f");
    for (int c; (c = o.next()) != -1;) force = true;
    if (o.count() < 1) o.fail("missing QUEUE");
    int status = 0;
    for (int i = 0; i < o.count(); ++i) {
        Endpoint e = named(o.operand(i));
        try {
            remove_queue(e);
        } catch (const Error& err) {
            if (force && err.status() == Exit::missing) continue;
            warn("%s", err.what());  // said in this queue's context
            status = std::max(status, code(err.status()));
        }
    }
    return status;
}

struct Verb {
    const char* name;
    int (*run)(const Args&);
};
const Verb kVerbs[] = {{"create", create}, {"put", put},         {"get", get},   {"done", done}, {"join", join},
                       {"recover", recover}, {"stat", stat}, {"ls", ls}, {"rm", rm}};

}  // namespace

int main(int argc, char** argv) {
    set_program_name("shq");
    let_stop_signals_into_queues();  // ended by Stopped, caught below
    check_stdout_at_exit(code(Exit::failure));  // --help and --version
    if (argc < 2) usage_error(kUsage, "missing verb");
    std::string first = argv[1];
    if (first == "--help" || first == "-h") {
        std::fputs(kUsage, stdout);
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (first == "--version") Options::print_version();
    for (const Verb& v : kVerbs) {
        if (first != v.name) continue;
        Context verb(v.name);  // "get", then "get /jobs" once the queue is named
        Args args{v.name, argc - 1, argv + 1};
        try {
            int status = v.run(args);
            // What went to stdout through stdio (stat, ls, recover) and was
            // lost to a full disk is 4, said in the verb's context.
            flush_stdout();
            return status;
        } catch (const Stopped& s) {
            s.die();  // a stop signal during a wait on a Redis server
        } catch (const Error& e) {
            die(e);
        } catch (const std::bad_alloc&) {
            // A queue made for huge messages, under a memory limit (ulimit -v).
            die(Exit::failure, "out of memory");
        }
    }
    usage_error(kUsage, "unknown verb '%s'", argv[1]);
}
