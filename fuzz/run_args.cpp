// pool-run's operand grammar and option checks (lib/run_args.h) over any
// words: the input is words separated by NUL, the first byte choosing the
// options that change the grammar (--retry-failed, --from, --idle, -a).
// Properties: the command is the words before the first separator; every
// word after it is in exactly one group, in order; each ::: makes one
// group and each :::: one per FILE (one empty one for none), linked to the
// source before it when the separator is :::+ or ::::+; the checks
// answer with a usage Error or not at all; --halt, -j and --timeout
// values parse or are refused with a usage Error.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "diag.h"
#include "fuzz.h"
#include "run_args.h"

using namespace prockit;

namespace {

// ::: :::: and their linking forms :::+ ::::+.
bool separator(const std::string& w) { return w == ":::" || w == "::::" || w == ":::+" || w == "::::+"; }
bool files_separator(const std::string& w) { return w == "::::" || w == "::::+"; }

void check_grammar(const RunArgs& a, const std::vector<std::string>& words) {
    size_t first = 0;
    while (first < words.size() && !separator(words[first])) ++first;
    std::vector<std::string> command(words.begin(), words.begin() + static_cast<long>(first));
    if (a.command != (a.pool.retry_failed ? std::vector<std::string>{} : command)) std::abort();

    // Rebuild the groups from the words, as the grammar states them.
    std::vector<std::string> in_groups;
    size_t groups = 0;
    bool files = false, pending = false, linked = false;
    std::vector<bool> links;
    for (size_t i = first; i < words.size(); ++i) {
        if (separator(words[i])) {
            if (pending) links.push_back(linked);
            groups += pending;
            files = pending = files_separator(words[i]);
            linked = words[i].back() == '+';
            groups += !files;
            if (!files) links.push_back(linked);
        } else if (files) {
            if (!a.pool.retry_failed) ++groups, in_groups.push_back(words[i]), links.push_back(linked);
            pending = false;
        } else {
            in_groups.push_back(words[i]);
        }
    }
    if (pending) links.push_back(linked);
    groups += pending;
    if (a.groups.size() != groups) std::abort();
    // Each group links to the one before it exactly when its separator ends in '+'.
    for (size_t g = 0; g < a.groups.size(); ++g)
        if (a.groups[g].linked != links.at(g)) std::abort();
    std::vector<std::string> got;
    for (const InputGroup& g : a.groups) {
        if (g.from_file && !g.args.empty()) std::abort();  // read later; a FILE may be "" (an error then)
        if (g.from_file) got.push_back(g.file);
        else got.insert(got.end(), g.args.begin(), g.args.end());
    }
    if (got != in_groups) std::abort();
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
    if (size == 0) return 0;
    RunArgs a{};
    uint8_t flags = data[0];
    a.pool.retry_failed = flags & 1;
    if (flags & 2) a.from = "/q";
    a.idle_given = flags & 4;
    if (flags & 8) a.arg_files.push_back("f");
    a.pool.ungroup = flags & 16;
    a.pool.keep_order = flags & 32;
    if (flags & 64) a.pool.joblog = "log";
    a.pool.resume = flags & 128;

    std::vector<std::string> words(1);
    for (size_t i = 1; i < size; ++i) {
        if (data[i] == 0) words.emplace_back();
        else words.back() += static_cast<char>(data[i]);
    }
    parse_operands(a, words);
    check_grammar(a, words);
    usage_or_nothing([&] { check_options(a); });
    usage_or_nothing([&] { check_sources(a); });

    const char* w = words[0].c_str();
    usage_or_nothing([&] {
        Halt h = parse_halt(w);
        if (h.when != Halt::When::never && (h.count < 1 || (h.percent && h.count > 100))) std::abort();
    });
    usage_or_nothing([&] {
        unsigned j = parse_jobs(w, 2);
        if (j < 1) std::abort();
    });
    usage_or_nothing([&] {
        PoolOptions p;
        parse_timeout(w, p);
        if (p.timeout < 0 || p.timeout_percent < 0 || (p.timeout > 0 && p.timeout_percent > 0)) std::abort();
    });
    return 0;
}
