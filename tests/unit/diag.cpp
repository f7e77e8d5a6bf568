// lib/diag: the Context every diagnostic names, and the Error that carries
// it from where it was thrown to where it is said.
#include <stdio.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "diag.h"
#include "unit.h"

using namespace prockit;

namespace {

// What warn() wrote on stderr while f ran (stderr sent to a temporary file).
template <class F>
std::string stderr_of(F f) {
    fflush(stderr);
    FILE* tmp = tmpfile();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    f();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    std::string out(4096, '\0');
    rewind(tmp);
    out.resize(fread(out.data(), 1, out.size(), tmp));
    fclose(tmp);
    return out;
}

}  // namespace

TEST("Context: empty outside every one; nested ones joined, the inner last") {
    CHECK_EQ(Context::text(), "");
    {
        Context outer("--from /jobs");
        CHECK_EQ(Context::text(), "--from /jobs");
        {
            Context inner("recover");
            CHECK_EQ(Context::text(), "--from /jobs: recover");
        }
        CHECK_EQ(Context::text(), "--from /jobs");
    }
    CHECK_EQ(Context::text(), "");
}

TEST("Context::set_object names the innermost one's object, a later call the next") {
    Context verb("rm");
    Context::set_object("/a");
    CHECK_EQ(Context::text(), "rm /a");
    Context::set_object("shm:/b");
    CHECK_EQ(Context::text(), "rm shm:/b");
    {
        Context inner("unlink");
        Context::set_object("/dev/shm/b");
        CHECK_EQ(Context::text(), "rm shm:/b: unlink /dev/shm/b");
    }
    CHECK_EQ(Context::text(), "rm shm:/b");
}

TEST("Context::text into a buffer: as much as fits, its length returned, nothing past it") {
    Context outer("get");
    Context::set_object("/jobs");
    Context inner("open");
    char buf[8];
    std::memset(buf, 'x', sizeof buf);
    CHECK_EQ(std::string(buf, Context::text(buf, 6)), "get /j");
    CHECK_EQ(buf[6], 'x');
    char big[64];
    CHECK_EQ(std::string(big, Context::text(big, sizeof big)), "get /jobs: open");
    CHECK_EQ(Context::text(big, 0), 0u);
}

TEST("Error carries the Context it was thrown in; what() stays the bare reason") {
    try {
        with_context("get /jobs", []() -> int { throw Error(Exit::missing, "queue does not exist"); });
        CHECK(false);
    } catch (const Error& e) {
        CHECK_EQ(e.status(), Exit::missing);
        CHECK_EQ(std::string(e.what()), "queue does not exist");
        CHECK_EQ(e.context(), "get /jobs");
        CHECK_EQ(e.message(), "get /jobs: queue does not exist");
    }
    CHECK_EQ(Context::text(), "");  // with_context's ended with the throw
    Error outside(Exit::failure, "no context");
    CHECK_EQ(outside.context(), "");
    CHECK_EQ(outside.message(), "no context");
}

TEST("with_context returns f's value and ends its Context after") {
    int got = with_context("stat /q", [] { return Context::text() == "stat /q" ? 7 : -1; });
    CHECK_EQ(got, 7);
    CHECK_EQ(Context::text(), "");
}

TEST("warn: TOOL: CONTEXT: message, control characters of the context escaped") {
    set_program_name("shq");
    CHECK_EQ(stderr_of([] { warn("plain %d", 1); }), "shq: plain 1\n");
    CHECK_EQ(stderr_of([] {
                 Context c("get");
                 Context::set_object("/a\nb");
                 warn("queue does not exist");
             }),
             "shq: get /a\\nb: queue does not exist\n");
}
