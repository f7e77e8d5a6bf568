// Is a shell command line a *simple command*, and which argv does it run?
//
// GNU parallel runs every job as `$SHELL -c LINE`. When LINE is plain
// words only -- after quote removal, with nothing the shell would expand,
// redirect, glob, assign or run as an operator, and a first word that no
// shell takes as a builtin or keyword -- the shell would do nothing but
// exec those words; pool-run then execs them itself and saves a process
// and a shell start per job (lib/command_template.h decides, with the
// shell and the exported functions in view).
//
// The parser is conservative: whatever it cannot be sure of (an unquoted
// `~`, `{`, `!` or `^`, a `#` that starts a word, an `=` in the first
// word, a backslash ending the line, an unclosed quote, a NUL) makes the
// line not simple, and the shell runs it, so a wrong "no" costs only
// speed. What it accepts, /bin/sh and bash split into the same words
// (tests/unit/shell_words.cpp checks it against the real shells;
// fuzz/shell_words.cpp that its words, requoted, parse back the same).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prockit {

// The words of `line` after quote removal, if it is a simple command
// (syntax only: the first word may still be a builtin); none otherwise,
// and for a line of no words.
std::optional<std::vector<std::string>> plain_words(std::string_view line);

// True if `word` is a reserved word or a builtin of sh, dash or bash (a
// first word a shell runs itself rather than by exec).
bool is_shell_builtin(std::string_view word);

}  // namespace prockit
