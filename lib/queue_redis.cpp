#include "queue_redis.h"

#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <utility>

#include "diag.h"
#include "proc.h"
#include "queue_redis_scripts.h"
#include "redis.h"

namespace prockit {

namespace {
using namespace redis_queue;

constexpr long kDefaultMsgsize = 1024 * 1024;
// How often a waiting receive looks whether its queue was removed.
constexpr double kRemovedCheck = 0.5;
// The largest message size create takes (shq create -s): a larger one in
// the metadata was not written by prockit, and must not size our buffers.
constexpr long long kMaxMsgsize = 1'000'000'000;

std::string hostname() {
    char h[256] = {};
    if (gethostname(h, sizeof h - 1) != 0) return "localhost";
    return h;
}

// See queue_redis.h.
std::string consumer_id(pid_t pid) {
    if (const char* env = std::getenv("PROCKIT_CONSUMER"); env && *env) return env;
    return hostname() + ":" + std::to_string(pid ? pid : getsid(0));
}

// A Redis glob pattern that matches `text` literally.
std::string glob_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

class RedisQueue final : public Queue {
public:
    RedisQueue(Endpoint e, Redis r, pid_t consumer_pid)
        : endpoint_(std::move(e)), redis_(std::move(r)), keys_(endpoint_.path), consumer_(consumer_id(consumer_pid)) {
        RedisReply m = redis_.command({"HGET", keys_.meta(), "msgsize"});
        if (m.is_nil()) throw Error(Exit::missing, "queue does not exist");
        long long size = m.integer();
        if (size < 1 || size > kMaxMsgsize)
            throw Error(Exit::failure, "the queue's metadata is damaged (message size '" + std::string(m.str()) +
                                           "'; not written by this prockit?)");
        msgsize_ = static_cast<size_t>(size);
    }

    const Endpoint& endpoint() const override { return endpoint_; }
    size_t max_message() const override { return msgsize_; }
    bool keeps_taken() const override { return true; }

    QueueStatus status() const override {
        RedisReply m = redis_.command({"HMGET", keys_.meta(), "maxmsg", "msgsize", "put", "got", "done"});
        if (m.element(1).is_nil()) throw Error(Exit::missing, "queue does not exist");
        QueueStatus s{};
        s.queue = endpoint_.str();
        s.local = false;
        long cap = static_cast<long>(m.element(0).integer());
        s.capacity = cap > 0 ? cap : -1;
        s.bytes = s.used = s.recoveries = -1;
        s.msgsize = static_cast<long>(m.element(1).integer());
        s.puts = static_cast<uint64_t>(m.element(2).integer());
        s.gets = static_cast<uint64_t>(m.element(3).integer());
        s.dones = static_cast<uint64_t>(m.element(4).integer());
        s.depth = static_cast<long>(redis_.command({"LLEN", keys_.items()}).integer());
        RedisReply consumers = redis_.command({"HKEYS", keys_.consumers()});
        s.consumers = static_cast<long>(consumers.size());
        s.pending = 0;
        for (size_t i = 0; i < consumers.size(); ++i)
            s.pending += redis_.command({"LLEN", keys_.pending(std::string(consumers.element(i).str()))}).integer();
        return s;
    }

    bool send(std::string_view msg, unsigned prio, const Deadline& deadline, const StopSignals* stop) override {
        return send_many(&msg, 1, prio, deadline, stop) == 1;
    }

    size_t send_many(const std::string_view* msgs, size_t n, unsigned prio, const WaitPolicy& wait,
                     const StopSignals* stop) override {
        return send_many(msgs, n, prio, wait.deadline(), stop);
    }

    bool try_receive(char* buf, size_t& len, unsigned& prio) override {
        prio = 0;
        std::string max = "1";
        std::string now = WallTime::now().epoch_text();
        RedisReply r = take(max, now, msgsize_);
        if (r.size() == 0) return false;
        std::string_view m = r.element(0).str();
        check_size(m, msgsize_);
        std::memcpy(buf, m.data(), m.size());
        len = m.size();
        return true;
    }

