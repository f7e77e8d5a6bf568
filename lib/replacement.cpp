#include "replacement.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>

#include "diag.h"

namespace prockit {

namespace {
// The replacement strings at `at` in w: its length, or 0 if none starts there.
size_t replacement_at(std::string_view w, size_t at) {
    static const std::string_view kinds[] = {"{}", "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}"};
    for (std::string_view k : kinds)
        if (w.substr(at, k.size()) == k) return k.size();
    if (w[at] == '{') {
        size_t end = at + 1;
        while (end < w.size() && std::isdigit(static_cast<unsigned char>(w[end]))) ++end;
        if (end > at + 1 && end < w.size() && w[end] == '}') return end - at + 1;
    }
    return 0;
}

// GNU parallel's meanings, trailing slashes and dot files included:
// {/} is what follows the last '/' (s:.*/::), so "a/b/" gives "".
std::string basename_of(std::string_view p) {
    size_t slash = p.rfind('/');
    return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

std::string dirname_of(std::string_view p) {
    while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
    size_t slash = p.rfind('/');
    if (slash == std::string_view::npos) return ".";
    if (slash == 0) return "/";
    return std::string(p.substr(0, slash));
}

// {.} removes a last '.' and what follows it if that holds no '/' (and so
// no other '.'): s:\.[^/.]*$::, so ".hidden" gives "" and "a.b." "a.b".
std::string strip_extension(std::string_view p) {
    size_t dot = p.rfind('.');
    if (dot == std::string_view::npos) return std::string(p);
    if (p.find('/', dot) != std::string_view::npos) return std::string(p);
    return std::string(p.substr(0, dot));
}

// The n of a {n} replacement string (r is the whole "{n}"); none if r is
// another kind, or if n does not fit in 64 bits.
std::optional<uint64_t> input_number(std::string_view r) {
    uint64_t k = 0;
    const char* last = r.data() + r.size() - 1;
    auto [end, ec] = std::from_chars(r.data() + 1, last, k);
    if (ec != std::errc() || end != last) return std::nullopt;
    return k;
}

std::string joined(const std::vector<std::string>& fields) {
    std::string all;
    for (size_t i = 0; i < fields.size(); ++i) all += (i ? " " : "") + fields[i];
    return all;
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

Expansion::Expansion(std::string line, const ReplacementRules&) : line_(std::move(line)) {
    std::string_view w = line_;
    for (size_t i = 0; i < w.size(); ++i) {
        size_t n = replacement_at(w, i);
        if (!n) continue;
        has_replacement_ = true;
        // GNU parallel reads a {n} past 2^64 as a Perl float and picks
        // an arbitrary input (or runs out of memory): a usage error here.
        std::string_view r = w.substr(i, n);
        if (std::isdigit(static_cast<unsigned char>(r[1])) && !input_number(r))
            throw Error(Exit::usage, "invalid replacement string '" + std::string(r) + "': no input has that number");
    }
}

std::string Expansion::expand(const JobInput& in, bool quote) const {
    std::string_view w = line_;
    std::vector<std::string> flat = in.flat();
    std::string out;
    for (size_t i = 0; i < w.size();) {
        size_t n = replacement_at(w, i);
        if (!n) {
            out += w[i++];
            continue;
        }
        std::string_view r = w.substr(i, n);
        std::string all = joined(flat), value;
        // {0} is {} in GNU parallel (all the inputs), though {00} is empty.
        if (r == "{}" || r == "{0}") value = all;
        else if (r == "{.}") value = strip_extension(all);
        else if (r == "{/}") value = basename_of(all);
        else if (r == "{//}") value = dirname_of(all);
        else if (r == "{/.}") value = strip_extension(basename_of(all));
        else if (r == "{#}") value = std::to_string(in.seq);
        else if (r == "{%}") value = std::to_string(in.slot);
        else {
            uint64_t k = input_number(r).value_or(0);
            value = k >= 1 && k <= flat.size() ? flat[k - 1] : "";
        }
        out += quote ? shell_quote(value) : value;
        i += n;
    }
    return out;
}

}  // namespace prockit
