// pipe-cat: cat between any two IPC endpoints.
//
// SRC and DST are byte streams (stdio, files, FIFOs, descriptors) or queues
// (mq:/NAME, shm:/NAME, redis://HOST[:PORT][/DB]/NAME). Four ways through,
// one engine each (lib/copy.h, lib/queue_copy.h):
//   stream -> stream  copy_bytes: splice, copy_file_range or read/write;
//   stream -> queue   each record (line, NUL record, chunk) one message;
//   queue  -> stream  each message followed by the delimiter;
//   queue  -> queue   message for message, boundaries kept.
// Stop signals are blocked and let in only while waiting (lib/signals.h),
// so pipe-cat stops between records, having written what it read. A file
// DST is looked at before it is truncated (open_sink): never the input,
// and never a non-empty file unless -O or -a says so.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "copy.h"
#include "diag.h"
#include "endpoint.h"
#include "meter.h"
#include "options.h"
#include "parse.h"
#include "queue.h"
#include "queue_copy.h"
#include "queue_factory.h"
#include "signals.h"
#include "stream.h"

using namespace prockit;

namespace {

const char kUsage[] =
    "usage: pipe-cat [-p] [-f] [-L RATE] [-s SIZE] [-l | -0 | -B BYTES] [-E]\n"
    "                [-c COUNT] [-t SECONDS] [-a | -O] [-M MODE] [--stats[=json]]\n"
    "                [SRC [DST]]\n";

const char kHelp[] =
    "\n"
    "SRC and DST (default -): - (stdio), PATH or file:PATH, fifo:PATH (made if\n"
    "missing, mode 0600), fd:N, mq:/NAME (a POSIX message queue), shm:/NAME (a\n"
    "prockit ring), redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME.\n"
    "\n"
    "  -l          a record is a line (the default)\n"
    "  -0          a record ends in NUL\n"
    "  -B BYTES    a record is a chunk of BYTES bytes; messages are written out as\n"
    "              is\n"
    "  -E          when the input ends, send the end-of-stream marker to the DST\n"
    "              queue\n"
    "  -c COUNT    stop after COUNT records or messages\n"
    "  -t SECONDS  stop when nothing has arrived for SECONDS\n"
    "  -a          append to a DST file (--append)\n"
    "  -O          overwrite a DST file that is not empty (--overwrite); without\n"
    "              -a or -O such a file is refused, so `pipe-cat a b` loses no b\n"
    "  -M MODE     make a missing fifo: with this octal mode (default 0600)\n"
    "  -p          show progress on stderr (if it is a terminal, or with -f)\n"
    "  -f          show progress even when stderr is not a terminal\n"
    "  -s SIZE     the expected size, for percent and ETA in the progress (default:\n"
    "              what is left of a SRC that is a regular file)\n"
    "  -L RATE     move at most RATE bytes a second (K, M, G suffixes)\n"
    "  --stats     print a summary on stderr at the end; =json as one JSON object\n"
    "\n"
    "Exit status: 0 success; 1 timed out (-t) or fewer than COUNT (-c); 2 usage\n"
    "error, or a DST file that is not empty without -a or -O; 3 an endpoint does\n"
    "not exist; 4 an I/O or system error, a full device, or SRC and DST the same\n"
    "file; 128+N killed by signal N (141 when the reader went away).\n";

struct Config {
    char delim = '\n';
    size_t chunk = 0;  // -B
    bool end_marker = false;
    uint64_t count = 0;  // 0: no limit
    WaitPolicy idle = WaitPolicy::forever();
    Meter::Options meter;
    bool force_progress = false;
    unsigned fifo_mode = kFifoMode;  // -M
    enum class Existing { refuse, overwrite, append } existing = Existing::refuse;  // -O, -a
    enum class Stats { none, text, json } stats = Stats::none;
};

int status_for(CopyEnd e, const Config& c, uint64_t records) {
    if (e == CopyEnd::idle) return code(Exit::timed_out);
    if (e == CopyEnd::end && c.count && records < c.count) return code(Exit::timed_out);
    return 0;
}

const char* g_method = "messages";

std::unique_ptr<Queue> open_endpoint_queue(const Endpoint& e, Access a) {
    return with_context(e.str(), [&] { return open_queue(e, {a}); });
}

Stream open_endpoint_stream(const Endpoint& e, Stream::Direction d, const Config& c, const StopSignals& stop) {
    return with_context("open " + e.str(), [&] { return Stream::open(e, d, &stop, c.fifo_mode); });
}

// Opens DST, and writes nothing to a file worth keeping: not the input
// (`pipe-cat f f`, `pipe-cat f - >> f` would empty it or feed it back to
// itself), and not a non-empty file named as DST without -a or -O (the
// cat habit `pipe-cat a b > whole` would lose b). Only then truncated.
Stream open_sink(const Endpoint& dst, const Stream* in, const Config& c, const StopSignals& stop) {
    using D = Stream::Direction;
    Stream out = open_endpoint_stream(dst, c.existing == Config::Existing::append ? D::append : D::sink, c, stop);
    if (out.fd() < 0) return out;
    if (in && in->same_file(out)) throw Error(Exit::failure, in->name() + ": input file is output file");
    if (!out.is_named_file() || c.existing == Config::Existing::append) return out;
    // /dev/stdout names the file the shell opened for us: its > or >> chose,
    // and its offset and O_APPEND are those of the shell's descriptor.
    if (Stream std_out = Stream::open(Endpoint(), Stream::Direction::sink, nullptr); out.same_file(std_out))
        return std_out;
    if (c.existing == Config::Existing::refuse && out.size_left() > 0)
        throw Error(Exit::usage, "refused to overwrite " + out.name() +
                                     ", a file that is not empty: -O overwrites it, -a appends to it"
                                     " (pipe-cat copies one SRC to one DST)");
    out.truncate();
    return out;
}

QueueCopyOptions copy_options(const Config& c, Meter& meter, StopSignals& stop) {
    return QueueCopyOptions{CopyOptions{&stop, c.idle, &meter, c.count, c.delim, c.chunk}, c.meter.rate != 0,
                            c.end_marker};
}

CopyEnd bytes_to_bytes(const Endpoint& src, const Endpoint& dst, const Config& c, Meter& meter, StopSignals& stop,
                       uint64_t& records) {
    Stream in = open_endpoint_stream(src, Stream::Direction::source, c, stop);
    if (in.fd() < 0) return CopyEnd::stopped;
    meter.expect(in.size_left());
    Stream out = open_sink(dst, &in, c, stop);
    if (out.fd() < 0) return CopyEnd::stopped;
    CopyResult r = copy_bytes(in, out, copy_options(c, meter, stop).copy);
    g_method = r.method;
    records = r.end == CopyEnd::count ? c.count : 0;
    return r.end;
}

CopyEnd bytes_to_queue(const Endpoint& src, const Endpoint& dst, const Config& c, Meter& meter, StopSignals& stop,
                       uint64_t& records) {
    auto q = open_endpoint_queue(dst, Access::write);
    Stream in = open_endpoint_stream(src, Stream::Direction::source, c, stop);
    if (in.fd() < 0) return CopyEnd::stopped;
    // Lines and NUL records count without their delimiter: only chunks add
    // up to the file's size.
    if (c.chunk) meter.expect(in.size_left());
    return stream_to_queue(in, *q, copy_options(c, meter, stop), records);
}

CopyEnd queue_to_bytes(const Endpoint& src, const Endpoint& dst, const Config& c, Meter& meter, StopSignals& stop,
                       uint64_t& records) {
    auto q = open_endpoint_queue(src, Access::read);
    Stream out = open_sink(dst, nullptr, c, stop);
    if (out.fd() < 0) return CopyEnd::stopped;
    return queue_to_stream(*q, out, copy_options(c, meter, stop), records);
}

CopyEnd queue_to_queues(const Endpoint& src, const Endpoint& dst, const Config& c, Meter& meter, StopSignals& stop,
                        uint64_t& records) {
    auto in = open_endpoint_queue(src, Access::read);
    auto out = open_endpoint_queue(dst, Access::write);
    return queue_to_queue(*in, *out, copy_options(c, meter, stop), records);
}

constexpr int kStats = 1000;
const option kLongOptions[] = {{"stats", optional_argument, nullptr, kStats},
                               {"append", no_argument, nullptr, 'a'},
                               {"overwrite", no_argument, nullptr, 'O'},
                               {}};

Config parse(Options& o) {
    Config c;
    int framing = 0, existing = 0;
    for (int ch; (ch = o.next()) != -1;) {
        switch (ch) {
            case 'p': c.meter.progress = true; break;
            case 'f': c.force_progress = true; break;
            case 'L': c.meter.rate = parse_size(optarg, "rate", 1, UINT64_MAX); break;
            case 's': c.meter.size = parse_size(optarg, "size", 1, UINT64_MAX); break;
            case 'l': c.delim = '\n', c.chunk = 0, ++framing; break;
            case '0': c.delim = '\0', c.chunk = 0, ++framing; break;
            case 'B': c.chunk = parse_size(optarg, "chunk size", 1, 1 << 30), ++framing; break;
            case 'E': c.end_marker = true; break;
            case 'M': c.fifo_mode = parse_mode(optarg); break;
            case 'a': c.existing = Config::Existing::append, existing |= 1; break;
            case 'O': c.existing = Config::Existing::overwrite, existing |= 2; break;
            case 'c': c.count = parse_count(optarg, "count", 1, UINT64_MAX); break;
            case 't': c.idle = WaitPolicy::seconds(parse_seconds(optarg, "seconds")); break;
            case kStats:
                if (!optarg) c.stats = Config::Stats::text;
                else if (std::strcmp(optarg, "json") == 0) c.stats = Config::Stats::json;
                else o.fail("--stats takes no value or =json, not '%s'", optarg);
                break;
        }
    }
    if (framing > 1) o.fail("-l, -0 and -B exclude each other");
    if (existing == 3) o.fail("-a and -O exclude each other");
    if (o.count() > 2) o.fail("too many operands");
    // Progress goes to a person: only to a terminal, unless forced.
    c.meter.progress = c.meter.progress && (c.force_progress || isatty(STDERR_FILENO));
    return c;
}

// The summary of --stats on stderr; false if it could not be written.
bool print_stats(const Config& c, const Meter& meter) {
    if (c.stats == Config::Stats::text) warn("%s (%s)", meter.stats_text().c_str(), g_method);
    if (c.stats == Config::Stats::json) {
        std::string j = meter.stats_json();
        j.insert(j.size() - 1, std::string(",\"method\":\"") + g_method + "\"");
        std::fprintf(stderr, "%s\n", j.c_str());
    }
    return std::fflush(stderr) == 0 && !std::ferror(stderr);
}

}  // namespace