    size_t try_receive_many(char* buf, size_t cap, uint64_t max, const RecordFormat& f, size_t& used,
                            bool* ended) override {
        used = 0;
        if (oversized_) too_long(std::exchange(oversized_, 0));
        if (cap < msgsize_ + 8) return 0;
        std::string count = std::to_string(std::min<uint64_t>(max, 10000));
        std::string now = WallTime::now().epoch_text();
        RedisReply r = take(count, now, cap);
        size_t n = 0;
        for (size_t i = 0; i < r.size(); ++i) {
            std::string_view m = r.element(i).str();
            if (is_end_of_stream(m.data(), m.size())) {
                // Only a reader that stops there takes it; for the others it
                // is not a message: put it back where it was.
                if (f.until_end) {
                    if (ended) *ended = true;
                } else {
                    put_back_end_marker();
                }
                break;
            }
            // One too long after others: those are returned first, to be
            // written out, and the error comes with the next call.
            if (n > 0 && m.size() > msgsize_) {
                oversized_ = m.size();
                break;
            }
            check_size(m, std::min(msgsize_, cap - used < 8 ? 0 : cap - used - 8));
            std::memcpy(buf + used, m.data(), m.size());
            used += format_record(buf + used, m.size(), 0, f);
            ++n;
        }
        return n;
    }

    Got receive(char* buf, size_t& len, unsigned& prio, const Deadline& deadline,
                const StopSignals* stop) override {
        prio = 0;
        if (try_receive(buf, len, prio)) return Got::message;
        if (deadline.expired()) return Got::timed_out;
        std::string pending = keys_.pending(consumer_);
        std::optional<RedisReply> r;
        // The list of a queue that `shq rm` deleted never gets a push, and
        // BLMOVE would wait on it for ever: wait in slices, between which
        // the queue must still be there.
        for (;;) {
            double slice = kRemovedCheck;
            if (!deadline.is_never()) slice = std::min(slice, static_cast<double>(deadline.remaining_ns()) / 1e9);
            // BLMOVE's timeout is in seconds, 0 meaning forever.
            char timeout[32];
            std::snprintf(timeout, sizeof timeout, "%.3f", std::max(0.001, slice));
            r = redis_.blocking({"BLMOVE", keys_.items(), pending, "RIGHT", "LEFT", timeout}, Deadline::after(slice),
                                stop);
            if (!r) return Got::stopped;
            if (!r->is_nil()) break;
            if (deadline.expired()) return Got::timed_out;
            refuse_removed();
        }
        std::string_view m = r->str();
        std::string now = WallTime::now().epoch_text();
        redis_.eval(kTook, {keys_.meta(), pending, keys_.consumers()},
                    {m, std::string_view(kEndOfStream), consumer_, now});
        std::memcpy(buf, m.data(), m.size());
        len = m.size();
        return Got::message;
    }

    void done(uint64_t n) override {
        std::string count = std::to_string(n), now = WallTime::now().epoch_text();
        RedisReply r = redis_.eval(kDone, {keys_.meta(), keys_.pending(consumer_), keys_.consumers()},
                                   {count, consumer_, now});
        if (r.is_array())
            throw Error(Exit::failure, "cannot mark " + count + " done: consumer " + consumer_ + " has only " +
                                           std::to_string(r.element(0).integer()) + " unfinished");
        if (r.integer() < 0) throw Error(Exit::missing, "queue does not exist");
    }

    void done_with(std::string_view msg) override {
        std::string now = WallTime::now().epoch_text();
        // 0: not pending any more, because recover gave it to someone else
        // while its job ran; that one will count it.
        redis_.eval(kDoneWith, {keys_.meta(), keys_.pending(consumer_), keys_.consumers()}, {msg, consumer_, now});
    }

    Joined join(const Deadline& deadline, const StopSignals* stop) override {
        // Redis cannot wake us when a count changes: look, with a growing pause.
        double pause = 0.005;
        for (bool waited = false;; waited = true) {
            RedisReply m = redis_.command({"HMGET", keys_.meta(), "put", "done"});
            if (m.element(0).is_nil()) throw Error(Exit::missing, waited ? kRemovedWhileWaiting : "queue does not exist");
            if (m.element(1).integer() >= m.element(0).integer()) return Joined::yes;
            if (deadline.expired()) return Joined::timed_out;
            Deadline next = Deadline::after(std::min(pause, static_cast<double>(deadline.remaining_ns()) / 1e9));
            if (sleep_until(next, stop) == Wait::stopped) return Joined::stopped;
            pause = std::min(pause * 2, 0.1);
        }
    }

