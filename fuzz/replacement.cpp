// Expansion (lib/replacement.h) on any line and any inputs: a line is
// refused with Error(Exit::usage) (a position past 64 bits) or found; a
// found one expands the same twice, gives back a line with no string
// unchanged, and with quoting gives each value as one shell word
// (parallel_quote of any text reads back as that text). Perl is off
// (ReplacementRules::perl): a line with {= =} is refused, as fuzzing must
// not start processes; the strings computed natively are all reached.
//
// The bytes: flags (1 --plus, 2 -X, 4 quote, 8 -I ,,), the seq, the slot,
// then NUL-separated fields: the line, then the inputs (one record each,
// or with flag 16 one record of them all).
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag.h"
#include "fuzz.h"
#include "replacement.h"

namespace {
// What /bin/sh makes of one word of '...', "'" and plain bytes (all that
// parallel_quote() writes).
std::optional<std::string> unquote(std::string_view w) {
    std::string out;
    for (size_t i = 0; i < w.size();) {
        if (w[i] == '\'' || w[i] == '"') {
            size_t close = w.find(w[i], i + 1);
            if (close == std::string_view::npos) return std::nullopt;
            out.append(w.substr(i + 1, close - i - 1));
            i = close + 1;
        } else {
            out += w[i++];
        }
    }
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // A template is a command line: std::regex (the --plus strings' groups)
    // recurses per byte it matches, so the line is kept to a sane length.
    if (size < 3 || size > 1024) return 0;
    prockit::ReplacementRules rules;
    rules.perl = false;
    rules.plus = data[0] & 1;
    rules.context = data[0] & 2;
    bool quote = data[0] & 4;
    if (data[0] & 8) rules.input = ",,";
    rules.jobs = data[2];
    std::vector<std::string> fields = fuzz::split_nul(std::string_view(reinterpret_cast<const char*>(data + 3), size - 3));
    prockit::JobInput in;
    in.seq = data[1];
    in.slot = data[2];
    in.total = data[1] + data[2];
    std::string line = fields[0];
    if (data[0] & 16) in.records.emplace_back(fields.begin() + 1, fields.end());
    else
        for (size_t i = 1; i < fields.size(); ++i) in.records.push_back({fields[i]});

    for (size_t i = 1; i < fields.size(); ++i) {
        std::string q = prockit::parallel_quote(fields[i]);
        if (unquote(q) != fields[i]) std::abort();
    }

    std::optional<prockit::Expansion> e;
    try {
        e.emplace(line, rules);
    } catch (const prockit::Error& err) {
        if (err.status() != prockit::Exit::usage) std::abort();
        return 0;
    }
    std::string once = e->expand(in, quote), twice = e->expand(in, quote);
    if (once != twice) std::abort();
    if (!e->has_replacement() && once != line) std::abort();
    if (e->uses_perl()) std::abort();
    return 0;
}
