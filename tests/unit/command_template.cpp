// lib/command_template: GNU parallel's replacement strings, a direct job's
// argv, a shell job's script, shell_quote, and the {N} that is refused.
#include <string>
#include <vector>

#include "command_template.h"
#include "unit.h"

using namespace prockit;
using V = std::vector<std::string>;

namespace {
JobInput input(V args, unsigned long long seq = 1, unsigned slot = 1) {
    JobInput in;
    in.records = {std::move(args)};
    in.seq = seq;
    in.slot = slot;
    return in;
}
// The argv of a direct template of one word, for one input.
std::string one(const std::string& word, const std::string& arg) {
    return CommandTemplate({"echo", word}, CommandTemplate::Shell::never).argv(input({arg}))[1];
}
}  // namespace

TEST("{} {.} {/} {//} {/.} of a path, GNU parallel's edge cases too") {
    struct {
        const char *word, *input, *want;
    } table[] = {
        {"{}", "dir/sub/a.tar.gz", "dir/sub/a.tar.gz"},
        {"{.}", "dir/sub/a.tar.gz", "dir/sub/a.tar"},
        {"{/}", "dir/sub/a.tar.gz", "a.tar.gz"},
        {"{//}", "dir/sub/a.tar.gz", "dir/sub"},
        {"{/.}", "dir/sub/a.tar.gz", "a.tar"},
        // Dot files, trailing slashes, no directory.
        {"{.}", ".hidden", ""},
        {"{.}", "a.b.", "a.b"},
        {"{.}", "a.d/file", "a.d/file"},
        {"{/}", "a/b/", ""},
        {"{//}", "a/b/", "a"},
        {"{//}", "file", "."},
        {"{//}", "/file", "/"},
        {"{//}", "/", "/"},
    };
    for (const auto& row : table) CHECK_EQ(one(row.word, row.input) + " for " + row.word + " " + row.input,
                                           std::string(row.want) + " for " + row.word + " " + row.input);
}

TEST("{#} and {%} are the sequence number and the slot") {
    CommandTemplate t({"run", "{#}-{%}"}, CommandTemplate::Shell::never);
    CHECK_EQ(t.argv(input({"x"}, 42, 3)), (V{"run", "42-3"}));
}

TEST("{N} is the Nth input, {0} all of them, one out of range empty") {
    CommandTemplate t({"cp", "{1}", "{2}", "{0}", "{3}", "{00}"}, CommandTemplate::Shell::never);
    CHECK_EQ(t.argv(input({"a b", "c"})), (V{"cp", "a b", "c", "a b c", "", ""}));
}

TEST("not a replacement string: {x} { } and a lone brace") {
    CommandTemplate t({"echo", "{x}{ }{", "}"}, CommandTemplate::Shell::never);
    CHECK_EQ(t.argv(input({"in"})), (V{"echo", "{x}{ }{", "}", "in"}));
}

TEST("without a replacement string the input is appended") {
    CommandTemplate t({"gzip", "-9"}, CommandTemplate::Shell::automatic);
    CHECK(!t.uses_shell());
    CHECK_EQ(t.argv(input({"a file", "b"})), (V{"gzip", "-9", "a file", "b"}));
    CHECK_EQ(t.display(input({"a file", "b"})), "gzip -9 'a file' b");
}

TEST("the words are joined as they are, as GNU parallel joins them: a ; in one is the shell's") {
    CommandTemplate t({"cat", "%s;", "{}"}, CommandTemplate::Shell::automatic);
    CHECK(t.uses_shell());
    CHECK_EQ(t.argv(input({"$(rm -rf /)"})), (V{"/bin/sh", "-c", "cat %s; '$(rm -rf /)'"}));
    CHECK_EQ(t.display(input({"$(rm -rf /)"})), "cat %s; '$(rm -rf /)'");
}

TEST("-q quotes each word: a simple command, exec'd directly, each word one argument") {
    CommandTemplate t({"cat", "%s;", "{} x"}, ShellChoice{CommandTemplate::Shell::automatic, true, {}});
    CHECK(!t.uses_shell());
    CHECK_EQ(t.argv(input({"$(rm -rf /)"})), (V{"cat", "%s;", "$(rm -rf /) x"}));
    CHECK_EQ(t.display(input({"$(rm -rf /)"})), "cat '%s;' '$(rm -rf /) x'");
    // A builtin first (echo): the shell runs it, the words still quoted.
    CommandTemplate e({"echo", "{}"}, ShellChoice{CommandTemplate::Shell::automatic, true, {}});
    CHECK_EQ(e.argv(input({"a;b"})), (V{"/bin/sh", "-c", "echo 'a;b'"}));
}

