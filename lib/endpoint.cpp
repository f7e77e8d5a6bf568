#include "endpoint.h"

#include <climits>
#include <cstdlib>

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
// The text as it may be shown: a password may be in it, so whatever lies
// between the scheme and the last '@' is left out ("redis://...@host/q").
std::string masked(std::string_view text) {
    size_t at = text.rfind('@');
    if (at == std::string_view::npos) return std::string(text);
    size_t start = text.find(':');
    start = start == std::string_view::npos || start > at ? 0 : start + 1;
    while (start < at && text[start] == '/') ++start;
    return std::string(text.substr(0, start)) + "..." + std::string(text.substr(at));
}

// " 'piece'" if the piece of text (a view into it) may be shown: only what
// lies after the last '@', where no password can be.
std::string shown_piece(std::string_view text, std::string_view piece) {
    size_t at = text.rfind('@');
    auto offset = static_cast<size_t>(piece.data() - text.data());
    if (at != std::string_view::npos && offset <= at) return "";
    return " " + quoted(piece);
}

[[noreturn]] void bad_redis(std::string_view text, const std::string& why) {
    throw Error(Exit::usage, "invalid redis endpoint " + quoted(masked(text)) + ": " + why +
                                 " (expected redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME, such as "
                                 "redis://127.0.0.1:6379/0/jobs)");
}

int redis_db(std::string_view text, std::string_view db) {
    try {
        return static_cast<int>(parse_count(std::string(db).c_str(), "database", 0, INT_MAX));
    } catch (const Error&) {
        bad_redis(text, "database" + shown_piece(text, db) + " is not a number from 0 to " + std::to_string(INT_MAX));
    }
}

// Splits "redis://[USER[:PASSWORD]@]HOST[:PORT]" off the front of text;
// `rest` is what follows ("" or "/..."). A password may hold '/', ':' and
// '@', and nothing after it may (a host, a database, a redis queue's NAME):
// the login ends at the last '@'. Were a NAME to hold '@' too, a password
// with a '/' could be read as a name, and shown.
RedisServer redis_server(std::string_view text, std::string_view& rest) {
    size_t begin = 8;  // after "redis://"
    RedisServer r;
    size_t at = text.rfind('@');
    if (at != std::string_view::npos && at >= begin) {
        std::string_view login = text.substr(begin, at - begin);
        size_t colon = login.find(':');
        r.user = std::string(login.substr(0, colon));
        if (colon != std::string_view::npos) r.password = std::string(login.substr(colon + 1));
        begin = at + 1;
    }
    if (r.password.empty()) {
        const char* env = std::getenv("PROCKIT_REDIS_PASSWORD");
        if (env) r.password = env;
    }
    size_t slash = text.find('/', begin);
    std::string_view authority = text.substr(begin, slash == std::string_view::npos ? slash : slash - begin);
    rest = slash == std::string_view::npos ? std::string_view() : text.substr(slash);
    if (!authority.empty() && authority.front() == '[') {  // [IPv6]:PORT
        size_t close = authority.find(']');
        if (close == std::string_view::npos) bad_redis(text, "an unclosed '['");
        r.host = std::string(authority.substr(1, close - 1));
        authority.remove_prefix(close + 1);
    } else {
        size_t colon = authority.find(':');
        r.host = std::string(authority.substr(0, colon));
        authority.remove_prefix(colon == std::string_view::npos ? authority.size() : colon);
    }
    if (r.host.empty()) bad_redis(text, "the host is empty");
    if (!authority.empty()) {
        std::string_view port = authority.substr(1);
        if (authority.front() != ':' || port.empty()) bad_redis(text, "a bad port");
        try {
            r.port = static_cast<int>(parse_count(std::string(port).c_str(), "port", 1, 65535));
        } catch (const Error&) {
            bad_redis(text, "port" + shown_piece(text, port) + " is not a number from 1 to 65535");
        }
    }
    return r;
}