    void delivered(uint64_t n) override {
        if (n == 0) return;
        std::string count = std::to_string(n);
        redis_.command({"RPOP", keys_.pending(consumer_), count});
    }

    // A queue deleted by `shq rm` from another client has no metadata.
    bool removed() const override { return redis_.command({"EXISTS", keys_.meta()}).integer() == 0; }

    std::vector<Recovered> recover(double older_than) override {
        std::vector<Recovered> out;
        const std::string host = hostname();
        const double now = WallTime::now().seconds();
        RedisReply all = redis_.command({"HGETALL", keys_.consumers()});
        for (size_t i = 0; i + 1 < all.size(); i += 2) {
            std::string consumer(all.element(i).str());
            double seen = std::strtod(std::string(all.element(i + 1).str()).c_str(), nullptr);
            std::string why;
            size_t colon = consumer.rfind(':');
            if (colon != std::string::npos && consumer.substr(0, colon) == host) {
                pid_t pid = static_cast<pid_t>(std::atol(consumer.c_str() + colon + 1));
                char state = pid > 0 ? process_state(pid) : 0;
                if (pid > 0 && (state == 0 || state == 'Z')) why = "its process is gone";
            }
            // older_than 0: every consumer (< 0: not asked).
            if (why.empty() && older_than >= 0 && now - seen >= older_than)
                why = "silent for " + std::to_string(static_cast<long>(now - seen)) + " s";
            if (why.empty()) continue;
            RedisReply n = redis_.eval(kRecover, {keys_.items(), keys_.pending(consumer), keys_.consumers()}, {consumer});
            if (n.integer() > 0) out.push_back(Recovered{consumer, static_cast<uint64_t>(n.integer()), why});
        }
        return out;
    }

private:
    size_t send_many(const std::string_view* msgs, size_t n, unsigned prio, const Deadline& deadline,
                     const StopSignals* stop) {
        if (prio != 0) throw Error(Exit::usage, "redis queues are first in, first out: priorities need an mq:/ queue");
        size_t sent = 0;
        double pause = 0.005;
        for (bool waited = false; sent < n; waited = true) {
            std::vector<std::string_view> args{kEndOfStream};
            for (size_t i = sent; i < n; ++i) {
                if (msgs[i].size() > msgsize_)
                    throw Error(Exit::failure, "message of " + std::to_string(msgs[i].size()) +
                                                   " bytes exceeds the queue's " + std::to_string(msgsize_) + "; " +
                                                   std::to_string(sent) + " messages before it were sent");
                args.push_back(msgs[i]);
            }
            RedisReply r = redis_.eval(kPut, {keys_.meta(), keys_.items()}, args);
            if (r.integer() < 0) throw Error(Exit::missing, waited ? kRemovedWhileWaiting : "queue does not exist");
            sent += static_cast<size_t>(r.integer());
            if (sent == n) break;
            // Full (create -m): wait for room, looking again with a growing pause.
            if (deadline.expired()) break;
            Deadline next = Deadline::after(std::min(pause, static_cast<double>(deadline.remaining_ns()) / 1e9));
            if (sleep_until(next, stop) == Wait::stopped) break;
            pause = std::min(pause * 2, 0.1);
        }
        return sent;
    }

    RedisReply take(const std::string& max, const std::string& now, size_t budget) {
        std::string bytes = std::to_string(budget);
        double t = monotonic_seconds();
        bool beat = t - last_beat_ >= 1;
        if (beat) last_beat_ = t;
        RedisReply r = redis_.eval(kTake, {keys_.meta(), keys_.items(), keys_.pending(consumer_), keys_.consumers()},
                                   {max, kEndOfStream, consumer_, now, bytes, beat ? "1" : "0"});
        if (!r.is_array()) throw Error(Exit::missing, "queue does not exist");
        return r;
    }

