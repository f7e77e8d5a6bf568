#include "replacement_rules.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <map>
#include <regex>

#include "diag.h"
#include "replacement.h"

namespace prockit {

namespace {

struct Def {
    const char* key;
    const char* perl;
    Native native;
};

// GNU parallel's %Global::replace, then its %Global::plus (init_globals).
const Def kBasic[] = {
    {"{}", "", Native::input},
    {"{#}", "1 $_=$job->seq()", Native::seq},
    {"{%}", "1 $_=$job->slot()", Native::slot},
    {"{/}", "s:.*/::", Native::basename},
    {"{//}", "$Global::use{\"File::Basename\"} ||= eval \"use File::Basename; 1;\"; $_ = dirname($_);", Native::dirname},
    {"{/.}", "s:.*/::; s:\\.[^/.]*$::;", Native::basename_extension},
    {"{.}", "s:\\.[^/.]*$::", Native::extension},
};

const Def kPlus[] = {
    {"{+/}", "s:/[^/]*$:: || s:.*$::", Native::dirname_plus},
    {"{+.}", "s:.*\\.:: || s:.*$::", Native::extension_plus},
    {"{+..}", "s:.*\\.([^/.]*\\.[^/.]*)$:$1: || s:.*$::", Native::extension2_plus},
    {"{+...}", "s:.*\\.([^/.]*\\.[^/.]*\\.[^/.]*)$:$1: || s:.*$::", Native::extension3_plus},
    {"{..}", "s:\\.[^/.]*\\.[^/.]*$::", Native::extension2},
    {"{...}", "s:\\.[^/.]*\\.[^/.]*\\.[^/.]*$::", Native::extension3},
    {"{/..}", "s:.*/::; s:\\.[^/.]*\\.[^/.]*$::", Native::basename_extension2},
    {"{/...}", "s:.*/::; s:\\.[^/.]*\\.[^/.]*\\.[^/.]*$::", Native::basename_extension3},
    {"{choose_k}", "for $t (2..$#arg){ if($arg[$t-1] ge $arg[$t]) { skip() } }", Native::perl},
    {"{uniq}", "if(::uniq(@arg) != @arg) { skip(); }", Native::perl},
    {"{##}", "1 $_=total_jobs()", Native::total},
    {"{0%}", "1 $f=1+int((log($Global::max_jobs_running||1)/log(10)));$_=sprintf(\"%0${f}d\",slot())", Native::slot_padded},
    {"{0#}", "1 $f=1+int((log(total_jobs())/log(10)));$_=sprintf(\"%0${f}d\",seq())", Native::seq_padded},
    {"{:-([^}]+?)}", "$_ ||= $$1", Native::or_default},
    {"{:(\\d+?)}", "substr($_,0,$$1) = \"\"", Native::from},
    {"{:(\\d+?):(\\d+?)}", "$_ = substr($_,$$1,$$2);", Native::substring},
    {"{#([^#}][^}]*?)}", "$nongreedy=::make_regexp_ungreedy($$1);s/^$nongreedy(.*)/$1/;", Native::perl},
    {"{##([^#}][^}]*?)}", "s/^$$1//;", Native::perl},
    {"{%([^}]+?)}", "$nongreedy=::make_regexp_ungreedy($$1);s/(.*)$nongreedy$/$1/;", Native::perl},
    {"{%%([^}]+?)}", "s/$$1$//;", Native::perl},
    {"{/([^#%}/]+?)/([^}]*?)}", "s/$$1/$$2/;", Native::perl},
    {"{/#([^}]+?)/([^}]*?)}", "s/^$$1/$$2/g;", Native::perl},
    {"{/%([^}]+?)/([^}]*?)}", "s/$$1$/$$2/g;", Native::perl},
    {"{//([^}]+?)/([^}]*?)}", "s/$$1/$$2/g;", Native::perl},
    {"{^([^}]+?)}", "s/^($$1)/uc($1)/e;", Native::perl},
    {"{^^([^}]+?)}", "s/($$1)/uc($1)/eg;", Native::perl},
    {"{,([^}]+?)}", "s/^($$1)/lc($1)/e;", Native::perl},
    {"{,,([^}]+?)}", "s/($$1)/lc($1)/eg;", Native::perl},
    {"{slot}", "1 $_=\"\\${PARALLEL_JOBSLOT}\";uq()", Native::unquoted_text},
    {"{host}", "1 $_=\"\\${PARALLEL_SSHHOST}\";uq()", Native::unquoted_text},
    {"{sshlogin}", "1 $_=\"\\${PARALLEL_SSHLOGIN}\";uq()", Native::unquoted_text},
    {"{hgrp}", "1 $_=\"\\${PARALLEL_HOSTGROUPS}\";uq()", Native::unquoted_text},
    {"{agrp}", "1 $_=\"\\${PARALLEL_ARGHOSTGROUPS}\";uq()", Native::unquoted_text},
};

// parallel's split of a key: /^([^(]*)(\(.*\))?([^)]*)$/.
Rule make_rule(std::string key, std::string perl, Native native) {
    Rule r{key, key, "", "", std::move(perl), native};
    size_t open = key.find('('), close = key.rfind(')');
    if (open != std::string::npos && close != std::string::npos && close > open) {
        r.prefix = key.substr(0, open);
        r.group = key.substr(open, close - open + 1);
        r.postfix = key.substr(close + 1);
    }
    return r;
}

// parallel's rpl(): the string OLD is now spelt NEW.
void respell(std::vector<Rule>& table, const std::string& old, const std::string& now) {
    if (old == now) return;
    for (Rule& r : table)
        if (r.key == old) r = make_rule(now, r.perl, r.native);
}

void set_rpl(std::vector<Rule>& table, const std::string& rpl) {
    size_t space = rpl.find_first_of(" \t\n\r\f\v");
    std::string key = rpl.substr(0, space), perl = space == std::string::npos ? "" : rpl.substr(space + 1);
    if (key.empty()) throw Error(Exit::usage, "invalid --rpl '" + rpl + "': expected 'TAG PERL', such as '{U} $_=uc'");
    Rule r = make_rule(key, perl, Native::perl);
    if (!r.group.empty()) {
        try {
            std::regex check(r.group);
        } catch (const std::regex_error& e) {
            throw Error(Exit::usage, "invalid --rpl '" + rpl + "': " + r.group + " is not a regular expression");
        }
    }
    std::erase_if(table, [&](const Rule& old) { return old.key == key; });
    table.push_back(std::move(r));
}

}  // namespace

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A key found in a literal: where, how long, and what it captured.
struct Match {
    size_t at = std::string::npos, len = 0;
    std::string position;
    std::vector<std::string> groups;
};

// {N key}, a literal key: '{', -?\d+, \s*, then the key without its '{'.
Match find_positional(std::string_view s, std::string_view rest) {
    for (size_t i = s.find('{'); i != std::string_view::npos; i = s.find('{', i + 1)) {
        size_t j = i + 1;
        if (j < s.size() && s[j] == '-') ++j;
        size_t digits = j;
        while (j < s.size() && is_digit(s[j])) ++j;
        if (j == digits) continue;
        for (size_t k = j;; ++k) {
            if (s.substr(k, rest.size()) == rest) return {i, k + rest.size() - i, std::string(s.substr(i + 1, j - i - 1)), {}};
            if (k >= s.size() || !is_space(s[k])) break;
        }
    }
    return {};
}

Match find_regex(const std::string& s, const std::regex& re, bool positional) {
    std::smatch m;
    if (!std::regex_search(s, m, re)) return {};
    Match r{static_cast<size_t>(m.position(0)), static_cast<size_t>(m.length(0)), "", {}};
    size_t g = 1;
    if (positional) r.position = m[g++].str();
    // As parallel: the groups up to the first that matched nothing.
    for (; g < m.size() && m[g].matched; ++g) r.groups.push_back(m[g].str());
    return r;
}

std::string regex_quote(std::string_view s) {
    std::string q;
    for (char c : s) {
        if (c && std::strchr("\\^$.|?*+()[]{}", c)) q += '\\';
        q += c;
    }
    return q;
}

// ::perl_quote_scalar: for a string inside "..." in Perl.
std::string perl_quote(std::string_view s) {
    std::string q;
    for (char c : s) {
        if (c == '\\' || c == '"' || c == '$' || c == '@') q += '\\';
        q += c;
    }
    return q;
}

// parallel's content of \257<...\257>: a position (-?\d+) if it starts with
// one, then the code after any spaces (Arg::replace).
void set_content(Piece& p, std::string_view content) {
    size_t i = 0;
    if (content.size() > 1 && content[0] == '-' && is_digit(content[1])) ++i;
    size_t digits = i;
    while (i < content.size() && is_digit(content[i])) ++i;
    if (i > digits) {
        p.position = std::string(content.substr(0, i));
        // Up to 64 bits, either sign: parallel reads more as a Perl float
        // and picks an arbitrary input (or runs out of memory).
        uint64_t k;
        auto [end, ec] = std::from_chars(content.data() + digits, content.data() + i, k);
        if (ec != std::errc())
            throw Error(Exit::usage, "invalid replacement string '" + p.text + "': no input has that number");
    } else {
        i = 0;
    }
    while (i < content.size() && content[i] == ' ') ++i;
    p.code = std::string(content.substr(i));
}

Piece rule_piece(const Rule& r, const Match& m, std::string text) {
    Piece p;
    p.literal = false;
    p.text = std::move(text);
    p.native = r.native;
    p.groups = m.groups;
    std::string code;
    for (size_t i = 0; i < m.groups.size(); ++i)
        code += "$_pAr_gRp" + std::to_string(i + 1) + " = \"" + perl_quote(m.groups[i]) + "\";";
    // $$1 in the rule's code is what the first group captured.
    static const std::regex dollar_dollar(R"(\$\$(\d+))");
    code += std::regex_replace(r.perl, dollar_dollar, "$$_pAr_gRp$1");
    set_content(p, m.position + code);
    if (r.native == Native::unquoted_text) p.groups = {r.perl.substr(r.perl.find("\\$") + 1, r.perl.find("\";") - r.perl.find("\\$") - 1)};
    return p;
}

// Cuts every literal of `pieces` where `find` matches, left to right.
template <class Find>
void cut(std::vector<Piece>& pieces, const Rule& r, Find find) {
    for (size_t i = 0; i < pieces.size(); ++i) {
        if (!pieces[i].literal) continue;
        Match m = find(pieces[i].text);
        if (m.at == std::string::npos) continue;
        std::string text = std::move(pieces[i].text);
        Piece after = Piece::of_text(text.substr(m.at + m.len));
        pieces[i].text = text.substr(0, m.at);
        pieces.insert(pieces.begin() + static_cast<std::ptrdiff_t>(i) + 1, rule_piece(r, m, text.substr(m.at, m.len)));
        pieces.insert(pieces.begin() + static_cast<std::ptrdiff_t>(i) + 2, std::move(after));
        ++i;  // the next literal is what follows the match
    }
}

// A key's regex, compiled once per run: a template of many words, each an
// Expansion, would compile the same ones again.
const std::regex& compiled(const std::string& pattern) {
    static std::map<std::string, std::regex> cache;
    auto it = cache.find(pattern);
    if (it == cache.end()) it = cache.emplace(pattern, std::regex(pattern)).first;
    return it->second;
}

void cut_rule(std::vector<Piece>& pieces, const Rule& r) {
    bool any = std::any_of(pieces.begin(), pieces.end(), [&](const Piece& p) {
        return p.literal && p.text.find(r.prefix) != std::string::npos && p.text.find(r.postfix) != std::string::npos;
    });
    bool braced = r.key[0] == '{';
    if (r.group.empty()) {
        if (any) cut(pieces, r, [&](const std::string& s) { size_t at = s.find(r.key); return Match{at, r.key.size(), "", {}}; });
        if (braced) cut(pieces, r, [&](const std::string& s) { return find_positional(s, std::string_view(r.key).substr(1)); });
        return;
    }
    if (any) {
        const std::regex& re = compiled(regex_quote(r.prefix) + r.group + regex_quote(r.postfix));
        cut(pieces, r, [&](const std::string& s) { return find_regex(s, re, false); });
    }
    if (braced) {
        const std::regex& re = compiled("\\{(-?\\d+)\\s*" + regex_quote(r.prefix.substr(1)) + r.group + regex_quote(r.postfix));
        cut(pieces, r, [&](const std::string& s) { return find_regex(s, re, true); });
    }
}

}  // namespace

