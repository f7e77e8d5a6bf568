#include "endpoint.h"

#include <climits>

#include "diag.h"
#include "parse.h"

namespace prockit {

namespace {
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string quoted(std::string_view text) {
    std::string q = "'";
    for (char c : text) {
        if (c == '\0') q += "\\0";
        else q += c;
    }
    return q + "'";
}
}  // namespace

std::string ipc_name(std::string_view text) {
    std::string_view name = text;
    if (starts_with(name, "/")) name.remove_prefix(1);
    const char* why = nullptr;
    if (name.empty()) why = "the name is empty";
    else if (name.find('/') != std::string_view::npos) why = "it has a second '/'";
    else if (name.find('\0') != std::string_view::npos) why = "it has a NUL byte";
    else if (name.size() > NAME_MAX) why = "it is longer than 255 characters";
    else if (name == "." || name == "..") why = "'.' and '..' are not names";
    if (why)
        throw Error(Exit::usage, "invalid queue name " + quoted(text) + ": " + why +
                                     " (a valid name is '/' and 1 to 255 characters other than '/', "
                                     "such as /jobs)");
    return "/" + std::string(name);
}

Endpoint parse_endpoint(std::string_view text) {
    if (text.empty()) throw Error(Exit::usage, "empty endpoint (use - for standard input or output)");
    if (text.find('\0') != std::string_view::npos)
        throw Error(Exit::usage, "invalid endpoint " + quoted(text) + ": it has a NUL byte");
    if (text == "-") return Endpoint{EndpointKind::stdio, {}};
    if (starts_with(text, "mq:")) return Endpoint{EndpointKind::mq, ipc_name(text.substr(3))};
    if (starts_with(text, "shm:")) return Endpoint{EndpointKind::shm, ipc_name(text.substr(4))};
    if (starts_with(text, "fifo:") || starts_with(text, "file:")) {
        bool fifo = text[1] == 'i' && text[2] == 'f';
        std::string path(text.substr(5));
        if (path.empty()) throw Error(Exit::usage, "invalid endpoint " + quoted(text) + ": the path is empty");
        return Endpoint{fifo ? EndpointKind::fifo : EndpointKind::file, path};
    }
    if (starts_with(text, "fd:")) {
        std::string num(text.substr(3));
        Endpoint e{EndpointKind::fd, {}};
        e.fd = static_cast<int>(parse_count(num.c_str(), "descriptor", 0, INT_MAX));
        return e;
    }
    return Endpoint{EndpointKind::file, std::string(text)};
}

Endpoint parse_queue(std::string_view text) {
    if (starts_with(text, "mq:") || starts_with(text, "shm:")) return parse_endpoint(text);
    if (text.find(':') != std::string_view::npos && !starts_with(text, "/")) {
        std::string_view scheme = text.substr(0, text.find(':'));
        if (scheme == "fifo" || scheme == "file" || scheme == "fd")
            throw Error(Exit::usage, quoted(text) + " is not a queue (a queue is mq:/NAME, shm:/NAME or NAME)");
    }
    return Endpoint{EndpointKind::mq, ipc_name(text)};
}

std::string Endpoint::str() const {
    switch (kind) {
        case EndpointKind::stdio: return "-";
        case EndpointKind::file: return path;
        case EndpointKind::fifo: return "fifo:" + path;
        case EndpointKind::fd: return "fd:" + std::to_string(fd);
        case EndpointKind::mq: return "mq:" + path;
        case EndpointKind::shm: return "shm:" + path;
    }
    return path;
}

}  // namespace prockit