// A name given where a queue is expected that starts like a URL's scheme
// ("tcp:x"): RFC 3986's letter, then letters, digits, '+', '-' or '.'.
bool has_scheme(std::string_view text, std::string_view& scheme) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    scheme = text.substr(0, colon);
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!alpha(scheme[0])) return false;
    for (char c : scheme)
        if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
    return true;
}

}  // namespace

std::string RedisServer::str() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return "redis://" + (user.empty() ? "" : user + "@") + h + ":" + std::to_string(port) + "/" + std::to_string(db);
}

RedisServer parse_redis_server(std::string_view text) {
    if (text.substr(0, 8) != "redis://") bad_redis(text, "it does not start with redis://");
    std::string_view rest;
    RedisServer r = redis_server(text, rest);
    if (rest.size() > 1) {
        std::string_view db = rest.substr(1);
        if (db.back() == '/') db.remove_suffix(1);
        r.db = redis_db(text, db);
    }
    return r;
}

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
        throw Error(Exit::usage, "invalid endpoint " + quoted(masked(text)) + ": it has a NUL byte");
    if (text == "-") return Endpoint{EndpointKind::stdio, {}};
    if (starts_with(text, "mq:")) return Endpoint{EndpointKind::mq, ipc_name(text.substr(3))};
    if (starts_with(text, "redis:")) {
        if (!starts_with(text, "redis://")) bad_redis(text, "it does not start with redis://");
        std::string_view rest;
        Endpoint e{EndpointKind::redis, {}};
        e.redis = redis_server(text, rest);
        // rest is "/NAME" or "/DB/NAME"
        if (rest.empty() || rest == "/")
            bad_redis(text, text.find('@') == std::string_view::npos
                                ? "the queue NAME is missing"
                                : "the queue NAME is missing after the last '@' (a NAME cannot hold '@')");
        size_t second = rest.find('/', 1);
        if (second != std::string_view::npos) {
            e.redis.db = redis_db(text, rest.substr(1, second - 1));
            rest.remove_prefix(second);
        }
        e.path = ipc_name(rest);
        return e;
    }
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
    if (starts_with(text, "mq:") || starts_with(text, "shm:") || starts_with(text, "redis:")) return parse_endpoint(text);
    // "tcp:x" is meant as some other kind of thing, not as the message
    // queue "/tcp:x": a name like that is written with its slash.
    std::string_view scheme;
    if (!starts_with(text, "/") && has_scheme(text, scheme)) {
        const char* forms =
            " (a queue is mq:/NAME, shm:/NAME, redis://HOST[:PORT][/DB]/NAME, or a bare NAME or /NAME for mq:/NAME";
        if (scheme == "fifo" || scheme == "file" || scheme == "fd")
            throw Error(Exit::usage, quoted(text) + " is a byte stream, not a queue" + forms + ")");
        bool plain = text.find('@') == std::string_view::npos && text.find('/') == std::string_view::npos;
        throw Error(Exit::usage, quoted(masked(text)) + " is not a queue: '" + std::string(scheme) +
                                     ":' is no kind of queue" + forms +
                                     (plain ? "; the message queue named " + std::string(text) + " is /" +
                                                  std::string(text)
                                            : "") +
                                     ")");
    }
    return Endpoint{EndpointKind::mq, ipc_name(text)};
}

std::string Endpoint::str() const {
    switch (kind) {
        case EndpointKind::stdio: return "-";
        // A path that would read as something else keeps its "file:".
        case EndpointKind::file: {
            bool other = path == "-";
            for (std::string_view scheme : {"mq:", "shm:", "redis:", "fifo:", "file:", "fd:"})
                other = other || starts_with(path, scheme);
            return other ? "file:" + path : path;
        }
        case EndpointKind::fifo: return "fifo:" + path;
        case EndpointKind::fd: return "fd:" + std::to_string(fd);
        case EndpointKind::mq: return "mq:" + path;
        case EndpointKind::shm: return "shm:" + path;
        case EndpointKind::redis: return redis.str() + path;
    }
    return path;
}

}  // namespace prockit
