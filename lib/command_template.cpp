#include "command_template.h"

namespace prockit {

namespace {
// One word that a shell would not take as one plain word.
bool is_shell_syntax(std::string_view w) { return w.find_first_of(" \t\n;&|<>()$`\\\"'*?[]~") != std::string_view::npos; }

std::string joined(const std::vector<std::string>& fields) {
    std::string all;
    for (size_t i = 0; i < fields.size(); ++i) all += (i ? " " : "") + fields[i];
    return all;
}
}  // namespace

CommandTemplate::CommandTemplate(std::vector<std::string> words, Shell shell, const ReplacementRules& rules) {
    shell_ = shell == Shell::always || (shell == Shell::automatic && words.size() == 1 && is_shell_syntax(words[0]));
    has_replacement_ = false;
    for (std::string& w : words) {
        words_.emplace_back(std::move(w), rules);
        has_replacement_ = has_replacement_ || words_.back().has_replacement();
    }
}

std::vector<std::string> CommandTemplate::argv(const JobInput& in) const {
    if (words_.empty()) return {"/bin/sh", "-c", joined(in.flat())};  // each input is a command
    if (shell_) {
        std::string script;
        for (size_t i = 0; i < words_.size(); ++i) script += (i ? " " : "") + words_[i].expand(in, true);
        if (!has_replacement_)
            for (const std::string& a : in.flat()) script += " " + shell_quote(a);
        return {"/bin/sh", "-c", script};
    }
    std::vector<std::string> v;
    for (const Expansion& w : words_) v.push_back(w.expand(in, false));
    if (!has_replacement_) {
        std::vector<std::string> all = in.flat();
        v.insert(v.end(), all.begin(), all.end());
    }
    return v;
}

std::string CommandTemplate::display(const JobInput& in) const {
    std::vector<std::string> v = argv(in);
    if (uses_shell()) return v[2];  // the script (with no template, the input itself, as GNU parallel shows it)
    std::string line;
    for (size_t i = 0; i < v.size(); ++i) line += (i ? " " : "") + shell_quote(v[i]);
    return line;
}

}  // namespace prockit
