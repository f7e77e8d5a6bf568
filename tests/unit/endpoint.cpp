// lib/endpoint: every kind of endpoint, the canonical spelling, queue names
// as shq takes them, and the errors -- which never show a password.
#include <cstdlib>
#include <string>

#include "endpoint.h"
#include "unit.h"

using namespace prockit;
using namespace std::string_literals;

namespace {
const std::string kRedisForm =
    " (expected redis://[USER:PASSWORD@]HOST[:PORT][/DB]/NAME, such as redis://127.0.0.1:6379/0/jobs)";
const std::string kNameForm = " (a valid name is '/' and 1 to 255 characters other than '/', such as /jobs)";
const std::string kQueueForms =
    " (a queue is mq:/NAME, shm:/NAME, redis://HOST[:PORT][/DB]/NAME, or a bare NAME or /NAME for mq:/NAME";

// "KIND PATH CANONICAL", of a file or a FIFO.
std::string spelled(const Endpoint& e) {
    return std::string(e.kind == EndpointKind::file ? "file" : e.kind == EndpointKind::fifo ? "fifo" : "other") + " " +
           e.path + " " + e.str();
}

// Each test starts without a password in the environment.
Endpoint parse(std::string_view text) {
    ::unsetenv("PROCKIT_REDIS_PASSWORD");
    return parse_endpoint(text);
}
}  // namespace

TEST("- is standard input or output") {
    Endpoint e = parse("-");
    CHECK_EQ(e.kind, EndpointKind::stdio);
    CHECK_EQ(e.str(), "-");
}

TEST("a text with no scheme is a file, a:b too") {
    CHECK_EQ(parse("out.txt").kind, EndpointKind::file);
    CHECK_EQ(parse("a:b").path, "a:b");
    CHECK_EQ(parse("a:b").str(), "a:b");
}

TEST("file: keeps a path that would read as something else") {
    CHECK_EQ(spelled(parse("file:mq:/x")), "file mq:/x file:mq:/x");
    CHECK_EQ(parse("file:-").str(), "file:-");
    CHECK_EQ(parse("file:plain").str(), "plain");
}

TEST("fifo:PATH and fd:N") {
    CHECK_EQ(spelled(parse("fifo:/tmp/p")), "fifo /tmp/p fifo:/tmp/p");
    Endpoint d = parse("fd:3");
    CHECK_EQ(d.kind, EndpointKind::fd);
    CHECK_EQ(d.fd, 3);
    CHECK_EQ(d.str(), "fd:3");
}

TEST("an empty path or a bad descriptor is refused") {
    CHECK_ERROR(parse("fifo:"), Exit::usage, "invalid endpoint 'fifo:': the path is empty");
    CHECK_ERROR(parse("file:"), Exit::usage, "invalid endpoint 'file:': the path is empty");
    CHECK_ERROR(parse("fd:x"), Exit::usage,
                "invalid descriptor 'x': expected a whole number from 0 to 2147483647");
    CHECK_ERROR(parse("fd:2147483648"), Exit::usage,
                "invalid descriptor '2147483648': expected a whole number from 0 to 2147483647");
}

TEST("empty text and a NUL byte are refused") {
    CHECK_ERROR(parse(""), Exit::usage, "empty endpoint (use - for standard input or output)");
    CHECK_ERROR(parse("a\0b"s), Exit::usage, "invalid endpoint 'a\\0b': it has a NUL byte");
}

TEST("mq: and shm: take an IPC name, with or without its slash") {
    Endpoint m = parse("mq:/jobs");
    CHECK_EQ(m.kind, EndpointKind::mq);
    CHECK_EQ(m.path, "/jobs");
    CHECK_EQ(m.str(), "mq:/jobs");
    CHECK_EQ(m.display(), "/jobs");
    CHECK_EQ(parse("mq:jobs").path, "/jobs");
    Endpoint s = parse("shm:ring");
    CHECK_EQ(s.kind, EndpointKind::shm);
    CHECK_EQ(s.str(), "shm:/ring");
    CHECK_EQ(s.display(), "shm:/ring");
    CHECK(s.is_queue());
    CHECK(!parse("fd:1").is_queue());
}

