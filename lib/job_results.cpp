#include "job_results.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <climits>
#include <cstdlib>
#include <strings.h>

#include "diag.h"
#include "owned_path.h"

namespace prockit {

ResultsKind results_kind(std::string_view name) {
    auto ends = [&](const char* suffix) {
        size_t n = std::char_traits<char>::length(suffix);
        return name.size() >= n && strncasecmp(name.data() + name.size() - n, suffix, n) == 0;
    };
    return ends(".csv") ? ResultsKind::csv : ends(".tsv") ? ResultsKind::tsv : ends(".json") ? ResultsKind::json : ResultsKind::dir;
}

namespace {

// A value (or a --header name) as a directory name: \ / TAB NUL as \\ \_
// \t \0, as parallel; unlike parallel, `.` and `..` as \. and \.\., so
// that no input names a directory outside DIR (an empty one stays in DIR,
// as parallel's DIR/1//stdout: kept). A value
// longer than a file name can be is cut, as parallel cuts it.
std::string dir_name(std::string_view v) {
    if (v == "." || v == "..") return v == "." ? "\\." : "\\.\\.";
    std::string s;
    for (char c : v) {
        switch (c) {
            case '\\': s += "\\\\"; break;
            case '\t': s += "\\t"; break;
            case '\0': s += "\\0"; break;
            case '/': s += "\\_"; break;
            default: s += c;
        }
    }
    if (s.size() > NAME_MAX) s.resize(NAME_MAX);
    return s;
}

// Perl's numeric value of a name ("10" is 10, "a" is 0), by which the
// names are sorted first.
double perl_number(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

bool perl_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string json_quote(std::string_view v) {
    std::string s;
    for (char c : v) {
        auto u = static_cast<unsigned char>(c);
        if (c == '\\') s += "\\\\";
        else if (c == '"') s += "\\\"";
        else if (u < 32) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            s += buf;
        } else s += c;
    }
    return s;
}

// Seconds as parallel prints them: "%.3f".
std::string millis(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

}  // namespace

std::string results_subdir(const std::vector<std::vector<std::string>>& records, const std::vector<std::string>& header) {
    std::string path;
    for (const auto& rec : records) {
        std::vector<size_t> cols(rec.size());
        std::vector<std::string> names(rec.size());
        for (size_t i = 0; i < rec.size(); ++i) {
            cols[i] = i;
            names[i] = i < header.size() ? header[i] : std::to_string(i + 1);
        }
        std::stable_sort(cols.begin(), cols.end(), [&](size_t a, size_t b) {
            double x = perl_number(names[a]), y = perl_number(names[b]);
            return x != y ? x < y : names[a] < names[b];
        });
        for (size_t i : cols) path += (path.empty() ? "" : "/") + dir_name(names[i]) + "/" + dir_name(rec[i]);
    }
    return path;
}

std::string csv_field(std::string_view v, char sep) {
    bool quote = false;
    std::string s;
    for (char c : v) {
        if (c == '"') s += '"';
        quote = quote || c == '"' || c == sep || c == '\0' || perl_space(c);
        s += c;
    }
    return quote ? "\"" + s + "\"" : s;
}

std::string csv_header(size_t values, const std::vector<std::string>& header, char sep) {
    std::string line;
    for (const char* f : {"Seq", "Host", "Starttime", "JobRuntime", "Send", "Receive", "Exitval", "Signal", "Command"})
        line += std::string(f) + sep;
    for (size_t i = 0; i < values; ++i)
        line += csv_field(i < header.size() ? header[i] : "V" + std::to_string(i + 1), sep) + sep;
    return line + "Stdout" + sep + "Stderr\n";
}

std::string csv_line(const ResultRow& r, char sep) {
    const JoblogRecord& j = r.job;
    std::string line = std::to_string(j.seq) + sep + ":" + sep + millis(j.start) + sep + millis(j.runtime) +
                       sep + std::to_string(j.sent) + sep + std::to_string(j.received) + sep + std::to_string(j.exitval) + sep +
                       std::to_string(j.signal) + sep + csv_field(j.command, sep) + sep;
    for (const std::string& v : r.values) line += csv_field(v, sep) + sep;
    return line + csv_field(r.out, sep) + sep + csv_field(r.err, sep) + "\n";
}

std::string json_line(const ResultRow& r) {
    const JoblogRecord& j = r.job;
    std::string values;
    for (const std::string& v : r.values) values += (values.empty() ? "\"" : ",\"") + json_quote(v) + "\"";
    return "{ \"Seq\": " + std::to_string(j.seq) + ", \"Host\": \":\", \"Starttime\": " + millis(j.start) +
           ", \"JobRuntime\": " + millis(j.runtime) + ", \"Send\": " + std::to_string(j.sent) + ", \"Receive\": " + std::to_string(j.received) +
           ", \"Exitval\": " + std::to_string(j.exitval) + ", \"Signal\": " + std::to_string(j.signal) + ", \"Command\": \"" +
           json_quote(j.command) + "\", \"V\": [ " + values + " ], \"Stdout\": \"" + json_quote(r.out) +
           "\", \"Stderr\": \"" + json_quote(r.err) + "\" }\n";
}

std::string make_par_file(int& fd) {
    return make_par_name("--files", ".par", [&fd](const std::string& name) {
        fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        return fd >= 0;
    });
}

// A template's `..` and a leading `/` are the user's; one more of them
// came from an input, which would then choose where pool-run writes.
void check_results_name(const std::string& tmpl, const std::string& name) {
    auto climbs = [](const std::string& p) {
        size_t n = 0;
        for (size_t i = 0; i <= p.size();) {
            size_t end = std::min(p.find('/', i), p.size());
            n += p.compare(i, end - i, "..") == 0;
            i = end + 1;
        }
        return n;
    };
    bool absolute = !name.empty() && name[0] == '/', was = !tmpl.empty() && tmpl[0] == '/';
    if (climbs(name) > climbs(tmpl) || (absolute && !was))
        throw Error(Exit::failure, "--results: the inputs make the name '" + name + "' leave " + tmpl + "'s place (.. or /)");
}

}  // namespace prockit
