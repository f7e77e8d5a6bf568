// Endpoint parsing over any text. Properties:
//  - parse_endpoint, parse_queue and parse_redis_server return or throw
//    prockit::Error (a usage error), nothing else;
//  - no message and no canonical spelling shows a password: the input is
//    also tried as the middle of "redis://u:<input>S3CR3T<input>@<input>",
//    and "S3CR3T" must appear in no output (an 'S' of the input is made
//    's' first, so nothing else can spell it);
//  - what parses, spelled canonically (str()), parses again to the same
//    endpoint; what parse_queue takes is a queue.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "diag.h"
#include "endpoint.h"
#include "fuzz.h"

using namespace prockit;

namespace {
constexpr std::string_view kSecret = "S3CR3T";

bool same(const Endpoint& a, const Endpoint& b) {
    return a.kind == b.kind && a.path == b.path && a.fd == b.fd && a.redis.host == b.redis.host &&
           a.redis.port == b.redis.port && a.redis.db == b.redis.db && a.redis.user == b.redis.user;
}

// The input never holds an 'S' where the secret is looked for (see
// below), so a shown "S3CR3T" can only be the password's.
void check_hidden(const std::string& shown) {
    if (shown.find(kSecret) != std::string::npos) std::abort();
}

template <class F>
void parse(std::string_view text, F f) {
    try {
        f(text);
    } catch (const Error& e) {
        if (e.status() != Exit::usage) std::abort();
        check_hidden(e.what());
    }
}

void round_trip(std::string_view text) {
    Endpoint e = parse_endpoint(text);
    std::string again = e.str();
    check_hidden(again);
    check_hidden(e.display());
    if (!same(e, parse_endpoint(again))) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ::unsetenv("PROCKIT_REDIS_PASSWORD");
    std::string in(reinterpret_cast<const char*>(data), size);
    for (char& c : in)
        if (c == 'S') c = 's';
    parse(in, round_trip);
    parse(in, [](std::string_view t) {
        if (!parse_queue(t).is_queue()) std::abort();
    });
    parse(in, [](std::string_view t) { parse_redis_server(t); });

    // The input cut in three around a password that must never be shown.
    size_t a = size / 3, b = 2 * size / 3;
    std::string text = "redis://u:" + in.substr(0, a) + std::string(kSecret) + in.substr(a, b - a) + "@" + in.substr(b);
    parse(text, round_trip);
    parse(text, [](std::string_view t) { parse_queue(t); });
    parse(text, [](std::string_view t) { parse_redis_server(t); });
    return 0;
}
