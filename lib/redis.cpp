#include "redis.h"

#include <hiredis/hiredis.h>
#include <poll.h>

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

constexpr double kMaxTimeout = 2'000'000;  // seconds: under INT_MAX milliseconds

timeval to_timeval(double seconds) {
    timeval tv;
    tv.tv_sec = static_cast<time_t>(seconds);
    tv.tv_usec = static_cast<suseconds_t>((seconds - static_cast<double>(tv.tv_sec)) * 1e6);
    return tv;
}

// Connecting, and each command that is not blocking, may take this long
// (PROCKIT_REDIS_TIMEOUT seconds, 30 by default); then the server is taken
// for gone. hiredis waits for a connection in poll(2), whose int
// milliseconds end at 24.8 days: a longer timeout is cut to that.
double reply_timeout() {
    static double t = [] {
        const char* env = std::getenv("PROCKIT_REDIS_TIMEOUT");
        if (!env || !*env) return 30.0;
        double v = parse_seconds(env, "PROCKIT_REDIS_TIMEOUT");
        if (v <= 0) throw Error(Exit::usage, std::string("invalid PROCKIT_REDIS_TIMEOUT '") + env + "': expected seconds more than 0, such as 5 or 0.25");
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

Redis Redis::connect(const RedisServer& server) {
    redisContext* c = redisConnectWithTimeout(server.host.c_str(), server.port, to_timeval(reply_timeout()));
    if (!c) throw Error(Exit::failure, "cannot connect to " + server.str() + ": out of memory");
    if (c->err) {
        std::string w = why(c);
        redisFree(c);
        throw Error(Exit::failure, "cannot connect to " + server.str() + ": " + w);
    }
    redisSetTimeout(c, to_timeval(reply_timeout()));
    Redis r(server, c);
    if (!server.password.empty()) {
        std::vector<std::string_view> auth{"AUTH"};
        if (!server.user.empty()) auth.push_back(server.user);
        auth.push_back(server.password);
        try {
            r.command(auth);
        } catch (const Error&) {
            throw Error(Exit::failure, server.str() + " refused the login" +
                                           (server.user.empty() ? "" : " of user '" + server.user + "'") +
                                           ": wrong password or user");
        }
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

RedisReply Redis::checked(void* reply, const char* what) {
    if (!reply) lost(what);
    RedisReply r(static_cast<redisReply*>(reply));
    if (r.str().data() && static_cast<redisReply*>(reply)->type == REDIS_REPLY_ERROR) {
        std::string e(r.str());
        if (e.rfind("NOAUTH", 0) == 0)
            throw Error(Exit::failure, server_.str() + " wants a password: put it in the endpoint or in "
                                                       "PROCKIT_REDIS_PASSWORD");
        throw Error(Exit::failure, server_.str() + " said: " + e);
    }
    return r;
}

RedisReply Redis::command(const std::vector<std::string_view>& words) {
    Argv a(words);
    if (!c_) lost(a.name.c_str());
    return checked(redisCommandArgv(c_, a.count(), a.ptrs.data(), a.lens.data()), a.name.c_str());
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
    Argv a(words);
    const std::string& name = a.name;
    if (!c_ || redisAppendCommandArgv(c_, a.count(), a.ptrs.data(), a.lens.data()) != REDIS_OK) lost(name.c_str());
    for (int done = 0; !done;)
        if (redisBufferWrite(c_, &done) != REDIS_OK) lost(name.c_str());
    // The server answers by the command's own timeout; a little more for the trip.
    Deadline limit = until.is_never() ? Deadline::never() : Deadline::after(static_cast<double>(until.remaining_ns()) / 1e9 + reply_timeout());
    for (;;) {
        void* reply = nullptr;
        if (redisGetReplyFromReader(c_, &reply) != REDIS_OK) lost(name.c_str());
        if (reply) return checked(reply, name.c_str());
        switch (wait_fd(c_->fd, POLLIN, limit, stop)) {
            case Wait::ready: break;
            case Wait::timed_out:
                errno = EAGAIN;
                lost(name.c_str());
            case Wait::stopped:
                redisFree(c_);
                c_ = nullptr;
                return std::nullopt;
        }
        if (redisBufferRead(c_) != REDIS_OK) lost(name.c_str());
    }
}

}  // namespace prockit
