// A unit test runner small enough to read in a minute, instead of a
// framework from outside: tests/run counts TAP lines, so each case prints
// one ("ok 3 - endpoint: mq:/NAME"), and the checks below say what they got
// against what they wanted. A file of cases is
//
//     #include "unit.h"
//     TEST("parses a count") { CHECK_EQ(parse_count("42", "count", 0, 99), 42u); }
//
// A failed check ends its case (later ones still run). TODO_TEST marks a
// case for a known bug (TAP "# TODO"): it runs and shows, but is not
// counted as failed until it is fixed.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

#include "diag.h"

namespace unit {

// Registers a case; returns true, for a static initializer.
bool add(const char* name, void (*fn)(), const char* todo = nullptr);
// Ends the running case as failed, saying where and why.
[[noreturn]] void fail(const char* file, int line, const std::string& why);

// A value as a diagnostic shows it: text quoted with its bytes escaped.
std::string show(std::string_view s);
inline std::string show(const std::string& s) { return show(std::string_view(s)); }
inline std::string show(const char* s) { return show(std::string_view(s)); }
inline std::string show(char c) { return show(std::string_view(&c, 1)); }
inline std::string show(bool b) { return b ? "true" : "false"; }
template <class T>
std::string show(const T& v) {
    std::ostringstream o;
    if constexpr (std::is_enum_v<T>) {
        o << static_cast<long long>(v);
    } else if constexpr (requires { v.begin(); v.end(); }) {  // a vector: {"a", "b"}
        const char* sep = "{";
        for (const auto& e : v) o << sep << show(e), sep = ", ";
        o << (*sep == '{' ? "{}" : "}");
    } else {
        o << v;
    }
    return o.str();
}

// Runs `f`, which must throw prockit::Error with this status and message.
template <class F>
void check_error(const char* file, int line, F f, prockit::Exit status, std::string_view message) {
    try {
        f();
    } catch (const prockit::Error& e) {
        if (e.status() != status || e.what() != message)
            fail(file, line, "threw Error(" + show(e.status()) + ", " + show(e.what()) + "), want Error(" +
                                 show(status) + ", " + show(message) + ")");
        return;
    }
    fail(file, line, "threw nothing, want Error(" + show(status) + ", " + show(message) + ")");
}

}  // namespace unit

#define UNIT_JOIN2(a, b) a##b
#define UNIT_JOIN(a, b) UNIT_JOIN2(a, b)
#define UNIT_CASE(name, todo, id)                                                  \
    static void UNIT_JOIN(unit_case_, id)();                                       \
    [[maybe_unused]] static const bool UNIT_JOIN(unit_added_, id) =                \
        unit::add(name, UNIT_JOIN(unit_case_, id), todo);                          \
    static void UNIT_JOIN(unit_case_, id)()
#define TEST(name) UNIT_CASE(name, nullptr, __LINE__)
#define TODO_TEST(name, why) UNIT_CASE(name, why, __LINE__)

#define CHECK(cond) \
    do {            \
        if (!(cond)) unit::fail(__FILE__, __LINE__, "CHECK(" #cond ")"); \
    } while (0)
// Both sides are copied first: `got` may be a member of a temporary.
#define CHECK_EQ(got, want)                                                                        \
    do {                                                                                           \
        const auto unit_got = (got);                                                               \
        const auto unit_want = (want);                                                             \
        if (!(unit_got == unit_want))                                                              \
            unit::fail(__FILE__, __LINE__,                                                         \
                       #got ": got " + unit::show(unit_got) + ", want " + unit::show(unit_want));  \
    } while (0)
// `expr` must throw prockit::Error(status, message), exactly.
#define CHECK_ERROR(expr, status, message) \
    unit::check_error(__FILE__, __LINE__, [&] { (void)(expr); }, status, message)
