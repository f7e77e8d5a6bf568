#include "redis.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "diag.h"
#include "parse.h"

namespace prockit {

void RedisReply::free_reply(redisReply* r) {
    if (r) freeReplyObject(r);
}

bool RedisReply::is_nil() const { return r_->type == REDIS_REPLY_NIL; }
bool RedisReply::is_array() const { return r_->type == REDIS_REPLY_ARRAY; }
bool RedisReply::is_error() const { return r_->type == REDIS_REPLY_ERROR; }

long long RedisReply::integer() const {
    if (r_->type == REDIS_REPLY_INTEGER) return r_->integer;
    if (r_->type == REDIS_REPLY_STRING) return std::strtoll(r_->str, nullptr, 10);
    return 0;
}

std::string_view RedisReply::str() const {
    if (r_->type == REDIS_REPLY_STRING || r_->type == REDIS_REPLY_STATUS || r_->type == REDIS_REPLY_ERROR)
        return std::string_view(r_->str, r_->len);
    return {};
}

size_t RedisReply::size() const { return r_->type == REDIS_REPLY_ARRAY ? r_->elements : 0; }

RedisReply RedisReply::element(size_t i) const { return RedisReply(r_->element[i], true); }

namespace {

// How a person reads a hiredis error: "connection refused", not "Connection refused".
std::string why(const redisContext* c) {
    if (c->err == REDIS_ERR_IO && errno) return reason(errno);
    if (c->err == REDIS_ERR_EOF) return "the server closed the connection";
    std::string s = c->errstr;
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

bool g_stop_in_waits = false;

// The stop signals a wait for the server lets in: those of the live
// StopSignals, in a tool that asked for it (see let_stop_signals_in).
const StopSignals* waits_stop() { return g_stop_in_waits ? StopSignals::active() : nullptr; }

constexpr double kMaxTimeout = 2'000'000;  // seconds: under INT_MAX milliseconds
constexpr double kMinTimeout = 0.001;

// Connecting, and each command that is not blocking, may take this long
// (PROCKIT_REDIS_TIMEOUT seconds, 30 by default); then the server is taken
// for gone. Below a millisecond no server can answer (and hiredis once read
// a timeout rounded to 0 ms as none at all): refused. A longer timeout than
// kMaxTimeout is cut to that.
double reply_timeout() {
    static double t = [] {
        const char* env = std::getenv("PROCKIT_REDIS_TIMEOUT");
        if (!env || !*env) return 30.0;
        double v = 0;
        try {
            v = parse_seconds(env, "PROCKIT_REDIS_TIMEOUT");
        } catch (const Error&) {
            // Said below with the lower bound.
        }
        if (v < kMinTimeout)
            throw Error(Exit::usage, std::string("invalid PROCKIT_REDIS_TIMEOUT '") + env +
                                         "': expected seconds from 0.001 on, such as 5 or 0.25");
        return std::min(v, kMaxTimeout);
    }();
    return t;
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", s);
    return buf;
}

// A command's words as hiredis takes them: pointers and lengths, so that
// any byte may be in a message.
struct Argv {
    explicit Argv(const std::vector<std::string_view>& words) : name(words.empty() ? "" : words[0]) {
        for (std::string_view w : words) {
            ptrs.push_back(w.data());
            lens.push_back(w.size());
        }
    }
    int count() const { return static_cast<int>(ptrs.size()); }
    std::string name;  // for messages: "lost the connection (BLMOVE)"
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
};

}  // namespace

void Redis::let_stop_signals_in() { g_stop_in_waits = true; }

// The context is non-blocking: every wait for the server (connect, each
// reply) is a poll of ours, where stop signals get in and the deadline is
// kept to the nanosecond.
Redis Redis::connect(const RedisServer& server) {
    redisContext* c = redisConnectNonBlock(server.host.c_str(), server.port);
    if (!c) throw Error(Exit::failure, "cannot connect to " + server.str() + ": out of memory");
    Redis r(server, c);
    if (c->err) throw Error(Exit::failure, "cannot connect to " + server.str() + ": " + why(c));
    switch (wait_fd(c->fd, POLLOUT, Deadline::after(reply_timeout()), waits_stop())) {
        case Wait::ready: break;
        case Wait::timed_out:
            throw Error(Exit::failure, "cannot connect to " + server.str() + ": no answer within " +
                                           seconds_text(reply_timeout()));
        case Wait::stopped: throw Stopped(waits_stop()->received());
    }
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1) err = errno;
    if (err) throw Error(Exit::failure, "cannot connect to " + server.str() + ": " + reason(err));
    if (!server.password.empty()) {
        std::vector<std::string_view> auth{"AUTH"};
        if (!server.user.empty()) auth.push_back(server.user);
        auth.push_back(server.password);
        // Only the server's own "no" is a refused login; a timeout or a lost
        // connection is said as such (lost() throws).
        std::optional<RedisReply> reply = r.roundtrip(auth, Deadline::after(reply_timeout()), waits_stop());
        if (!reply) throw Stopped(waits_stop()->received());
        if (reply->is_error())
            throw Error(Exit::failure, server.str() + " refused the login" +
                                           (server.user.empty() ? "" : " of user '" + server.user + "'") +
                                           ": wrong password or user");
    }
    if (server.db != 0) {
        std::string db = std::to_string(server.db);
        try {
            r.command({"SELECT", db});
        } catch (const Error& e) {
            // "ERR DB index is out of range": the server has fewer (its `databases`).
            if (std::string(e.what()).find("out of range") == std::string::npos) throw;
            throw Error(Exit::missing, server.str() + ": no such database (a server has as many as its 'databases' "
                                                      "setting says, 16 by default)");
        }
    }
    return r;
}

Redis::Redis(Redis&& o) noexcept : server_(std::move(o.server_)), c_(o.c_), shas_(std::move(o.shas_)) {
    o.c_ = nullptr;
}

Redis& Redis::operator=(Redis&& o) noexcept {
    if (this != &o) {
        if (c_) redisFree(c_);
        server_ = std::move(o.server_);
        c_ = o.c_;
        shas_ = std::move(o.shas_);
        o.c_ = nullptr;
    }
    return *this;
}

Redis::~Redis() {
    if (c_) redisFree(c_);
}

void Redis::lost(const char* what) {
    int err = errno;
    std::string w;
    if (c_ && c_->err == REDIS_ERR_EOF) w = why(c_);
    else if (err == EAGAIN || err == EWOULDBLOCK) w = "no reply within " + seconds_text(reply_timeout());
    else w = c_ ? why(c_) : "the connection was closed";
    throw Error(Exit::failure, "lost the connection to " + server_.str() + " (" + what + "): " + w);
}

RedisReply Redis::checked(RedisReply r) {
    if (r.is_error()) {
        std::string e(r.str());
        if (e.rfind("NOAUTH", 0) == 0)
            throw Error(Exit::failure, server_.str() + " wants a password: put it in the endpoint or in "
                                                       "PROCKIT_REDIS_PASSWORD");
        throw Error(Exit::failure, server_.str() + " said: " + e);
    }
    return r;
}

RedisReply Redis::command(const std::vector<std::string_view>& words) {
    const StopSignals* stop = waits_stop();
    std::optional<RedisReply> r = roundtrip(words, Deadline::after(reply_timeout()), stop);
    if (!r) throw Stopped(stop->received());
    return checked(*r);
}

RedisReply Redis::eval(const RedisScript& script, const std::vector<std::string_view>& keys,
                       const std::vector<std::string_view>& args) {
    std::string* sha = nullptr;
    for (auto& [s, h] : shas_)
        if (s == &script) sha = &h;
    if (!sha) {
        RedisReply loaded = command({"SCRIPT", "LOAD", script.text});
        shas_.emplace_back(&script, std::string(loaded.str()));
        sha = &shas_.back().second;
    }
    std::string nkeys = std::to_string(keys.size());
    std::vector<std::string_view> argv{"EVALSHA", *sha, nkeys};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    try {
        return command(argv);
    } catch (const Error& e) {
        // A server restarted since (without its script cache): load it again.
        if (std::string(e.what()).find("NOSCRIPT") == std::string::npos) throw;
        shas_.clear();
        return eval(script, keys, args);
    }
}

std::optional<RedisReply> Redis::blocking(const std::vector<std::string_view>& words, const Deadline& until,
                                          const StopSignals* stop) {
    // The server answers by the command's own timeout; a little more for the trip.
    Deadline limit = until.is_never() ? Deadline::never()
                                      : Deadline::after(static_cast<double>(until.remaining_ns()) / 1e9 + reply_timeout());
    std::optional<RedisReply> r = roundtrip(words, limit, stop);
    if (!r) return std::nullopt;
    return checked(*r);
}

// Sends a command and waits for its reply (an error reply too) until
// `limit`, in poll. Nothing if a stop signal came first: the connection is
// then closed, as the server may still carry the command out.
std::optional<RedisReply> Redis::roundtrip(const std::vector<std::string_view>& words, const Deadline& limit,
                                           const StopSignals* stop) {
    Argv a(words);
    const char* name = a.name.c_str();
    if (!c_ || redisAppendCommandArgv(c_, a.count(), a.ptrs.data(), a.lens.data()) != REDIS_OK) lost(name);
    bool sent = false;
    for (;;) {
        void* reply = nullptr;
        if (sent && redisGetReplyFromReader(c_, &reply) != REDIS_OK) lost(name);
        if (reply) return RedisReply(static_cast<redisReply*>(reply));
        if (!sent) {
            int done = 0;
            if (redisBufferWrite(c_, &done) != REDIS_OK) lost(name);
            sent = done != 0;
            if (sent) continue;
        }
        switch (wait_fd(c_->fd, sent ? POLLIN : POLLOUT, limit, stop)) {
            case Wait::ready: break;
            case Wait::timed_out:
                errno = EAGAIN;
                lost(name);
            case Wait::stopped:
                redisFree(c_);
                c_ = nullptr;
                return std::nullopt;
        }
        if (sent && redisBufferRead(c_) != REDIS_OK) lost(name);
    }
}

}  // namespace prockit
