// How Expansion (lib/replacement.h) finds the replacement strings of a
// line, as GNU parallel does (its CommandLineQueue::new): every string is
// a rule, KEY => PERL, from one table (the basic strings, --plus's, the
// respellings of -I and --extensionreplace..., --rpl's). First each
// {= perl =} becomes a piece; then, longest key first, each key found in
// the literal text left (and its positional form {N key-without-brace})
// becomes one. A key may hold one regex group, "{:(\d+)}": what it
// captures is given to the Perl as $$1, $$2...
//
// A piece's content is parallel's: an optional position (-?\d+), then the
// code; so {#}, whose code is "1 $_=$job->seq()", is "positional 1": it is
// replaced once per job, not once per input. The strings whose Perl is a
// fixed computation on one input (all but --plus's pattern strings and
// user Perl) are computed here in C++ (a Native kind) and never start
// the Perl helper.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace prockit {

struct ReplacementRules;

enum class Native : uint8_t {
    perl,  // not native: run the code in the Perl helper
    input, extension, basename, dirname, basename_extension, seq, slot,
    // --plus
    dirname_plus, extension_plus, extension2_plus, extension3_plus, extension2, extension3,
    basename_extension2, basename_extension3, total, slot_padded, seq_padded,
    or_default, from, substring, unquoted_text,
};

struct Rule {
    std::string key;               // "{}", "{:-([^}]+?)}", an --rpl TAG
    std::string prefix, group, postfix;  // key = prefix group postfix; group "" or "(...)"
    std::string perl;              // GNU parallel's code, $$N for the groups
    Native native = Native::perl;
};

struct Piece {
    bool literal = true;
    std::string text;              // a literal's text; for a replacement, as written
    // A replacement:
    std::string position;          // "" or "0": every input; else -?\d+ as parallel reads it
    std::string code;              // the Perl, positions and groups resolved
    std::vector<std::string> groups;  // what the key's group captured
    Native native = Native::perl;
    size_t sub = SIZE_MAX;         // the compiled Perl (lib/perl_eval.h)
    bool positional() const { return !position.empty() && position != "0"; }
    static Piece of_text(std::string t) {
        Piece p;
        p.text = std::move(t);
        return p;
    }
};

// The table the options make. A bad --rpl (no tag, a group that is not a
// regex) is Error(Exit::usage).
std::vector<Rule> make_rules(const ReplacementRules& rules);

// The line cut into literals and replacements. {colname} and {=colname ...=}
// become {N} and {=N ...=} first (--header). A position past 64 bits is
// Error(Exit::usage).
std::vector<Piece> find_pieces(std::string line, const ReplacementRules& rules, const std::vector<Rule>& table);

}  // namespace prockit

namespace prockit {

struct JobInput;

// The value of a native piece for one input (lib/replacement_values.cpp):
// what its Perl would give, byte for byte, lines and all.
std::string native_value(const Piece& p, const std::string& arg, const JobInput& in, unsigned jobs);

}  // namespace prockit
