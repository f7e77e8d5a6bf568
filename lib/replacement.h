// GNU parallel's replacement strings in one command line: found once
// (Expansion's constructor), then replaced by their values for each job,
// a walk over the pieces found.
//
//     {}    the input          {.}   without its extension
//     {/}   its basename       {//}  its dirname
//     {/.}  basename without extension
//     {#}   the job's sequence number     {%}  its slot, 1..j
//     {N}   the Nth input (a field of a record, or of the job's records),
//           {-N} the Nth from the end; {N.} {N/} {N//} {N/.} likewise
//     {= perl =}, {=N perl =}   the input after the Perl ran on $_
//     --plus: {..} {...} {+/} {+.} {+..} {+...} {/..} {/...} {##} {0#} {0%}
//           {:-default} {:N} {:N:M} {#pat} {##pat} {%pat} {%%pat}
//           {/pat/repl} {//pat/repl} {/#pat/repl} {/%pat/repl} {^pat}
//           {^^pat} {,pat} {,,pat} {choose_k} {uniq} {slot}
//     --rpl 'TAG perl', --parens, -I and --extensionreplace... respell them.
//
// A job with several inputs (-n, -m, -X, -N) gives each string once per input,
// the values joined by spaces and each quoted on its own; a positional
// string ({2}, {#}: parallel's {#} is "the first input's") once. With -X or -N
// (ReplacementRules::context) the whole word around a string is repeated
// per input instead: x{}y is "xay xby". The exact rules, and those of the
// Perl, are GNU parallel's (replace_placeholders, Arg::replace).
//
// The Perl runs in one helper process (lib/perl_eval.h), started when a
// line first needs it; a line without Perl never starts it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "replacement_rules.h"

namespace prockit {

struct JobInput {
    // The job's arguments, each a record of fields: one field per input
    // source (::: groups, -a files, linked or crossed) or per --colsep
    // column. One record per job unless -n/-N/-m/-X/--xargs give it several.
    std::vector<std::vector<std::string>> records;
    unsigned long long seq = 0;
    unsigned slot = 0;
    // The number of jobs in all, for {##} and {0#}: filled by the source
    // when Expansion::needs_total() says a string uses it (0: unknown).
    unsigned long long total = 0;
    // All fields of all records, in order: what {N} numbers.
    std::vector<std::string> flat() const;
};

// What the options say about the replacement strings.
struct ReplacementRules {
    bool plus = false;              // --plus
    std::string parens = "{==}";    // --parens: the halves open and close Perl
    // -I, --extensionreplace (--er), --basenamereplace (--bnr),
    // --dirnamereplace (--dnr), --basenameextensionreplace (--bner),
    // --seqreplace, --slotreplace: the string's new spelling.
    std::string input = "{}", extension = "{.}", basename = "{/}", dirname = "{//}",
                basename_extension = "{/.}", seq = "{#}", slot = "{%}";
    std::vector<std::string> rpl;   // --rpl 'TAG perl', in the order given
    std::vector<std::string> filter;  // --filter PERL: a job runs only if each is true
    // --header (package C): the names of the input sources or --colsep
    // columns, in order: {name} is {1} for the first.
    std::vector<std::string> column_names;
    bool context = false;           // -X and -N (package C): the word around a string repeats per input
    unsigned jobs = 0;              // -j as run, for {0%}'s width
    bool perl = true;               // false: a line with Perl is refused (fuzzing)
};

// One command line's replacement strings. A malformed one (a position
// past 64 bits), or Perl that does not compile, is Error(Exit::usage) here,
// before any job starts.
class Expansion {
public:
    Expansion(std::string line, const ReplacementRules& rules);
    bool has_replacement() const { return has_replacement_; }
    // A string in the first word (up to a space, tab, newline or '='): GNU
    // parallel then quotes no value (the input is the command).
    bool starts_with_replacement() const { return starts_with_replacement_; }
    bool uses_perl() const { return uses_perl_; }
    bool needs_total() const { return needs_total_; }
    // The line with each replacement string replaced by its value for
    // `in`: shell-quoted as GNU parallel quotes (Q) when `quote` (a shell
    // command line), else verbatim (an argv word, --tagstring). A value
    // that Perl marked uq() is never quoted. `skip`, when given, is set if
    // the Perl called skip(). A die in the Perl is Error(Exit::usage).
    std::string expand(const JobInput& in, bool quote, bool* skip = nullptr) const;

private:
    struct Values;
    std::string walk(const std::vector<std::string>& args, const Values& v, bool quote) const;
    std::string walk_context(const std::vector<std::string>& args, const Values& v, bool quote) const;

    std::vector<Piece> pieces_;
    bool context_ = false, has_replacement_ = false, starts_with_replacement_ = false;
    bool uses_perl_ = false, needs_total_ = false;
    unsigned jobs_ = 0;
};

// The command's words as GNU parallel takes them (its merge_rpl_parts): a
// word that opens {= without closing it is joined, by spaces, with the
// words after it up to one that closes it, so that '{=' '$_=uc' '=}' is
// the one string {= $_=uc =}.
std::vector<std::string> join_perl_words(std::vector<std::string> words, const ReplacementRules& rules);

// Whether a job whose line was composed must not run, as GNU parallel
// skips it (its command becomes `true`, its exit value -2): its Perl
// called skip(), or a --filter is false for it. The filters are those of
// the first Expansion made with any: each replaced (values unquoted) and
// run as Perl.
bool job_skipped(const JobInput& in);

// `s` quoted for /bin/sh: unchanged if it is safe as it is, else in single
// quotes (with ' written as '\'').
std::string shell_quote(std::string_view s);

// `s` quoted as GNU parallel quotes a value (its Q()): unchanged if only
// [-_.+a-zA-Z0-9/], '' if empty, else in single quotes with ' as '"'"'.
std::string parallel_quote(std::string_view s);

}  // namespace prockit