std::vector<Rule> make_rules(const ReplacementRules& rules) {
    std::vector<Rule> table;
    if (rules.plus)
        for (const Def& d : kPlus) table.push_back(make_rule(d.key, d.perl, d.native));
    for (const Def& d : kBasic) table.push_back(make_rule(d.key, d.perl, d.native));
    respell(table, "{}", rules.input);
    respell(table, "{.}", rules.extension);
    respell(table, "{/}", rules.basename);
    respell(table, "{//}", rules.dirname);
    respell(table, "{#}", rules.seq);
    respell(table, "{%}", rules.slot);
    respell(table, "{/.}", rules.basename_extension);
    for (const std::string& rpl : rules.rpl) set_rpl(table, rpl);
    // Longest first, as parallel: a short key may be part of a long one
    // (--rpl '% s/a/b/' --rpl '%% s/b/a/'). Ties in key order (parallel's
    // are in hash order, which varies from run to run).
    std::stable_sort(table.begin(), table.end(), [](const Rule& a, const Rule& b) {
        return a.key.size() != b.key.size() ? a.key.size() > b.key.size() : a.key < b.key;
    });
    return table;
}

namespace {

// --header: {colname} (and {colname/} {colname//} {colname.} {colname/.})
// is {N}, {=colname ...=} is {=N ...=}, N the column's number. As in
// parallel, a column named "" makes {} {N} and every {= ...=} {=N ...=}.
std::string name_columns(std::string line, const std::vector<std::string>& names, const std::string& left,
                         const std::string& right) {
    static const char* const kSuffixes[] = {"}", "/}", "//}", ".}", "/.}"};
    for (size_t id = 1; id <= names.size(); ++id) {
        const std::string& name = names[id - 1];
        std::string braced = "{" + name, opened = left + name, number = std::to_string(id);
        for (size_t at = 0; (at = line.find(braced, at)) != std::string::npos;) {
            bool known = std::any_of(std::begin(kSuffixes), std::end(kSuffixes),
                                     [&](const char* s) { return line.compare(at + braced.size(), std::strlen(s), s) == 0; });
            if (known) line.replace(at + 1, name.size(), number);
            at += known ? 1 + number.size() : 1;
        }
        for (size_t at = 0; (at = line.find(opened, at)) != std::string::npos;) {
            bool closed = line.find(right, at + opened.size()) != std::string::npos;
            if (closed) line.replace(at + left.size(), name.size(), number);
            at += closed ? left.size() + number.size() : 1;
        }
    }
    return line;
}

// {= perl =} pieces, as parallel finds them: from each {=, the shortest
// text holding neither {= nor =}, then =} (so "{={==}" is "{=" then {==}).
std::vector<Piece> find_perl(const std::string& line, const std::string& left, const std::string& right) {
    std::vector<Piece> pieces;
    size_t done = 0;
    for (size_t at = line.find(left); at != std::string::npos && !left.empty() && !right.empty();) {
        size_t j = at + left.size();
        while (j < line.size() && line.compare(j, right.size(), right) != 0 && line.compare(j, left.size(), left) != 0) ++j;
        if (j >= line.size()) break;
        if (line.compare(j, right.size(), right) != 0) {  // another {= first: start again from it
            at = j;
            continue;
        }
        pieces.push_back(Piece::of_text(line.substr(done, at - done)));
        Piece p;
        p.literal = false;
        p.text = line.substr(at, j + right.size() - at);
        set_content(p, std::string_view(line).substr(at + left.size(), j - at - left.size()));
        pieces.push_back(std::move(p));
        done = j + right.size();
        at = line.find(left, done);
    }
    pieces.push_back(Piece::of_text(line.substr(done)));
    return pieces;
}

}  // namespace

std::vector<Piece> find_pieces(std::string line, const ReplacementRules& rules, const std::vector<Rule>& table) {
    size_t half = rules.parens.size() / 2;
    std::string left = rules.parens.substr(0, half), right = rules.parens.substr(half);
    if (!rules.column_names.empty()) line = name_columns(std::move(line), rules.column_names, left, right);
    std::vector<Piece> pieces = find_perl(line, left, right);
    for (const Rule& r : table) cut_rule(pieces, r);
    std::erase_if(pieces, [](const Piece& p) { return p.literal && p.text.empty(); });
    for (Piece& p : pieces)
        if (!p.literal && p.native == Native::perl && p.code.empty()) p.native = Native::input;
    return pieces;
}

}  // namespace prockit
