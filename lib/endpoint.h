// Endpoint names: the one parser every tool uses for the places data comes
// from and goes to.
//
//     -              standard input or output
//     PATH           a file (also file:PATH)
//     fifo:PATH      a named pipe
//     fd:N           an inherited descriptor
//     mq:/NAME       a POSIX message queue
//     shm:/NAME      a prockit shared-memory ring
//
// A text with no known scheme is a path, so "a:b" is the file "a:b".
#pragma once

#include <string>
#include <string_view>

namespace prockit {

enum class EndpointKind { stdio, file, fifo, fd, mq, shm };

struct Endpoint {
    EndpointKind kind;
    std::string path;  // file and fifo: the path; mq and shm: "/NAME"
    int fd = -1;       // fd: the number

    bool is_queue() const { return kind == EndpointKind::mq || kind == EndpointKind::shm; }
    // The canonical spelling: "mq:/jobs", "fifo:x", "fd:3", "-".
    std::string str() const;
    // How a queue is named to a person: "/jobs" for a message queue (the
    // kind shq assumes), the canonical spelling for everything else.
    std::string display() const { return kind == EndpointKind::mq ? path : str(); }
};

// Parses an endpoint. Throws prockit::Error(Exit::usage) for a malformed one,
// with a reason that shows what a valid one looks like.
Endpoint parse_endpoint(std::string_view text);

// Parses a queue name as shq takes it: "mq:/NAME", "shm:/NAME", or a bare
// "NAME" or "/NAME", which mean "mq:/NAME". Anything that is not a queue is
// refused.
Endpoint parse_queue(std::string_view text);

// Checks an IPC object name ("/NAME" or "NAME") and returns it as "/NAME".
// A valid name is 1 to 255 characters after the slash, none of them '/' or
// NUL, and not "." or "..".
std::string ipc_name(std::string_view text);

}  // namespace prockit
