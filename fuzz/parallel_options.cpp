// lib/parallel_options and lib/job_results: $PARALLEL's words, --tagstring's
// escapes, durations and --termseq from any bytes, and the .csv/.json
// records of --results. Properties: words quoted back and split again are
// the same words; a .csv field reads back as the value; a .json string
// holds no raw control byte.
#include <cstring>
#include <string>
#include <vector>

#include "diag.h"
#include "fuzz.h"
#include "job_results.h"
#include "parallel_options.h"

using namespace prockit;

namespace {

// A word double-quoted for shellwords, \ and " escaped. (Single quotes
// cannot hold a trailing backslash: \' does not end them.)
std::string quote(const std::string& w) {
    std::string q = "\"";
    for (char c : w) {
        if (c == '\\' || c == '"') q += '\\';
        q += c;
    }
    return q + "\"";
}

// A .csv field as a reader takes it: quoted fields lose their quotes and
// their doubled quotes.
std::string unquote_csv(const std::string& f) {
    if (f.empty() || f[0] != '"') return f;
    if (f.size() < 2 || f.back() != '"') std::abort();
    std::string v;
    for (size_t i = 1; i + 1 < f.size(); ++i) {
        if (f[i] == '"') {
            if (f[i + 1] != '"') std::abort();
            ++i;
        }
        v += f[i];
    }
    return v;
}

template <class F>
void usage_or_nothing(F f) {
    try {
        f();
    } catch (const Error& e) {
        if (e.status() != Exit::usage) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    usage_or_nothing([&] {
        std::vector<std::string> words = parallel_env_words(text);
        std::string again;
        for (const std::string& w : words) again += quote(w) + " ";
        if (parallel_env_words(again) != words) std::abort();
    });
    (void)unquote_printf(text);
    std::string z = text.substr(0, text.find('\0'));
    usage_or_nothing([&] { (void)parse_duration(z.c_str(), "delay"); });
    usage_or_nothing([&] { (void)parse_termseq(z.c_str()); });
    for (char sep : {',', '\t'})
        if (unquote_csv(csv_field(text, sep)) != text) std::abort();
    ResultRow r;
    r.values = {text};
    r.out = text;
    std::string json = json_line(r);
    for (unsigned char c : json)
        if (c < 32 && c != '\n') std::abort();
    (void)results_subdir({{text, text}}, {});
    return 0;
}
