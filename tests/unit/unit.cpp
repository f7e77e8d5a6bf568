// The runner's main: every case registered by the file it is linked with,
// in order, each as one TAP line; the exit status is 1 if any failed.
#include "unit.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <vector>

namespace unit {
namespace {
struct Case {
    const char* name;
    void (*fn)();
    const char* todo;
};
std::vector<Case>& cases() {
    static std::vector<Case> all;  // filled by static initializers, before main
    return all;
}
struct Failed {
    std::string why;
};
}  // namespace

bool add(const char* name, void (*fn)(), const char* todo) {
    cases().push_back({name, fn, todo});
    return true;
}

void fail(const char* file, int line, const std::string& why) {
    throw Failed{std::string(file) + ":" + std::to_string(line) + ": " + why};
}

std::string show(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        char hex[5];
        if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
        else if (c >= 0x20 && c < 0x7F) out += static_cast<char>(c);
        else std::snprintf(hex, sizeof hex, "\\x%02x", c), out += hex;
    }
    return out + "\"";
}

}  // namespace unit

int main(int argc, char** argv) {
    // The unit's name, from the binary's: "endpoint" for .../unit/endpoint.
    const char* self = argc > 0 ? std::strrchr(argv[0], '/') : nullptr;
    self = self ? self + 1 : argc > 0 ? argv[0] : "unit";
    std::printf("1..%zu\n", unit::cases().size());
    int failed = 0, n = 0;
    for (const unit::Case& c : unit::cases()) {
        std::string why;
        try {
            c.fn();
        } catch (const unit::Failed& f) {
            why = f.why;
        } catch (const std::exception& e) {
            why = std::string("unexpected exception: ") + e.what();
        }
        std::string todo = c.todo ? std::string(" # TODO ") + c.todo : "";
        std::printf("%sok %d - %s: %s%s\n", why.empty() ? "" : "not ", ++n, self, c.name, todo.c_str());
        if (!why.empty()) std::printf("# %s\n", why.c_str());
        failed += !why.empty() && !c.todo;
        std::fflush(stdout);
    }
    return failed ? 1 : 0;
}
