// shq: shared queues from the shell.
//
// Every verb is a short pipeline: parse its options, name the queue, open
// it through lib/queue.h (which hides the backend), move messages between
// the queue and stdio. Errors from the library arrive as prockit::Error and
// are printed once, here, as "shq: VERB QUEUE: reason".
#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "diag.h"
#include "endpoint.h"
#include "json.h"
#include "options.h"
#include "parse.h"
#include "queue.h"
#include "records.h"
#include "redis.h"
#include "shm_segment.h"
#include "signals.h"
#include "text.h"
#include "version.h"

using namespace prockit;

namespace {

const char kUsage[] =
    "usage: shq create [-m MAXMSG | -S BYTES] [-s MSGSIZE] [-M MODE] [-g GROUP] [-x] QUEUE\n"
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
    "          -s MSGSIZE largest message in bytes  -M MODE     octal permissions (0600)\n"
    "          -g GROUP   give it (and its task counts) to GROUP, to share with -M 0660\n"
    "          -x         succeed if it exists and is yours\n"
    "  put     -p PRIO    priority, 0 to 32767; higher is received first\n"
    "          -t SECONDS wait at most this long for room, for each message\n"
    "          -n         never wait        -0  stdin records end in NUL, not newline\n"
    "          -C         create the queue with defaults if it is missing\n"
    "  get     -t SECONDS wait at most this long, for each message\n"
    "          -n         never wait        -c COUNT  get COUNT messages (1)\n"
    "          -a         get all that are there now (with -t: wait for the first)\n"
    "          -0         end each message with NUL, not newline\n"
    "          -P         print the priority and a tab before each message\n"
    "  done    -c COUNT   mark COUNT fetched messages finished (1)\n"
    "  join    -t SECONDS wait at most this long for every message put to be done\n"
    "  recover --older-than SECONDS  also take back from consumers silent that long\n"
    "          (redis: returns to the queue what dead consumers took and did not finish)\n"
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
std::string g_object;
const char* g_verb = nullptr;

// What went to stdout through stdio (stat, ls, recover, --help, --version)
// is checked at exit (lib/diag.h): output lost to a full disk is 4, said
// as "shq: VERB QUEUE: write standard output: reason".
std::string stdout_context() {
    return g_verb ? std::string(g_verb) + (g_object.empty() ? "" : " " + g_object) : "";
}

Endpoint named(const char* text) {
    Endpoint e = parse_queue(text);
    g_object = e.display();
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

    // The one QUEUE operand (for verbs that take exactly one).
    Endpoint queue() const {
        if (count() < 1) fail("missing QUEUE");
        return named(operand(0));
    }
};

constexpr int kJson = 1000;
const option kJsonOpts[] = {{"json", no_argument, nullptr, kJson}, {}};

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
    if (o.count() > 1) o.fail("too many operands");
    create_queue(o.queue(), opt);
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

// Sends stdin's records, every one already in the read buffer as one batch:
// a backend may then take its lock once for many messages.
template <class Full>
int put_records(Queue& q, char delim, unsigned prio, const WaitPolicy& wait, uint64_t& sent, Full queue_full) {
    RecordReader in(STDIN_FILENO, delim, q.max_message());
    std::vector<std::string_view> batch;
    for (std::string_view rec;;) {
        switch (in.next(rec)) {
            case RecordReader::Status::record: break;
            case RecordReader::Status::end:
            case RecordReader::Status::idle:     // only with Waiting, which put does not ask for
            case RecordReader::Status::stopped: return 0;
            case RecordReader::Status::too_long:
                throw Error(Exit::failure, std::string("message of ") + (in.long_is_lower_bound() ? "more than " : "") +
                                               std::to_string(in.long_length()) + " bytes exceeds the queue's " +
                                               std::to_string(q.max_message()) + "; " + std::to_string(sent) +
                                               " messages before it were sent");
        }
        batch.assign(1, rec);
        while (batch.size() < 4096 && in.next_buffered(rec)) batch.push_back(rec);
        size_t n = q.send_many(batch.data(), batch.size(), prio, wait);
        sent += n;
        if (n < batch.size()) queue_full();
    }
}

std::string sent_text(uint64_t sent) {
    return std::to_string(sent) + (sent == 1 ? " message was sent" : " messages were sent");
}

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
                            : open_queue(e, Access::write);

    uint64_t sent = 0;
    auto queue_full = [&] {
        // A ring's lock held past the deadline (a stopped holder) is said as such.
        std::string why = q->blocked_by().empty() ? "queue is full" : q->blocked_by();
        throw Error(Exit::timed_out, why + "; " + sent_text(sent) + ", the rest were not");
    };
    auto send = [&](std::string_view msg) {
        if (!q->send(msg, prio, wait.policy.deadline())) queue_full();
        ++sent;
    };
    // Options end at QUEUE; a "--" right after it ends them too, as a user
    // who writes `put Q -- -n` means (so `put Q -- --` sends "--").
    int first = o.count() > 1 && std::strcmp(o.operand(1), "--") == 0 ? 2 : 1;
    try {
        if (o.count() > first) {
            for (int i = first; i < o.count(); ++i) send(o.operand(i));
            return 0;
        }
        return put_records(*q, delim, prio, wait.policy, sent, queue_full);
    } catch (const Error& err) {
        // Removed while we waited for room: say how far we got.
        if (err.status() != Exit::missing || sent == 0) throw;
        throw Error(err.status(), std::string(err.what()) + "; " + sent_text(sent) + ", the rest were not");
    }
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
    if (o.count() > 1) o.fail("too many operands");
    Endpoint e = o.queue();
    // -a drains what is there now: it waits only when -t says how long.
    WaitPolicy first = all && !wait.set ? WaitPolicy::no_wait() : wait.policy;

