// A connection to a Redis server, through hiredis: connect and log in,
// binary-safe commands, Lua scripts run by their SHA, and blocking commands
// waited for in poll so that stop signals get in.
//
// Every failure is a prockit::Error whose reason a person can act on:
// "cannot connect to redis://127.0.0.1:6390/0: connection refused",
// "redis://127.0.0.1:6390/0 wants a password (set PROCKIT_REDIS_PASSWORD)".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "deadline.h"
#include "endpoint.h"
#include "signals.h"

struct redisContext;
struct redisReply;

namespace prockit {

// A reply, freed with the object.
class RedisReply {
public:
    explicit RedisReply(redisReply* r) : r_(r, &free_reply) {}

    bool is_nil() const;
    bool is_array() const;
    bool is_error() const;
    long long integer() const;  // an integer reply (or a string holding one)
    std::string_view str() const;  // a string or status reply
    size_t size() const;         // the elements of an array
    RedisReply element(size_t i) const;  // a view of element i; the parent must outlive it

private:
    static void free_reply(redisReply* r);
    RedisReply(redisReply* r, bool) : r_(r, [](redisReply*) {}) {}
    std::shared_ptr<redisReply> r_;
};

// A Lua script, sent once per connection and then run by its SHA.
struct RedisScript {
    const char* text;
};

class Redis {
public:
    // Connects, logs in and selects the database, each step within
    // PROCKIT_REDIS_TIMEOUT. Every wait for the server is a poll; after
    // let_stop_signals_in(), stop signals get in there, and one that arrives
    // during a command that is not blocking throws Stopped.
    static Redis connect(const RedisServer& server);
    // Lets the stop signals of the live StopSignals into every wait for a
    // server, not only blocking(): a tool that ends on Stopped asks for it
    // (pool-run, which reads its signals from a signalfd, does not).
    static void let_stop_signals_in();

    Redis(Redis&&) noexcept;
    Redis& operator=(Redis&&) noexcept;
    ~Redis();

    // Runs one command. An error reply throws Error(Exit::failure).
    RedisReply command(const std::vector<std::string_view>& argv);
    // Runs a script with its keys and arguments.
    RedisReply eval(const RedisScript& script, const std::vector<std::string_view>& keys,
                    const std::vector<std::string_view>& args);
    // Sends a blocking command (BLMOVE ...) and waits for its reply in poll
    // until `until`, or until a stop signal arrives: then nothing, and the
    // connection is closed (the server may still carry the command out).
    std::optional<RedisReply> blocking(const std::vector<std::string_view>& argv, const Deadline& until,
                                       const StopSignals* stop);

private:
    Redis(RedisServer s, redisContext* c) : server_(std::move(s)), c_(c) {}
    [[noreturn]] void lost(const char* what);
    RedisReply checked(RedisReply r);
    std::optional<RedisReply> roundtrip(const std::vector<std::string_view>& words, const Deadline& limit,
                                        const StopSignals* stop);

    RedisServer server_;
    redisContext* c_ = nullptr;
    std::vector<std::pair<const RedisScript*, std::string>> shas_;
};

}  // namespace prockit
