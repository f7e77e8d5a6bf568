// lib/job_shell: the shell names GNU parallel's parent_shell() sees in an
// argv[0], its which(), and the exported bash functions of an environment.
#include <string>
#include <vector>

#include "job_shell.h"
#include "unit.h"

using namespace prockit;
using V = std::vector<std::string>;

TEST("an argv[0] names a shell as GNU parallel's regular expression reads it") {
    const struct {
        const char* argv0;
        const char* name;  // "" for none
        bool dash;
    } table[] = {
        {"bash", "bash", false},         {"/bin/bash", "bash", false},   {"/usr/local/bin/zsh", "zsh", false},
        {"-bash", "bash", true},         {"-sh", "sh", true},            {"busybox sh", "sh", false},
        {"[dash]", "dash", false},       {"bash /usr/bin/bats", "bash", false}, {"sh ", "sh", false},
        {"sshd", "", false},             {"crash", "", false},           {"foo.sh", "", false},
        {"flush", "", false},            {"/usr/bin/perl", "", false},   {"pool-run", "", false},
        {"bash (x)", "", false},         {"", "", false},
    };
    for (const auto& c : table) {
        std::optional<ShellName> n = shell_named_by(c.argv0);
        if (!*c.name) {
            if (n) unit::fail(__FILE__, __LINE__, std::string("a shell in ") + unit::show(c.argv0) + ": " + n->name);
            continue;
        }
        if (!n) unit::fail(__FILE__, __LINE__, std::string("no shell in ") + unit::show(c.argv0));
        CHECK_EQ(n->name, std::string(c.name));
        CHECK_EQ(n->dash, c.dash);
    }
}

TEST("which: the first PATH entry with an executable that is not a directory; a path as it is") {
    CHECK_EQ(which("sh", "/nonexistent:/bin:/usr/bin").value_or(""), std::string("/bin/sh"));
    CHECK(!which("bin", "/"));  // /bin is a directory
    CHECK(!which("no-such-shell-x", "/bin:/usr/bin"));
    CHECK_EQ(which("/bin/sh", "/nonexistent").value_or(""), std::string("/bin/sh"));
}

TEST("exported bash functions: BASH_FUNC_name%% and the older BASH_FUNC_name()") {
    const char* env[] = {"PATH=/bin", "BASH_FUNC_doit%%=() {  echo; }", "BASH_FUNC_old()=() { :; }",
                         "BASH_FUNC_%%=x", "NOT_BASH_FUNC_x%%=y", nullptr};
    CHECK_EQ(exported_functions(const_cast<char* const*>(env)), (V{"doit", "old"}));
}

TEST("the shell only execs a simple command whose first word is no builtin or exported function") {
    JobShell s{"/bin/bash", true, {"doit"}};
    CHECK(s.would_exec(V{"gzip", "-9"}));
    CHECK(!s.would_exec(V{"doit", "x"}));
    CHECK(!s.would_exec(V{"echo", "x"}));
    CHECK(!s.would_exec(V{}));
}