TEST("an exported function or a builtin as the first word takes the shell") {
    JobShell bash{"/bin/bash", true, {"doit"}};
    CommandTemplate f({"doit"}, ShellChoice{CommandTemplate::Shell::automatic, false, bash});
    CHECK(f.uses_shell());
    CHECK_EQ(f.argv(input({"a b"})), (V{"/bin/bash", "-c", "doit 'a b'"}));
    CommandTemplate g({"gzip"}, ShellChoice{CommandTemplate::Shell::automatic, false, bash});
    CHECK_EQ(g.argv(input({"a b"})), (V{"gzip", "a b"}));
    CHECK_EQ(g.argv(input({"a b"}), true), (V{"/bin/bash", "-c", "gzip 'a b'"}));
    // A shell whose simple commands are not known (zsh): always the shell.
    CommandTemplate z({"gzip"}, ShellChoice{CommandTemplate::Shell::automatic, false, {"/bin/zsh", false, {}}});
    CHECK_EQ(z.argv(input({"a"})), (V{"/bin/zsh", "-c", "gzip a"}));
}

TEST("one word with shell syntax runs under /bin/sh, substitutions quoted as parallel quotes") {
    CommandTemplate t({"echo {} > {.}.out"}, CommandTemplate::Shell::automatic);
    CHECK(t.uses_shell());
    CHECK_EQ(t.argv(input({"it's.txt"})), (V{"/bin/sh", "-c", "echo 'it'\"'\"'s.txt' > 'it'\"'\"'s'.out"}));
    CHECK_EQ(t.display(input({"it's.txt"})), "echo 'it'\"'\"'s.txt' > 'it'\"'\"'s'.out");
}

TEST("a replacement string in the first word: no value is quoted, the input is the command") {
    CommandTemplate t({"{1}", "{2}"}, CommandTemplate::Shell::automatic);
    CHECK_EQ(t.display(input({"echo", "a b"})), "echo a b");
}

TEST("--shell with no replacement string appends the inputs quoted") {
    CommandTemplate t({"wc", "-c"}, CommandTemplate::Shell::always);
    CHECK(t.uses_shell());
    CHECK_EQ(t.argv(input({"a b", "c"})), (V{"/bin/sh", "-c", "wc -c 'a b' c"}));
}

TEST("one plain word is not a shell job; never keeps even syntax direct") {
    CHECK(!CommandTemplate({"gzip"}, CommandTemplate::Shell::automatic).uses_shell());
    CHECK(CommandTemplate({"true"}, CommandTemplate::Shell::automatic).uses_shell());  // a builtin
    CommandTemplate t({"a;b"}, CommandTemplate::Shell::never);
    CHECK(!t.uses_shell());
    CHECK_EQ(t.argv(input({"x"})), (V{"a;b", "x"}));
}

TEST("no template: the inputs joined by spaces are the command line, shown as given") {
    CommandTemplate t({}, CommandTemplate::Shell::automatic);
    CHECK(t.uses_shell());
    CHECK_EQ(t.argv(input({"echo", "hi there"})), (V{"/bin/sh", "-c", "echo hi there"}));
    CHECK_EQ(t.argv(input({"ls", "-l 'a b'"})), (V{"ls", "-l", "a b"}));
    CHECK_EQ(t.display(input({"echo 'x'"})), "echo 'x'");
    // --no-shell: each input one word.
    CommandTemplate n({}, CommandTemplate::Shell::never);
    CHECK_EQ(n.argv(input({"echo", "hi there"})), (V{"echo", "hi there"}));
}

TEST("a {N} past 2^64 is a usage error") {
    CHECK_ERROR(CommandTemplate({"echo", "{18446744073709551616}"}, CommandTemplate::Shell::never), Exit::usage,
                "invalid replacement string '{18446744073709551616}': no input has that number");
}

TEST("shell_quote: safe words as they are, the rest in single quotes") {
    CHECK_EQ(shell_quote("abc-1.2_x/y:z,+@%="), "abc-1.2_x/y:z,+@%=");
    CHECK_EQ(shell_quote(""), "''");
    CHECK_EQ(shell_quote("a b"), "'a b'");
    CHECK_EQ(shell_quote("'"), "''\\'''");
    CHECK_EQ(shell_quote("~"), "'~'");
    CHECK_EQ(shell_quote("a\nb"), "'a\nb'");
}