TEST("ipc_name: the limits of a name") {
    CHECK_EQ(ipc_name("x"), "/x");
    CHECK_EQ(ipc_name(std::string(255, 'n')), "/" + std::string(255, 'n'));
    CHECK_ERROR(ipc_name("/"), Exit::usage, "invalid queue name '/': the name is empty" + kNameForm);
    CHECK_ERROR(ipc_name("/a/b"), Exit::usage, "invalid queue name '/a/b': it has a second '/'" + kNameForm);
    CHECK_ERROR(ipc_name("a\0"s), Exit::usage, "invalid queue name 'a\\0': it has a NUL byte" + kNameForm);
    CHECK_ERROR(ipc_name(std::string(256, 'n')), Exit::usage,
                "invalid queue name '" + std::string(256, 'n') + "': it is longer than 255 characters" + kNameForm);
    CHECK_ERROR(ipc_name(".."), Exit::usage, "invalid queue name '..': '.' and '..' are not names" + kNameForm);
    CHECK_ERROR(ipc_name("/."), Exit::usage, "invalid queue name '/.': '.' and '..' are not names" + kNameForm);
}

TEST("redis:// with every part") {
    Endpoint e = parse("redis://u:pw@[::1]:7000/5/jobs");
    CHECK_EQ(e.kind, EndpointKind::redis);
    CHECK_EQ(e.redis.host, "::1");
    CHECK_EQ(e.redis.port, 7000);
    CHECK_EQ(e.redis.db, 5);
    CHECK_EQ(e.redis.user, "u");
    CHECK_EQ(e.redis.password, "pw");
    CHECK_EQ(e.path, "/jobs");
    CHECK_EQ(e.str(), "redis://u@[::1]:7000/5/jobs");
}

TEST("redis:// defaults: port 6379, database 0") {
    Endpoint e = parse("redis://localhost/q");
    CHECK_EQ(e.redis.port, 6379);
    CHECK_EQ(e.redis.db, 0);
    CHECK_EQ(e.redis.user, "");
    CHECK_EQ(e.str(), "redis://localhost:6379/0/q");
    CHECK_EQ(e.display(), "redis://localhost:6379/0/q");
}

TEST("redis:// a password may hold / : and @ (the login ends at the last @)") {
    Endpoint e = parse("redis://u:a/b:c@d@h/q");
    CHECK_EQ(e.redis.user, "u");
    CHECK_EQ(e.redis.password, "a/b:c@d");
    CHECK_EQ(e.redis.host, "h");
    CHECK_EQ(e.path, "/q");
}

TEST("redis:// the password from PROCKIT_REDIS_PASSWORD when none is given") {
    ::setenv("PROCKIT_REDIS_PASSWORD", "envpw", 1);
    Endpoint e = parse_endpoint("redis://h/q");
    Endpoint given = parse_endpoint("redis://:mine@h/q");
    ::unsetenv("PROCKIT_REDIS_PASSWORD");
    CHECK_EQ(e.redis.password, "envpw");
    CHECK_EQ(given.redis.password, "mine");
}

