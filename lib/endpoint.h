// Endpoint names: the one parser every tool uses for the places data comes
// from and goes to.
//
//     -              standard input or output
//     PATH           a file (also file:PATH)
//     fifo:PATH      a named pipe
//     fd:N           an inherited descriptor
//     mq:/NAME       a POSIX message queue
//     shm:/NAME      a prockit shared-memory ring
//     redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]/NAME
//                    a prockit queue on a Redis server
//
// A text with no known scheme is a path, so "a:b" is the file "a:b". In a
// redis:// endpoint the login ends at the last '@', so a password may hold
// '/', ':' and '@', and a redis queue's NAME may not hold '@'.
#pragma once

#include <string>
#include <string_view>

namespace prockit {

enum class EndpointKind { stdio, file, fifo, fd, mq, shm, redis };

// Where a Redis server is and how to log in to it.
struct RedisServer {
    std::string host;
    int port = 6379;
    int db = 0;
    std::string user, password;  // the password also from PROCKIT_REDIS_PASSWORD
    // "redis://[USER@]HOST:PORT/DB", never with the password.
    std::string str() const;
};

struct Endpoint {
    Endpoint() = default;
    Endpoint(EndpointKind k, std::string p) : kind(k), path(std::move(p)) {}

    EndpointKind kind = EndpointKind::stdio;
    std::string path;  // file and fifo: the path; mq, shm and redis: "/NAME"
    int fd = -1;       // fd: the number
    RedisServer redis;  // redis: the server

    bool is_queue() const { return kind == EndpointKind::mq || kind == EndpointKind::shm || kind == EndpointKind::redis; }
    // The canonical spelling: "mq:/jobs", "fifo:x", "fd:3", "-".
    std::string str() const;
    // How a queue is named to a person: "/jobs" for a message queue (the
    // kind shq assumes), the canonical spelling for everything else.
    std::string display() const { return kind == EndpointKind::mq ? path : str(); }
};

// Parses an endpoint. Throws prockit::Error(Exit::usage) for a malformed one,
// with a reason that shows what a valid one looks like.
Endpoint parse_endpoint(std::string_view text);

// Parses a queue name as shq takes it: "mq:/NAME", "shm:/NAME",
// "redis://...", or a bare "NAME" or "/NAME", which mean "mq:/NAME".
// Anything that is not a queue is refused, and so is a bare name that
// starts like another scheme ("tcp:x"; "/tcp:x" is that message queue).
// No message shows a password: what lies before the last '@' is masked.
Endpoint parse_queue(std::string_view text);

// Parses the server part of a redis:// endpoint ("redis://HOST[:PORT][/DB]",
// the form `shq ls` takes); throws Error(Exit::usage) for a malformed one.
RedisServer parse_redis_server(std::string_view text);

// Checks an IPC object name ("/NAME" or "NAME") and returns it as "/NAME".
// A valid name is 1 to 255 characters after the slash, none of them '/' or
// NUL, and not "." or "..".
std::string ipc_name(std::string_view text);

}  // namespace prockit