int main(int argc, char** argv) {
    set_program_name("pipe-cat");
    let_stop_signals_into_queues();  // ended by Stopped, caught below
    check_stdout_at_exit(code(Exit::failure));  // --help and --version too (lib/diag.h)
    Options o(argc, argv, "pfL:s:l0B:Ec:t:M:aO", kLongOptions, "", kUsage, kHelp, Options::Order::anywhere);
    try {
        Config c = parse(o);
        Endpoint src = parse_endpoint(o.count() > 0 ? o.operand(0) : "-");
        Endpoint dst = parse_endpoint(o.count() > 1 ? o.operand(1) : "-");
        if (c.end_marker && !dst.is_queue()) o.fail("-E sends the end-of-stream marker to a queue, and DST is not one");

        // Any catchable signal that ends us ends us through the stop path,
        // so that a FIFO we made is removed.
        StopSignals stop(StopSignals::Also::other_fatal);
        Meter meter(c.meter);
        uint64_t records = 0;
        CopyEnd end = !src.is_queue() ? (!dst.is_queue() ? bytes_to_bytes : bytes_to_queue)(src, dst, c, meter, stop, records)
                                  : (!dst.is_queue() ? queue_to_bytes : queue_to_queues)(src, dst, c, meter, stop, records);
        meter.finish();
        // Nothing can say that stderr is full: the status must.
        if (!print_stats(c, meter)) return code(Exit::failure);
        if (end == CopyEnd::stopped) stop.die_of_signal();
        return status_for(end, c, records);
    } catch (const Stopped& s) {
        s.die();  // what it made is gone with the stack: end of the signal
    } catch (const Error& e) {
        die(e);
    } catch (const std::bad_alloc&) {
        // Buffers grow with the data, up to -B or a queue's message size.
        die(Exit::failure, "out of memory");
    }
}
