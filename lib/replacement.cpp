#include "replacement.h"

#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "diag.h"
#include "perl_eval.h"

namespace prockit {

namespace {

bool is_separator(const Piece& p) { return p.literal && (p.text == " " || p.text == "\t"); }

// For -X: every space and tab its own literal, as parallel's tokens, so
// that a walk sees where each word around a string ends.
std::vector<Piece> split_words(std::vector<Piece> pieces) {
    std::vector<Piece> out;
    for (Piece& p : pieces) {
        if (!p.literal) {
            out.push_back(std::move(p));
            continue;
        }
        size_t start = 0;
        for (size_t i = 0; i <= p.text.size(); ++i) {
            if (i < p.text.size() && p.text[i] != ' ' && p.text[i] != '\t') continue;
            if (i > start) out.push_back(Piece::of_text(p.text.substr(start, i - start)));
            if (i < p.text.size()) out.push_back(Piece::of_text(p.text.substr(i, 1)));
            start = i + 1;
        }
    }
    return out;
}

// Which of n inputs a positional piece names, as parallel indexes its
// array: N > 0 the Nth, else n+N, which Perl wraps once more when negative.
std::optional<size_t> input_index(const std::string& position, size_t n) {
    bool negative = position[0] == '-';
    uint64_t k = 0;
    std::from_chars(position.data() + negative, position.data() + position.size(), k);  // checked by find_pieces
    if (!negative && k > 0) return k - 1 < n ? std::optional<size_t>(k - 1) : std::nullopt;
    if (k > n) k -= n;  // Perl's one wrap of a negative index
    if (k > n) return std::nullopt;
    return k == 0 ? std::nullopt : std::optional<size_t>(n - k);
}

}  // namespace

std::vector<std::string> JobInput::flat() const {
    std::vector<std::string> all;
    for (const std::vector<std::string>& r : records) all.insert(all.end(), r.begin(), r.end());
    return all;
}

std::string shell_quote(std::string_view s) {
    if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:,+@%=") ==
                          std::string_view::npos)
        return std::string(s);
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string parallel_quote(std::string_view s) {
    if (s.empty()) return "''";
    if (s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+/") == std::string_view::npos)
        return std::string(s);
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
    q += "'";
    if (q.starts_with("''")) q.erase(0, 2);
    if (q.size() >= 2 && q.ends_with("''")) q.erase(q.size() - 2);
    return q;
}

namespace {
// --filter, once for the run (job_skipped): kept by the first Expansion
// or command made with the rules that have them.
std::vector<Expansion>* g_filters = nullptr;
void keep_filters(const ReplacementRules& rules);
}  // namespace

Expansion::Expansion(std::string line, const ReplacementRules& rules) : context_(rules.context), jobs_(rules.jobs) {
    pieces_ = find_pieces(std::move(line), rules, make_rules(rules));
    bool first_word = true;
    for (Piece& p : pieces_) {
        if (p.literal) {
            first_word = first_word && p.text.find_first_of(" \t\n=") == std::string::npos;
            continue;
        }
        has_replacement_ = true;
        starts_with_replacement_ = starts_with_replacement_ || first_word;
        needs_total_ = needs_total_ || p.native == Native::total || p.native == Native::seq_padded ||
                       (p.native == Native::perl && p.code.find("total_jobs") != std::string::npos);
        if (p.native != Native::perl) continue;
        uses_perl_ = true;
        if (!rules.perl) throw Error(Exit::usage, "cannot use " + p.text + ": no Perl here");
        p.sub = PerlEval::instance().compile(p.code, p.text);
    }
    if (context_) pieces_ = split_words(std::move(pieces_));
    keep_filters(rules);
}

struct Expansion::Values {
    const JobInput& in;
    std::vector<std::string> args;  // the job's inputs; one empty one if it has none, as parallel
    std::map<std::pair<size_t, size_t>, PerlEval::Value> perl;  // by (sub, input)
    unsigned jobs;
    bool noarg = false;  // -N 0: records of no field, parallel's "\0noarg" (C)

    // The piece's value for input i (none: "", unquoted, as parallel).
    std::string of(const Piece& p, std::optional<size_t> i, bool quote) const {
        if (!i) return "";
        if (p.native != Native::perl) {
            std::string s = native_value(p, args[*i], in, jobs);
            if (noarg && s.empty()) return s;  // nothing, not a quoted empty string
            return quote && p.native != Native::unquoted_text ? parallel_quote(s) : s;
        }
        const PerlEval::Value& v = perl.at({p.sub, *i});
        return quote && !v.unquoted ? parallel_quote(v.text) : v.text;
    }
};

std::string Expansion::expand(const JobInput& in, bool quote, bool* skip) const {
    Values v{in, in.flat(), {}, jobs_};
    if (v.args.empty()) v.args.emplace_back();
    v.noarg = !in.records.empty() && in.flat().empty();
    size_t n = v.args.size();
    // Job numbers start at 1: seq 0 is a sample line (the template asking
    // what a line looks like), for which no user Perl runs, as it may count.
    if (uses_perl_ && in.seq == 0) {
        for (const Piece& p : pieces_)
            if (!p.literal && p.native == Native::perl)
                for (size_t i = 0; i < n; ++i) v.perl[{p.sub, i}] = PerlEval::Value{v.args[i], false};
    } else if (uses_perl_) {
        std::vector<PerlEval::Call> calls;
        auto want = [&](size_t sub, size_t i) {
            if (v.perl.try_emplace({sub, i}).second) calls.push_back({sub, i});
        };
        for (const Piece& p : pieces_) {
            if (p.literal || p.native != Native::perl) continue;
            if (!p.positional()) {
                for (size_t i = 0; i < n; ++i) want(p.sub, i);
            } else if (std::optional<size_t> i = input_index(p.position, n)) {
                want(p.sub, *i);
            }
        }
        bool skipped = false;
        std::vector<PerlEval::Value> values =
            PerlEval::instance().evaluate({&v.args, in.seq, in.total, in.slot}, calls, skipped);
        for (size_t c = 0; c < calls.size(); ++c) v.perl[{calls[c].sub, calls[c].arg}] = std::move(values[c]);
        if (skip) *skip = skipped;
    }
    return context_ ? walk_context(v.args, v, quote) : walk(v.args, v, quote);
}

// Each string once per input (a positional one once), values joined by spaces.
std::string Expansion::walk(const std::vector<std::string>& args, const Values& v, bool quote) const {
    std::string out;
    for (const Piece& p : pieces_) {
        if (p.literal) {
            out += p.text;
        } else if (p.positional()) {
            out += v.of(p, input_index(p.position, args.size()), quote);
        } else {
            for (size_t i = 0; i < args.size(); ++i) {
                if (i) out += ' ';
                out += v.of(p, i, quote);
            }
        }
    }
    return out;
}

// -X: each word holding a string repeats once per input (once if all its
// strings are positional), the copies joined by spaces.
std::string Expansion::walk_context(const std::vector<std::string>& args, const Values& v, bool quote) const {
    std::string out;
    for (size_t i = 0; i < pieces_.size();) {
        if (is_separator(pieces_[i])) {
            out += pieces_[i++].text;
            continue;
        }
        size_t end = i;
        bool any = false, normal = false;
        for (; end < pieces_.size() && !is_separator(pieces_[end]); ++end) {
            any = any || !pieces_[end].literal;
            normal = normal || (!pieces_[end].literal && !pieces_[end].positional());
        }
        for (size_t a = 0; a < (any ? args.size() : 1); ++a) {
            if (a) out += ' ';
            for (size_t k = i; k < end; ++k) {
                const Piece& p = pieces_[k];
                if (p.literal) out += p.text;
                else out += v.of(p, p.positional() ? input_index(p.position, args.size()) : std::optional<size_t>(a), quote);
            }
            if (!normal) break;
        }
        i = end;
    }
    return out;
}

namespace {
// Whether {= is left open in w once each rightmost {= and the first =}
// after it are taken out, again and again (parallel's s/(.*)L.*?R/$1/).
bool left_open(std::string w, const std::string& left, const std::string& right) {
    for (size_t open; (open = w.rfind(left)) != std::string::npos;) {
        size_t close = w.find(right, open + left.size());
        while (close == std::string::npos && open > 0) {  // the rightmost {= with a =} after it
            open = w.rfind(left, open - 1);
            if (open == std::string::npos) return true;
            close = w.find(right, open + left.size());
        }
        if (close == std::string::npos) return true;
        w.erase(open, close + right.size() - open);
    }
    return false;
}
}  // namespace

std::vector<std::string> join_perl_words(std::vector<std::string> words, const ReplacementRules& rules) {
    keep_filters(rules);  // a command of no words makes no Expansion
    size_t half = rules.parens.size() / 2;
    std::string left = rules.parens.substr(0, half), right = rules.parens.substr(half);
    if (left.empty() || right.empty()) return words;
    std::vector<std::string> out;
    for (size_t i = 0; i < words.size(); ++i) {
        std::string w = std::move(words[i]);
        while (left_open(w, left, right) && i + 1 < words.size()) w += " " + words[++i];
        out.push_back(std::move(w));
    }
    return out;
}

namespace {
void keep_filters(const ReplacementRules& rules) {
    if (g_filters || rules.filter.empty()) return;
    ReplacementRules plain = rules;
    plain.filter.clear();
    static std::vector<Expansion> filters;
    for (const std::string& f : rules.filter) filters.emplace_back(f, plain);
    PerlEval::instance();  // a filter is Perl: the helper starts now, not mid-run
    g_filters = &filters;
}
}  // namespace

bool job_skipped(const JobInput& in) {
    if (PerlEval::running() && PerlEval::instance().skipped(in.seq, in.slot)) return true;
    if (!g_filters) return false;
    std::vector<std::string> args = in.flat();
    for (const Expansion& f : *g_filters)
        if (!PerlEval::instance().filter({&args, in.seq, in.total, in.slot}, f.expand(in, false))) return true;
    return false;
}

}  // namespace prockit
