// Command templates (lib/command_template.h) over any words and inputs: a
// template is refused with an Error (a {N} past 2^64) or built; a built one
// gives every input an argv that is not empty: SHELL -c and the display
// line, or (the fast path) the words that plain_words() finds in that
// line, or (--no-shell) the words that plain_words() splits the display
// line back into. shell_quote() of any text is one shell word for that text.
//
// The bytes: mode (shell: automatic, always, never; +3: -q), number of
// words (0-4), seq, slot, then NUL-separated fields: the words, then the
// inputs.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command_template.h"
#include "diag.h"
#include "shell_words.h"
#include "fuzz.h"

namespace {
// Words as /bin/sh splits a line of plain words, '...' and \' (all that
// shell_quote() writes), separated by spaces.
std::vector<std::string> shell_words(std::string_view line) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size()) {
        if (line[i] == ' ') {
            ++i;
            continue;
        }
        std::string w;
        while (i < line.size() && line[i] != ' ') {
            if (line[i] == '\'') {
                size_t close = line.find('\'', i + 1);
                if (close == std::string_view::npos) std::abort();  // an unclosed quote
                w.append(line.substr(i + 1, close - i - 1));
                i = close + 1;
            } else if (line[i] == '\\') {
                if (i + 1 >= line.size()) std::abort();
                w += line[i + 1];
                i += 2;
            } else {
                w += line[i++];
            }
        }
        words.push_back(std::move(w));
    }
    return words;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using prockit::CommandTemplate;
    if (size < 4) return 0;
    prockit::ShellChoice how{static_cast<CommandTemplate::Shell>(data[0] % 3), data[0] % 6 >= 3, {}};
    size_t nwords = data[1] % 5;
    prockit::JobInput in;
    in.seq = data[2];
    in.slot = data[3];
    std::vector<std::string> fields = fuzz::split_nul(std::string_view(reinterpret_cast<const char*>(data + 4), size - 4));
    std::vector<std::string> words, args;
    for (size_t i = 0; i < fields.size(); ++i) (i < nwords ? words : args).push_back(fields[i]);
    in.records = {args};

    for (const std::string& a : args)
        if (shell_words(prockit::shell_quote(a)) != std::vector<std::string>{a}) std::abort();

    std::optional<CommandTemplate> t;
    try {
        prockit::ReplacementRules rules;
        rules.perl = false;  // {= =} is fuzz/replacement's (a helper process per input here)
        t.emplace(words, how, rules);
    } catch (const prockit::Error& e) {
        if (e.status() != prockit::Exit::usage) std::abort();
        return 0;
    }
    std::vector<std::string> argv = t->argv(in);
    std::string display = t->display(in);
    if (argv.empty()) std::abort();
    if (how.mode == CommandTemplate::Shell::never) {
        if (prockit::plain_words(display) != argv) std::abort();  // each word quoted as parallel quotes
    } else if (argv.size() == 3 && argv[0] == how.shell.path && argv[1] == "-c" && display == argv[2]) {
        if (how.mode == CommandTemplate::Shell::automatic && prockit::plain_words(display) &&
            how.shell.would_exec(*prockit::plain_words(display)))
            std::abort();  // a simple command given to the shell
    } else if (how.mode != CommandTemplate::Shell::automatic || prockit::plain_words(display) != argv) {
        std::abort();
    }
    return 0;
}