    // The server hands over whatever is in the list, and anyone who may use
    // the server can push there: a message longer than the buffer is
    // refused (it stays on our pending list for recover), never copied.
    void check_size(std::string_view m, size_t room) const {
        if (m.size() > room) too_long(m.size());
    }
    [[noreturn]] void too_long(size_t size) const {
        throw Error(Exit::failure, "a message of " + std::to_string(size) + " bytes exceeds the queue's " +
                                       std::to_string(msgsize_) + " (not put by prockit?); it stays pending");
    }

    void put_back_end_marker() { redis_.command({"RPUSH", keys_.items(), kEndOfStream}); }

    Endpoint endpoint_;
    mutable Redis redis_;
    Keys keys_;
    std::string consumer_;
    size_t msgsize_ = kDefaultMsgsize;
    double last_beat_ = -1;
    size_t oversized_ = 0;  // the size of a message too long, taken after others
};


std::unique_ptr<Queue> create_redis_queue(const Endpoint& e, const CreateOptions& opt) {
    if (opt.bytes) throw Error(Exit::usage, "redis queues are sized in messages: use -m and -s, not -S");
    if (opt.mode != 0600) throw Error(Exit::usage, "redis queues have no file mode: the server's ACLs say who may use them");
    Redis r = Redis::connect(e.redis);
    Keys k(e.path);
    std::string maxmsg = std::to_string(opt.maxmsg), msgsize = std::to_string(opt.msgsize ? opt.msgsize : kDefaultMsgsize);
    std::string now = WallTime::now().epoch_text();
    RedisReply made = r.eval(kCreate, {k.meta()}, {maxmsg, msgsize, now});
    if (made.integer() == 0 && !opt.exist_ok) throw Error(Exit::failure, "queue already exists");
    return std::make_unique<RedisQueue>(e, std::move(r), 0);
}

std::unique_ptr<Queue> open_redis_queue(const Endpoint& e, const OpenOptions& opt) {
    return std::make_unique<RedisQueue>(e, Redis::connect(e.redis), opt.consumer_pid);
}

void remove_redis_queue(const Endpoint& e) {
    Redis r = Redis::connect(e.redis);
    Keys k(e.path);
    if (r.command({"EXISTS", k.meta()}).integer() == 0) throw Error(Exit::missing, "queue does not exist");
    std::vector<std::string> doomed{k.meta(), k.items(), k.consumers()};
    std::string pattern = glob_escape(k.pending("")) + "*";
    std::string cursor = "0";
    do {
        RedisReply page = r.command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
        cursor = std::string(page.element(0).str());
        RedisReply keys = page.element(1);
        for (size_t i = 0; i < keys.size(); ++i) doomed.emplace_back(keys.element(i).str());
    } while (cursor != "0");
    std::vector<std::string_view> argv{"DEL"};
    for (const std::string& key : doomed) argv.push_back(key);
    r.command(argv);
}

// A place that holds queues on a Redis server: "redis://HOST[:PORT][/DB]".
bool on_a_server(std::string_view where) { return where.substr(0, 8) == "redis://"; }
std::string server_name(std::string_view where) { return parse_redis_server(where).str(); }

std::vector<Endpoint> list_redis_queues(std::string_view where) {
    const RedisServer server = parse_redis_server(where);
    Redis r = Redis::connect(server);
    std::vector<Endpoint> out;
    std::string cursor = "0";
    do {
        RedisReply page = r.command({"SCAN", cursor, "MATCH", "prockit:{*}:meta", "COUNT", "1000"});
        cursor = std::string(page.element(0).str());
        RedisReply keys = page.element(1);
        for (size_t i = 0; i < keys.size(); ++i) {
            std::string_view key = keys.element(i).str();
            // prockit:{NAME}:meta
            std::string_view name = key.substr(9, key.size() - 9 - 6);
            Endpoint e(EndpointKind::redis, "/" + std::string(name));
            e.redis = server;
            out.push_back(std::move(e));
        }
    } while (cursor != "0");
    std::sort(out.begin(), out.end(), [](const Endpoint& a, const Endpoint& b) { return a.path < b.path; });
    return out;
}

}  // namespace

const QueueBackend kRedisQueues{EndpointKind::redis, create_redis_queue, open_redis_queue, remove_redis_queue,
                                on_a_server, server_name, list_redis_queues};

}  // namespace prockit
