// The native replacement strings (lib/replacement_rules.h): each function
// is the Perl of GNU parallel's table written out, with Perl's rules for
// '.' (not a newline) and '$' (the end, or before a final newline), so
// that an input holding newlines (-0) gives what parallel gives.
#include <cmath>
#include <cstdio>

#include "replacement.h"
#include "replacement_rules.h"

namespace prockit {

namespace {

constexpr size_t npos = std::string::npos;

// s:.*X:: for a one-character X: the first line holding X loses all up to
// its last X ('.' does not match a newline). False if no line holds one.
bool cut_through_last(std::string& s, char x) {
    for (size_t start = 0;;) {
        size_t nl = s.find('\n', start), end = nl == npos ? s.size() : nl;
        size_t at = end > start ? s.rfind(x, end - 1) : npos;
        if (at != npos && at >= start) {
            s.erase(start, at + 1 - start);
            return true;
        }
        if (nl == npos) return false;
        start = nl + 1;
    }
}

// s:.*$:: : the last line goes (before a final newline, which stays).
void cut_last_line(std::string& s) {
    size_t end = !s.empty() && s.back() == '\n' ? s.size() - 1 : s.size();
    size_t nl = end > 0 ? s.rfind('\n', end - 1) : npos;
    size_t start = nl == npos ? 0 : nl + 1;
    if (start <= end) s.erase(start, end - start);
}

// The n-th last '.' such that nothing after it holds a '/' (npos if none):
// where s:\.[^/.]*(\.[^/.]*){n-1}$:: cuts.
size_t nth_last_dot(const std::string& s, int n) {
    size_t slash = s.rfind('/');
    size_t at = s.size();
    for (int i = 0; i < n; ++i) {
        if (at == 0) return npos;
        at = s.rfind('.', at - 1);
        if (at == npos || (slash != npos && slash > at)) return npos;
    }
    return at;
}

std::string strip_extensions(std::string s, int n) {
    size_t at = nth_last_dot(s, n);
    if (at != npos) s.erase(at);
    return s;
}

// {+..} {+...}: s:.*\.(n extensions)$:$1: || s:.*$::
std::string extensions(std::string s, int n) {
    size_t at = nth_last_dot(s, n);
    if (at == npos) {
        cut_last_line(s);
        return s;
    }
    size_t nl = at > 0 ? s.rfind('\n', at - 1) : npos;
    size_t start = nl == npos ? 0 : nl + 1;
    s.erase(start, at + 1 - start);
    return s;
}

// {+.}: s:.*\.:: || s:.*$:: (not anchored: "a.b/c" gives "b/c")
std::string extension_plus(std::string s) {
    if (!cut_through_last(s, '.')) cut_last_line(s);
    return s;
}

std::string basename_of(std::string s) {
    cut_through_last(s, '/');
    return s;
}

// File::Basename::dirname on Unix.
std::string dirname_of(const std::string& path) {
    auto parse = [](const std::string& p, std::string& dir) {
        size_t slash = p.rfind('/');
        dir = slash == npos ? "./" : p.substr(0, slash + 1);
        return slash == npos ? p : p.substr(slash + 1);
    };
    auto strip = [](std::string& d) {
        while (d.size() > 1 && d.back() == '/') d.pop_back();
    };
    std::string dir, base = parse(path, dir);
    strip(dir);
    if (base.empty()) {
        std::string again = dir;
        parse(again, dir);
        strip(dir);
    }
    return dir;
}

// {+/}: s:/[^/]*$:: || s:.*$::
std::string dirname_plus(std::string s) {
    size_t slash = s.rfind('/');
    if (slash != npos) s.erase(slash);
    else cut_last_line(s);
    return s;
}

// A number of \d+ as Perl reads it, cut to what a string can hold.
size_t count_of(const std::string& digits) {
    size_t n = 0;
    for (char c : digits) n = n > (npos - 9) / 10 ? npos : n * 10 + static_cast<size_t>(c - '0');
    return n;
}

std::string padded(unsigned long long value, double width_of) {
    int width = 1 + static_cast<int>(std::log(width_of) / std::log(10));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%0*llu", width < 1 ? 1 : width > 40 ? 40 : width, value);
    return buf;
}

}  // namespace

// One case per native string: a table.
std::string native_value(const Piece& p, const std::string& arg, const JobInput& in, unsigned jobs) {
    switch (p.native) {
        case Native::perl:
        case Native::input: return arg;
        case Native::extension: return strip_extensions(arg, 1);
        case Native::basename: return basename_of(arg);
        case Native::dirname: return dirname_of(arg);
        case Native::basename_extension: return strip_extensions(basename_of(arg), 1);
        case Native::seq: return std::to_string(in.seq);
        case Native::slot: return std::to_string(in.slot);
        case Native::dirname_plus: return dirname_plus(arg);
        case Native::extension_plus: return extension_plus(arg);
        case Native::extension2_plus: return extensions(arg, 2);
        case Native::extension3_plus: return extensions(arg, 3);
        case Native::extension2: return strip_extensions(arg, 2);
        case Native::extension3: return strip_extensions(arg, 3);
        case Native::basename_extension2: return strip_extensions(basename_of(arg), 2);
        case Native::basename_extension3: return strip_extensions(basename_of(arg), 3);
        case Native::total: return std::to_string(in.total);
        case Native::slot_padded: return padded(in.slot, jobs ? jobs : 1);
        case Native::seq_padded: return in.total ? padded(in.seq, static_cast<double>(in.total)) : std::to_string(in.seq);
        case Native::or_default: return arg.empty() || arg == "0" ? p.groups.at(0) : arg;
        case Native::from: return arg.substr(std::min(arg.size(), count_of(p.groups.at(0))));
        case Native::substring: {
            size_t from = count_of(p.groups.at(0));
            return from > arg.size() ? "" : arg.substr(from, count_of(p.groups.at(1)));
        }
        case Native::unquoted_text: return p.groups.at(0);
    }
    return arg;
}

}  // namespace prockit
