#include "command_template.h"

#include "diag.h"
#include "shell_words.h"

namespace prockit {

CommandTemplate::CommandTemplate(std::vector<std::string> words, ShellChoice how, const ReplacementRules& rules)
    : how_(std::move(how)) {
    for (std::string& w : join_perl_words(std::move(words), rules)) {  // '{=' 'perl' '=}' is one string
        words_.emplace_back(std::move(w), rules);
        has_replacement_ = has_replacement_ || words_.back().has_replacement();
    }
    // Whether jobs take a shell, for the process limit: the line of an
    // input that is one plain word tells, as every input is quoted to one.
    if (how_.mode == Shell::never) {
        uses_shell_ = false;
    } else if (how_.mode == Shell::automatic && how_.shell.knows_simple && !words_.empty()) {
        JobInput sample;
        sample.records = {{"x"}};
        try {
            std::optional<std::vector<std::string>> w = plain_words(line(sample));
            uses_shell_ = !w || !how_.shell.would_exec(*w);
        } catch (const Error&) {
            uses_shell_ = true;
        }
    }
}

bool CommandTemplate::needs_total() const {
    for (const Expansion& w : words_)
        if (w.needs_total()) return true;
    return false;
}

// The words as given, each substituted word one argument (--no-shell).
std::vector<std::string> CommandTemplate::words(const JobInput& in) const {
    std::vector<std::string> v;
    for (const Expansion& w : words_) v.push_back(w.expand(in, false));
    if (!has_replacement_) {
        std::vector<std::string> all = in.flat();
        v.insert(v.end(), all.begin(), all.end());
    }
    if (v.empty()) v.emplace_back();  // no command at all: not found
    return v;
}

// --shellquote: the job prints its line, quoted once per --shellquote, with
// the command GNU parallel wraps it in (its Job::wrapped); -v, the joblog and
// --dry-run show the line unwrapped, as parallel's (display()).
std::string CommandTemplate::line(const JobInput& in) const {
    std::string l = composed(in);
    if (how_.shellquote == 0) return l;
    for (unsigned i = 0; i < how_.shellquote; ++i) l = parallel_quote(l);
    return "perl -e '$,=\" \"; print \"@ARGV\\n\";' -- " + parallel_quote(l);
}

std::string CommandTemplate::composed(const JobInput& in) const {
    std::string l;
    auto add = [&l](const std::string& part) {
        if (!l.empty()) l += ' ';
        l += part;
    };
    if (words_.empty()) {
        for (const std::string& f : in.flat()) add(how_.quote ? parallel_quote(f) : f);  // each input is a command
        return l;
    }
    // A replacement string in the first word: the input is (part of) the
    // command, and parallel quotes no value of the line.
    bool quote_values = !words_[0].starts_with_replacement();
    for (const Expansion& w : words_) add(how_.quote ? parallel_quote(w.expand(in, false)) : w.expand(in, quote_values));
    if (!has_replacement_) {
        // -N0's record has no field; parallel appends its {}, empty, after a
        // space all the same: "echo a " in -v and the joblog. (A --pipe job
        // has no record, and no space.)
        if (!in.records.empty() && in.flat().empty()) l += ' ';
        for (const std::string& f : in.flat()) add(parallel_quote(f));
    }
    return l;
}

std::vector<std::string> CommandTemplate::argv(const JobInput& in, bool shell) const {
    if (how_.mode == Shell::never && how_.shellquote == 0) return words(in);
    std::string l = line(in);
    if (how_.mode == Shell::automatic && how_.shell.knows_simple && !shell) {
        std::optional<std::vector<std::string>> w = plain_words(l);
        if (w && how_.shell.would_exec(*w)) return std::move(*w);
    }
    return {how_.shell.path, "-c", std::move(l)};
}

std::string CommandTemplate::display(const JobInput& in) const {
    if (how_.mode != Shell::never || how_.shellquote > 0) return composed(in);
    std::string l;
    for (const std::string& w : words(in)) l += (l.empty() ? "" : " ") + parallel_quote(w);
    return l;
}

}  // namespace prockit
