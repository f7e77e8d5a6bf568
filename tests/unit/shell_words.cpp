// lib/shell_words: which lines are simple commands, their words, and that
// the real shells (/bin/sh and bash) split every line it accepts into the
// same words.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "shell_words.h"
#include "unit.h"

extern char** environ;

using namespace prockit;
using V = std::vector<std::string>;

namespace {

// The argv `shell` gives the words of `line`: it runs printf '%s\0' LINE.
std::optional<V> shell_splits(const char* shell, const std::string& line) {
    int p[2];
    if (::pipe(p) != 0) return std::nullopt;
    std::string script = "printf '%s\\0' " + line;
    const char* argv[] = {shell, "-c", script.c_str(), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    pid_t pid;
    int err = posix_spawnp(&pid, shell, &fa, nullptr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(p[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; !err && (n = ::read(p[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    ::close(p[0]);
    if (err) return std::nullopt;
    int st = 0;
    ::waitpid(pid, &st, 0);
    V words;
    for (size_t at; (at = out.find('\0')) != std::string::npos; out.erase(0, at + 1)) words.push_back(out.substr(0, at));
    return words;
}

// Lines a shell runs as plain words, and the words.
const struct {
    const char* line;
    V words;
} kSimple[] = {
    {"gzip -9 file", {"gzip", "-9", "file"}},
    {"  cat\t'a b'  c  ", {"cat", "a b", "c"}},
    {"cat 'it'\"'\"'s'", {"cat", "it's"}},
    {"cat '' \"\" x''", {"cat", "", "", "x"}},
    {"cat a\\ b \\$HOME \\;", {"cat", "a b", "$HOME", ";"}},
    {"cat \"a\\\"b\\\\c\\d\\$\"", {"cat", "a\"b\\c\\d$"}},
    {"cat a\\\nb", {"cat", "ab"}},
    {"cat \"a\\\nb\"", {"cat", "ab"}},
    {"cat 'a\nb'", {"cat", "a\nb"}},
    {"cat a#b x=y %s --opt=1 a,b @x +y -", {"cat", "a#b", "x=y", "%s", "--opt=1", "a,b", "@x", "+y", "-"}},
    {"cat '$(id)' '`id`' '*' '~' '{a,b}' '#' '!'", {"cat", "$(id)", "`id`", "*", "~", "{a,b}", "#", "!"}},
    {"cat \"*?[]~#{}!|&;<>()\"", {"cat", "*?[]~#{}!|&;<>()"}},
    {"cat é ü\xff", {"cat", "é", "ü\xff"}},
    {"./run.sh x", {"./run.sh", "x"}},
    {"cat ]", {"cat", "]"}},
    {"cat \\#x \\~", {"cat", "#x", "~"}},
};

// Lines that are not (or not surely) simple: the shell has a say.
const char* const kNotSimple[] = {
    "", "   ", "a;b", "a | b", "a & b", "a && b", "a > f", "a < f", "a 2>&1", "(a)", "a $x", "a ${x}",
    "a $(id)", "a `id`", "a *", "a b?", "a [ab]", "a {a,b}", "a ~", "a ~/x", "a x=~/y", "# c", "a #c",
    "VAR=1 a", "a=b", "=a", "! a", "a ^b", "a\nb", "a \"$x\"", "a \"`id`\"", "a 'b", "a \"b", "a b\\",
};

}  // namespace

TEST("simple lines: their words after quote removal") {
    for (const auto& c : kSimple) {
        std::optional<V> w = plain_words(c.line);
        if (!w) unit::fail(__FILE__, __LINE__, "not simple: " + unit::show(c.line));
        CHECK_EQ(*w, c.words);
    }
}

TEST("lines with operators, expansions, globs, assignments, comments or open quotes are not simple") {
    for (const char* line : kNotSimple)
        if (plain_words(line)) unit::fail(__FILE__, __LINE__, "simple: " + unit::show(line));
    CHECK(!plain_words(std::string_view("cat a\0b", 7)));
}

TEST("/bin/sh and bash split each simple line into the same words") {
    for (const char* shell : {"/bin/sh", "bash"}) {
        for (const auto& c : kSimple) {
            std::optional<V> got = shell_splits(shell, c.line);
            if (!got) unit::fail(__FILE__, __LINE__, std::string("cannot run ") + shell);
            if (*got != c.words) unit::fail(__FILE__, __LINE__, std::string(shell) + " splits " + unit::show(c.line) + " into " + unit::show(*got));
        }
    }
}

TEST("builtins and reserved words of sh, dash and bash") {
    for (const char* w : {"echo", "printf", "exit", "cd", "[", "test", "true", "if", "while", "{", "!", ".", "source", "exec"})
        CHECK(is_shell_builtin(w));
    for (const char* w : {"gzip", "cat", "/bin/echo", "env", "ls", "sleep"}) CHECK(!is_shell_builtin(w));
}
