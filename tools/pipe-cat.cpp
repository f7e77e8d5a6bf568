// pipe-cat: cat between any two IPC endpoints.
//
// SRC and DST are byte streams (stdio, files, FIFOs, descriptors) or queues
// (mq:/NAME, shm:/NAME). Four ways through, one function each:
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
#include <vector>

#include "copy.h"
#include "diag.h"
#include "endpoint.h"
#include "meter.h"
#include "options.h"
#include "parse.h"
#include "queue.h"
#include "records.h"
#include "redis.h"
#include "signals.h"
#include "stream.h"
#include "version.h"

using namespace prockit;

namespace {

const char kUsage[] =
    "usage: pipe-cat [-p] [-f] [-L RATE] [-s SIZE] [-l | -0 | -B BYTES] [-E] [-c COUNT] [-t SECONDS]\n"
    "                [-a | -O] [-M MODE] [--stats[=json]] [SRC [DST]]\n";

const char kHelp[] =
    "\n"
    "SRC and DST (default -): - (stdio), PATH or file:PATH, fifo:PATH (made if\n"
    "missing, mode 0600), fd:N, mq:/NAME (a POSIX message queue), shm:/NAME (a\n"
    "prockit ring), redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME.\n"
    "\n"
    "  -l          a record is a line (the default)\n"
    "  -0          a record ends in NUL\n"
    "  -B BYTES    a record is a chunk of BYTES bytes; messages are written out as is\n"
    "  -E          when the input ends, send the end-of-stream marker to the DST queue\n"
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

// How a transfer ended, in terms of the exit status.
enum class End { input_ended, count_reached, idle, stopped };

int status_for(End e, const Config& c, uint64_t records) {
    if (e == End::idle) return code(Exit::timed_out);
    if (e == End::input_ended && c.count && records < c.count) return code(Exit::timed_out);
    return 0;
}

const char* g_method = "messages";

// Runs f(), turning a library Error into one with `what` in front.
template <class F>
auto about(const std::string& what, F f) -> decltype(f()) {
    try {
        return f();
    } catch (const Stopped&) {
        throw;
    } catch (const Error& e) {
        throw Error(e.status(), what + ": " + e.what());
    }
}

std::unique_ptr<Queue> open_endpoint_queue(const Endpoint& e, Access a) {
    return about(e.str(), [&] { return open_queue(e, a); });
}

Stream open_endpoint_stream(const Endpoint& e, Stream::Direction d, const Config& c, const StopSignals& stop) {
    return about("open " + e.str(), [&] { return Stream::open(e, d, &stop, c.fifo_mode); });
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

void send_marker(Queue& q, const StopSignals& stop) {
    about(q.endpoint().str(), [&] { return q.send(kEndOfStream, 0, Deadline::never(), &stop); });
}

End bytes_to_bytes(const Endpoint& src, const Endpoint& dst, const Config& c, Meter& meter, StopSignals& stop,
                   uint64_t& records) {
    Stream in = open_endpoint_stream(src, Stream::Direction::source, c, stop);
    if (in.fd() < 0) return End::stopped;
    meter.expect(in.size_left());
    Stream out = open_sink(dst, &in, c, stop);
    if (out.fd() < 0) return End::stopped;
    CopyOptions opt{&stop, c.idle, &meter, c.count, c.delim, c.chunk};
    CopyResult r = copy_bytes(in, out, opt);
    g_method = r.method;
    records = r.end == CopyEnd::count ? c.count : 0;
    switch (r.end) {
        case CopyEnd::end: return End::input_ended;
        case CopyEnd::count: return End::count_reached;
        case CopyEnd::idle: return End::idle;
        case CopyEnd::stopped: return End::stopped;
    }
    return End::input_ended;
}

// Sends msgs, waiting as long as it takes: a wait for room, or for a
// ring's lock, is not idle input and -t does not bound it (as a write to a
// full pipe). A lock another process holds past a second is said once, so
// that a stopped holder does not keep us waiting silently.
size_t send_waiting(Queue& q, const Endpoint& dst, const std::string_view* msgs, size_t n, StopSignals& stop,
                    bool& said) {
    size_t sent = 0;
    while (sent < n && !stop.received()) {
        sent += q.send_many(msgs + sent, n - sent, 0, WaitPolicy::seconds(1), &stop);
        const std::string why = q.blocked_by();
        const std::string_view prefix = "the queue's lock";
        if (sent < n && !said && why.starts_with(prefix)) {
            warn("waiting for %s: its lock%s", dst.str().c_str(), why.c_str() + prefix.size());
            said = true;
        }
    }
    return sent;
}

End bytes_to_queue(const Endpoint& src, const Endpoint& dst, const Config& c, Meter& meter, StopSignals& stop,
                   uint64_t& records) {
    bool said = false;  // that another process holds the queue's lock
    auto q = open_endpoint_queue(dst, Access::write);
    Stream in = open_endpoint_stream(src, Stream::Direction::source, c, stop);
    if (in.fd() < 0) return End::stopped;
    // Lines and NUL records count without their delimiter: only chunks add
    // up to the file's size.
    if (c.chunk) meter.expect(in.size_left());
    RecordReader::Waiting waiting{&stop, c.idle};
    RecordReader reader(in.fd(), c.delim, q->max_message(), c.chunk, in.may_block() ? &waiting : nullptr);
    std::vector<std::string_view> batch;
    End end = End::input_ended;
    bool more = true;
    for (std::string_view rec; more && end == End::input_ended && !(c.count && records == c.count);) {
        switch (reader.next(rec)) {
            case RecordReader::Status::record: break;
            case RecordReader::Status::end: more = false; continue;
            case RecordReader::Status::idle: end = End::idle; continue;
            case RecordReader::Status::stopped: end = End::stopped; continue;
            case RecordReader::Status::too_long:
                throw Error(Exit::failure, std::string(c.chunk ? "chunk" : "record") + " of " +
                                               (reader.long_is_lower_bound() ? "more than " : "") +
                                               std::to_string(reader.long_length()) + " bytes from " + in.name() +
                                               " exceeds the message size of " + dst.str() + ", " +
                                               std::to_string(q->max_message()));
        }
        batch.assign(1, rec);
        while ((!c.count || batch.size() < c.count - records) && batch.size() < 4096 && reader.next_buffered(rec))
            batch.push_back(rec);
        for (size_t i = 0; i < batch.size();) {
            size_t want = batch[i].size() + 1;
            if (!meter.allow(want, &stop)) break;
            // Without a rate limit, the whole batch at once.
            size_t n = c.meter.rate ? 1 : batch.size() - i;
            size_t sent = about(dst.str(), [&] { return send_waiting(*q, dst, &batch[i], n, stop, said); });
            for (size_t k = i; k < i + sent; ++k) meter.add(batch[k].size(), 1);
            records += sent;
            i += sent;
            if (sent < n) break;
        }
        if (stop.received()) end = End::stopped;
    }
    if (c.count && records == c.count) end = End::count_reached;
    if (c.end_marker && end != End::stopped) send_marker(*q, stop);
    return end;
}

// Takes messages from q into buf until the marker, -c, -t or a signal;
// `unsettled` counts those taken and not yet written out.
End take_all(Queue& q, Output& buf, const RecordFormat& format, const Config& c, Meter& meter, StopSignals& stop,
             uint64_t& records, uint64_t& unsettled) {
    const Endpoint& src = q.endpoint();
    End end = End::input_ended;
    for (bool ended = false; !ended && !(c.count && records == c.count);) {
        // What is there, many at once (one at a time under a rate limit).
        uint64_t want = c.meter.rate ? 1 : c.count ? c.count - records : UINT64_MAX;
        Taken t = about(src.str(), [&] { return take_into(q, buf, format, want, c.idle.deadline(), &stop); });
        if (t.got == Queue::Got::timed_out) end = End::idle;
        if (t.got == Queue::Got::stopped) end = End::stopped;
        if (t.got != Queue::Got::message) break;
        ended = t.ended;
        // Already in the buffer: a stop during the rate limit's sleep still writes it.
        size_t permit = t.bytes;  // the rate limit may grant less; the lag is made up next time
        bool go_on = meter.allow(permit, &stop);
        meter.add(t.bytes - (format.delimit ? t.messages : 0), t.messages);
        records += t.messages;
        unsettled += t.messages;
        if (!go_on) {
            end = End::stopped;
            break;
        }
    }
    if (c.count && records == c.count) end = End::count_reached;
    buf.flush();
    return end;
}

End queue_to_bytes(const Endpoint& src, const Endpoint& dst, const Config& c, Meter& meter, StopSignals& stop,
                   uint64_t& records) {
    auto q = open_endpoint_queue(src, Access::read);
    Stream out = open_sink(dst, nullptr, c, stop);
    if (out.fd() < 0) return End::stopped;
    Output buf(out.fd(), out.name(), 64 * 1024, out.may_block() ? &stop : nullptr);
    // Messages count as delivered once they are written out, not before: a
    // redis queue keeps them for recover until then.
    uint64_t unsettled = 0;
    buf.on_flush([&] {
        q->delivered(unsettled);
        unsettled = 0;
    });
    // Chunks (-B) go out as they came in; lines and records get their delimiter.
    const RecordFormat format{c.delim, false, c.chunk == 0, true};
    try {
        return take_all(*q, buf, format, c, meter, stop, records, unsettled);
    } catch (const Error& e) {
        // What was taken before an error of the queue is still written out.
        try {
            buf.flush();
        } catch (const Error&) {
            // The error was (or is now) the output's own.
        }
        if (unsettled == 0) throw;
        // A queue cannot lend a message: what was taken and not written out
        // is lost, except where the queue keeps it pending until delivered.
        const bool kept = src.kind == EndpointKind::redis;
        throw Error(e.status(), std::string(e.what()) + "; " + std::to_string(unsettled) +
                                    (unsettled == 1 ? " message" : " messages") + " taken and not written: " +
                                    (kept ? "pending, for shq recover" : "lost"));
    }
}

End queue_to_queue(const Endpoint& src, const Endpoint& dst, const Config& c, Meter& meter, StopSignals& stop,
                   uint64_t& records) {
    auto in = open_endpoint_queue(src, Access::read);
    auto out = open_endpoint_queue(dst, Access::write);
    // Not a vector: its zeroes would touch the whole message size (a ring's
    // may be hundreds of MB) before the first message is known.
    auto buf = std::make_unique_for_overwrite<char[]>(in->max_message());
    End end = End::input_ended;
    while (!(c.count && records == c.count)) {
        size_t len = 0;
        unsigned prio = 0;
        Queue::Got got = about(src.str(), [&] { return in->receive(buf.get(), len, prio, c.idle.deadline(), &stop); });
        if (got == Queue::Got::timed_out) end = End::idle;
        if (got == Queue::Got::stopped) end = End::stopped;
        if (got != Queue::Got::message || is_end_of_stream(buf.get(), len)) break;
        size_t want = len;
        if (!meter.allow(want, &stop)) {
            end = End::stopped;
            break;
        }
        // Priorities carry over where the destination has them.
        unsigned keep = out->endpoint().kind == EndpointKind::mq ? prio : 0;
        if (!about(dst.str(), [&] { return out->send({buf.get(), len}, keep, Deadline::never(), &stop); })) {
            end = End::stopped;
            break;
        }
        in->delivered(1);  // in the other queue now: a redis source lets it go
        meter.add(len, 1);
        ++records;
    }
    if (c.count && records == c.count) end = End::count_reached;
    if (c.end_marker && end != End::stopped) send_marker(*out, stop);
    return end;
}

constexpr int kStats = 1000;
const option kLongOptions[] = {{"stats", optional_argument, nullptr, kStats},
                               {"append", no_argument, nullptr, 'a'},
                               {"overwrite", no_argument, nullptr, 'O'},
                               {"version", no_argument, nullptr, 'V'},
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
            case 'V': std::puts("pipe-cat (prockit) " PROCKIT_VERSION); std::exit(0);
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
    Redis::let_stop_signals_in();  // ended by Stopped, caught below
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
        End end = !src.is_queue() ? (!dst.is_queue() ? bytes_to_bytes : bytes_to_queue)(src, dst, c, meter, stop, records)
                                  : (!dst.is_queue() ? queue_to_bytes : queue_to_queue)(src, dst, c, meter, stop, records);
        meter.finish();
        // Nothing can say that stderr is full: the status must.
        if (!print_stats(c, meter)) return code(Exit::failure);
        if (end == End::stopped) stop.die_of_signal();
        return status_for(end, c, records);
    } catch (const Stopped& s) {
        s.die();  // what it made is gone with the stack: end of the signal
    } catch (const Error& e) {
        die(e.status(), "%s", e.what());
    } catch (const std::bad_alloc&) {
        // Buffers grow with the data, up to -B or a queue's message size.
        die(Exit::failure, "out of memory");
    }
}
