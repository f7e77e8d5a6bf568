#include "shell_words.h"

#include <algorithm>
#include <iterator>

namespace prockit {

namespace {

// Unquoted, each of these is an operator, a redirection, an expansion, a
// glob or (in bash) brace, tilde or history syntax: the shell's business.
constexpr std::string_view kSpecial = "|&;<>()$`*?[{}~!^\n";

struct Parser {
    std::string_view line;
    size_t i = 0;
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;  // a word has begun (even one of nothing but quotes: '')

    bool parse();
    bool single_quoted();
    bool double_quoted();
    bool backslash();
    void end_word() {
        if (in_word) words.push_back(std::move(word));
        word.clear();
        in_word = false;
    }
};

bool Parser::parse() {
    if (line.find('\0') != std::string_view::npos) return false;
    while (i < line.size()) {
        char c = line[i];
        if (c == ' ' || c == '\t') {
            end_word();
            ++i;
            continue;
        }
        if (kSpecial.find(c) != std::string_view::npos) return false;
        if (c == '#' && !in_word) return false;             // a comment
        if (c == '=' && words.empty()) return false;        // an assignment, or zsh's =cmd
        bool ok = c == '\'' ? single_quoted() : c == '"' ? double_quoted() : c == '\\' ? backslash() : true;
        if (!ok) return false;
        if (c != '\'' && c != '"' && c != '\\') {
            word += c;
            in_word = true;
            ++i;
        }
    }
    end_word();
    return !words.empty();
}

bool Parser::single_quoted() {
    size_t close = line.find('\'', i + 1);
    if (close == std::string_view::npos) return false;
    word.append(line.substr(i + 1, close - i - 1));
    in_word = true;
    i = close + 1;
    return true;
}

// Inside "...", $ and ` expand; \ quotes only $ ` " \ and a newline.
bool Parser::double_quoted() {
    for (size_t j = i + 1; j < line.size(); ++j) {
        char c = line[j];
        if (c == '"') {
            in_word = true;
            i = j + 1;
            return true;
        }
        if (c == '$' || c == '`') return false;
        if (c == '\\' && j + 1 < line.size() && std::string_view("$`\"\\\n").find(line[j + 1]) != std::string_view::npos) {
            if (line[++j] != '\n') word += line[j];
            continue;
        }
        word += c;
    }
    return false;  // not closed
}

// \c is c; \ and a newline are nothing at all (a continued line); a
// backslash that ends the line is left to the shell.
bool Parser::backslash() {
    if (i + 1 >= line.size()) return false;
    char c = line[i + 1];
    if (c != '\n') {
        word += c;
        in_word = true;
    }
    i += 2;
    return true;
}

// Reserved words, and the builtins of bash (compgen -b) and dash.
constexpr std::string_view kBuiltins[] = {
    "!", ".", ":", "[", "[[", "]]", "{", "}", "alias", "bg", "bind", "break", "builtin", "caller", "case", "cd",
    "chdir", "command", "compgen", "complete", "compopt", "continue", "coproc", "declare", "dirs", "disown", "do",
    "done", "echo", "elif", "else", "enable", "esac", "eval", "exec", "exit", "export", "false", "fc", "fg", "fi",
    "for", "function", "getopts", "hash", "help", "history", "if", "in", "jobs", "kill", "let", "local", "logout",
    "mapfile", "popd", "printf", "pushd", "pwd", "read", "readarray", "readonly", "return", "select", "set", "shift",
    "shopt", "source", "suspend", "test", "then", "time", "times", "trap", "true", "type", "typeset", "ulimit",
    "umask", "unalias", "unset", "until", "wait", "while"};

}  // namespace

std::optional<std::vector<std::string>> plain_words(std::string_view line) {
    Parser p;
    p.line = line;
    if (!p.parse()) return std::nullopt;
    return std::move(p.words);
}

bool is_shell_builtin(std::string_view word) {
    return std::find(std::begin(kBuiltins), std::end(kBuiltins), word) != std::end(kBuiltins);
}

}  // namespace prockit