TEST("redis:// errors say what is wrong") {
    CHECK_ERROR(parse("redis:x"), Exit::usage, "invalid redis endpoint 'redis:x': it does not start with redis://" + kRedisForm);
    CHECK_ERROR(parse("redis:///q"), Exit::usage, "invalid redis endpoint 'redis:///q': the host is empty" + kRedisForm);
    CHECK_ERROR(parse("redis://h"), Exit::usage, "invalid redis endpoint 'redis://h': the queue NAME is missing" + kRedisForm);
    CHECK_ERROR(parse("redis://h/"), Exit::usage, "invalid redis endpoint 'redis://h/': the queue NAME is missing" + kRedisForm);
    CHECK_ERROR(parse("redis://[::1/q"), Exit::usage, "invalid redis endpoint 'redis://[::1/q': an unclosed '['" + kRedisForm);
    CHECK_ERROR(parse("redis://h:/q"), Exit::usage, "invalid redis endpoint 'redis://h:/q': a bad port" + kRedisForm);
    CHECK_ERROR(parse("redis://h:0/q"), Exit::usage,
                "invalid redis endpoint 'redis://h:0/q': port '0' is not a number from 1 to 65535" + kRedisForm);
    CHECK_ERROR(parse("redis://h:65536/q"), Exit::usage,
                "invalid redis endpoint 'redis://h:65536/q': port '65536' is not a number from 1 to 65535" + kRedisForm);
    CHECK_ERROR(parse("redis://h/x/q"), Exit::usage,
                "invalid redis endpoint 'redis://h/x/q': database 'x' is not a number from 0 to 2147483647" + kRedisForm);
}

TEST("redis:// no error shows the password") {
    CHECK_ERROR(parse("redis://u:S3CR3T@h:99999/q"), Exit::usage,
                "invalid redis endpoint 'redis://...@h:99999/q': port '99999' is not a number from 1 to 65535" +
                    kRedisForm);
    CHECK_ERROR(parse("redis://u:S3CR3T@h"), Exit::usage,
                "invalid redis endpoint 'redis://...@h': the queue NAME is missing after the last '@' (a NAME "
                "cannot hold '@')" +
                    kRedisForm);
    CHECK_ERROR(parse("redis://u:S3C:R3T@h/q@x"), Exit::usage,
                "invalid redis endpoint 'redis://...@x': the queue NAME is missing after the last '@' (a NAME "
                "cannot hold '@')" +
                    kRedisForm);
    CHECK_ERROR(parse("a\0redis://u:S3CR3T@h"s), Exit::usage, "invalid endpoint 'a\\0redis://...@h': it has a NUL byte");
}

TEST("parse_redis_server: HOST[:PORT][/DB], a trailing slash allowed") {
    ::unsetenv("PROCKIT_REDIS_PASSWORD");
    RedisServer r = parse_redis_server("redis://h:1234/7/");
    CHECK_EQ(r.host, "h");
    CHECK_EQ(r.port, 1234);
    CHECK_EQ(r.db, 7);
    CHECK_EQ(r.str(), "redis://h:1234/7");
    CHECK_EQ(parse_redis_server("redis://h").str(), "redis://h:6379/0");
    CHECK_ERROR(parse_redis_server("h:1"), Exit::usage,
                "invalid redis endpoint 'h:1': it does not start with redis://" + kRedisForm);
}

TEST("parse_queue: a bare NAME or /NAME is a message queue") {
    CHECK_EQ(parse_queue("jobs").str(), "mq:/jobs");
    CHECK_EQ(parse_queue("/tcp:x").str(), "mq:/tcp:x");
    CHECK_EQ(parse_queue("shm:/r").str(), "shm:/r");
    CHECK_EQ(parse_queue(":x").path, "/:x");
}

TEST("parse_queue: a byte stream or another scheme is not a queue") {
    CHECK_ERROR(parse_queue("fifo:x"), Exit::usage, "'fifo:x' is a byte stream, not a queue" + kQueueForms + ")");
    CHECK_ERROR(parse_queue("tcp:x"), Exit::usage,
                "'tcp:x' is not a queue: 'tcp:' is no kind of queue" + kQueueForms +
                    "; the message queue named tcp:x is /tcp:x)");
    CHECK_ERROR(parse_queue("http://u:pw@h/q"), Exit::usage,
                "'http://...@h/q' is not a queue: 'http:' is no kind of queue" + kQueueForms + ")");
    CHECK_ERROR(parse_queue("a/b"), Exit::usage, "invalid queue name 'a/b': it has a second '/'" + kNameForm);
}
