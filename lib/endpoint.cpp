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
[[noreturn]] void bad_redis(std::string_view text, const std::string& why) {
    // The text may hold a password: show it without.
    std::string shown(text);
    size_t at = shown.rfind('@');
    if (at != std::string::npos) shown = "redis://..." + shown.substr(at);
    throw Error(Exit::usage, "invalid redis endpoint " + quoted(shown) + ": " + why +
                                 " (expected redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME, such as "
                                 "redis://127.0.0.1:6379/0/jobs)");
}

// Splits "redis://[USER[:PASSWORD]@]HOST[:PORT]" off the front of text;
// `rest` is what follows ("" or "/...").
RedisServer redis_server(std::string_view text, std::string_view& rest) {
    std::string_view t = text.substr(8);  // after "redis://"
    size_t slash = t.find('/');
    std::string_view authority = t.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : t.substr(slash);
    RedisServer r;
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view login = authority.substr(0, at);
        authority.remove_prefix(at + 1);
        size_t colon = login.find(':');
        r.user = std::string(login.substr(0, colon));
        if (colon != std::string_view::npos) r.password = std::string(login.substr(colon + 1));
    }
    if (r.password.empty()) {
        const char* env = std::getenv("PROCKIT_REDIS_PASSWORD");
        if (env) r.password = env;
    }
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
        if (authority.front() != ':' || authority.size() == 1) bad_redis(text, "a bad port");
        std::string port(authority.substr(1));
        try {
            r.port = static_cast<int>(parse_count(port.c_str(), "port", 1, 65535));
        } catch (const Error&) {
            bad_redis(text, "port '" + port + "' is not a number from 1 to 65535");
        }
    }
    return r;
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
        std::string db(rest.substr(1));
        if (!db.empty() && db.back() == '/') db.pop_back();
        try {
            r.db = static_cast<int>(parse_count(db.c_str(), "database", 0, 1'000'000));
        } catch (const Error&) {
            bad_redis(text, "database '" + db + "' is not a number");
        }
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
        throw Error(Exit::usage, "invalid endpoint " + quoted(text) + ": it has a NUL byte");
    if (text == "-") return Endpoint{EndpointKind::stdio, {}};
    if (starts_with(text, "mq:")) return Endpoint{EndpointKind::mq, ipc_name(text.substr(3))};
    if (starts_with(text, "redis://")) {
        std::string_view rest;
        Endpoint e{EndpointKind::redis, {}};
        e.redis = redis_server(text, rest);
        // rest is "/NAME" or "/DB/NAME"
        if (rest.empty() || rest == "/") bad_redis(text, "the queue NAME is missing");
        size_t second = rest.find('/', 1);
        if (second != std::string_view::npos) {
            std::string db(rest.substr(1, second - 1));
            try {
                e.redis.db = static_cast<int>(parse_count(db.c_str(), "database", 0, 1'000'000));
            } catch (const Error&) {
                bad_redis(text, "database '" + db + "' is not a number");
            }
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
    if (starts_with(text, "mq:") || starts_with(text, "shm:") || starts_with(text, "redis://"))
        return parse_endpoint(text);
    if (text.find(':') != std::string_view::npos && !starts_with(text, "/")) {
        std::string_view scheme = text.substr(0, text.find(':'));
        if (scheme == "fifo" || scheme == "file" || scheme == "fd")
            throw Error(Exit::usage,
                        quoted(text) + " is not a queue (a queue is mq:/NAME, shm:/NAME, redis://HOST/NAME or NAME)");
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
        case EndpointKind::redis: return redis.str() + path;
    }
    return path;
}

}  // namespace prockit