    StopSignals stop;
    auto q = open_queue(e, Access::read);
    Output out(STDOUT_FILENO);
    const RecordFormat format{delim, with_prio, true, true};
    // A message is taken before it is written (a queue cannot lend one):
    // one that cannot be written is lost, and the error says how many were.
    uint64_t got = 0, written = 0;
    out.on_flush([&] { written = got; });  // flushes come between takes
    try {
        while (all || got < count) {
            Deadline d = got == 0 ? first.deadline() : all ? Deadline::now() : wait.policy.deadline();
            Taken t = take_into(*q, out, format, all ? UINT64_MAX : count - got, d, &stop);
            got += t.messages;
            // pipe-cat -E's end-of-stream marker ends get too: taken, not printed.
            if (t.ended || t.got != Queue::Got::message) break;
        }
        out.flush();
    } catch (const Error& err) {
        // What was taken before an error of the queue is still written out.
        try {
            out.flush();
        } catch (const Error&) {
            // The error was (or is now) standard output's own.
        }
        if (got == written) throw;
        const uint64_t lost = got - written;
        throw Error(err.status(), std::string(err.what()) + "; " + std::to_string(lost) +
                                      (lost == 1 ? " message was" : " messages were") +
                                      " taken from the queue and not written: lost");
    }
    if (stop.received()) stop.die_of_signal();
    if (!q->blocked_by().empty()) warn("get %s: %s", g_object.c_str(), q->blocked_by().c_str());
    return got == 0 || (!all && got < count) ? code(Exit::timed_out) : 0;
}

int done(const Args& a) {
    uint64_t count = 1;
    VerbOptions o(a, "c:");
    for (int c; (c = o.next()) != -1;) count = parse_count(optarg, "count", 1, UINT64_MAX);
    if (o.count() > 1) o.fail("too many operands");
    open_queue(o.queue(), Access::read)->done(count);
    return 0;
}

int join(const Args& a) {
    WaitOption wait;
    VerbOptions o(a, "t:");
    for (int c; (c = o.next()) != -1;) wait.take(o, c);
    if (o.count() > 1) o.fail("too many operands");
    Endpoint e = o.queue();
    StopSignals stop;
    auto q = open_queue(e, Access::read);
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
    if (o.count() > 1) o.fail("too many operands");
    for (const Recovered& r : open_queue(o.queue(), Access::read_write)->recover(older_than))
        std::printf("recovered %llu %s of consumer %s: %s\n", static_cast<unsigned long long>(r.messages),
                    r.messages == 1 ? "message" : "messages", escape_text(r.consumer).c_str(),
                    escape_text(r.why).c_str());
    return 0;
}

int stat(const Args& a) {
    bool json = false;
    VerbOptions o(a, "", kJsonOpts);
    for (int c; (c = o.next()) != -1;) json = json || c == kJson;
    if (o.count() > 1) o.fail("too many operands");
    QueueStatus s = open_queue(o.queue(), Access::read)->status();
    std::fputs((json ? status_json(s) + "\n" : status_text(s)).c_str(), stdout);
    return 0;
}

int ls(const Args& a) {
    bool json = false;
    VerbOptions o(a, "", kJsonOpts);
    for (int c; (c = o.next()) != -1;) json = json || c == kJson;
    if (o.count() > 1) o.fail("too many operands");
    std::vector<Endpoint> queues;
    if (o.count() == 1) {
        if (std::strncmp(o.operand(0), "redis://", 8) != 0)
            o.fail("ls lists this machine's queues, or those of a Redis server such as redis://127.0.0.1:6379");
        RedisServer server = parse_redis_server(o.operand(0));
        g_object = server.str();
        queues = list_queues(server);
    } else {
        queues = list_queues();
    }
    for (const Endpoint& e : queues) {
        if (!json) {
            std::printf("%s\n", escape_text(e.display()).c_str());  // a name may hold a newline
            continue;
        }
        try {
            std::printf("%s\n", status_json(open_queue(e, Access::read)->status()).c_str());
        } catch (const Error& err) {
            // Listed but not readable by us (mode 0600 of another user), or
            // removed since the listing: say so in the record, keep going.
            std::printf("{\"queue\":%s,\"error\":%s}\n", json_string(e.display()).c_str(), json_string(err.what()).c_str());
        }
    }
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
            warn("rm %s: %s", e.display().c_str(), err.what());
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
    Redis::let_stop_signals_in();  // ended by Stopped, caught below
    check_stdout_at_exit(code(Exit::failure), stdout_context);
    SharedSegment::set_fault_context(stdout_context);
    if (argc < 2) usage_error(kUsage, "missing verb");
    std::string first = argv[1];
    if (first == "--help" || first == "-h") {
        std::fputs(kUsage, stdout);
        std::fputs(kHelp, stdout);
        return 0;
    }
    if (first == "--version") {
        std::puts("shq (prockit) " PROCKIT_VERSION);
        return 0;
    }
    for (const Verb& v : kVerbs) {
        if (first != v.name) continue;
        g_verb = v.name;
        Args args{v.name, argc - 1, argv + 1};
        try {
            return v.run(args);
        } catch (const Stopped& s) {
            s.die();  // a stop signal during a wait on a Redis server
        } catch (const Error& e) {
            if (g_object.empty()) die(e.status(), "%s: %s", v.name, e.what());
            die(e.status(), "%s %s: %s", v.name, g_object.c_str(), e.what());
        } catch (const std::bad_alloc&) {
            // A queue made for huge messages, under a memory limit (ulimit -v).
            die(Exit::failure, "%s %s: out of memory", v.name, g_object.c_str());
        }
    }
    usage_error(kUsage, "unknown verb '%s'", argv[1]);
}
