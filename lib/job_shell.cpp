#include "job_shell.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>

#include "diag.h"
#include "proc.h"
#include "shell_words.h"

extern char** environ;

namespace prockit {

bool JobShell::would_exec(const std::vector<std::string>& words) const {
    if (words.empty() || is_shell_builtin(words[0])) return false;
    return std::find(functions.begin(), functions.end(), words[0]) == functions.end();
}

namespace {
// GNU parallel's list of "all shells known to mankind", as a regex alternation.
const std::string& shell_alternation() {
    static const std::string alt = [] {
        const char* shells[] = {"ash",  "bash", "bsd-csh", "csh",  "dash", "fdsh",      "fish", "fizsh", "ksh",
                                "ksh93", "lksh", "mksh",   "pdksh", "posh", "rbash",     "rc",   "rush",  "rzsh",
                                "sash", "sh",   "static-sh", "tcsh", "yash", "zsh", "-sh", "-csh", "-bash", "-sh \\(sh\\)"};
        std::string a;
        for (const char* s : shells) a += (a.empty() ? "(" : "|") + std::string(s);
        return a + ")";
    }();
    return alt;
}
}  // namespace

// GNU parallel's regular expression: [-sh], bash, /bin/bash, -bash,
// busybox sh, "bash arg" match; sshd, crash, foo.sh do not.
std::optional<ShellName> shell_named_by(std::string_view argv0) {
    static const std::regex re("^((\\[)(-?)" + shell_alternation() + "(\\])|(|\\S+/|busybox )(-?)" + shell_alternation() +
                               ")( *$| [^(])");
    std::cmatch m;
    if (!std::regex_search(argv0.data(), argv0.data() + argv0.size(), m, re)) return std::nullopt;
    ShellName n;
    n.name = m[4].matched ? m[4].str() : m[8].str();
    n.dash = (m[3].matched && m[3].length()) || (m[7].matched && m[7].length());
    return n;
}

std::optional<std::string> which(std::string_view name, std::string_view path) {
    auto runnable = [](const std::string& p) {
        struct stat st;
        return ::stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
    };
    while (!path.empty()) {
        size_t colon = path.find(':');
        std::string candidate = std::string(path.substr(0, colon)) + "/" + std::string(name);
        if (runnable(candidate)) return candidate;
        path = colon == std::string_view::npos ? std::string_view() : path.substr(colon + 1);
    }
    if (name.find('/') != std::string_view::npos && runnable(std::string(name))) return std::string(name);
    return std::nullopt;
}

std::vector<std::string> exported_functions(char* const* env) {
    std::vector<std::string> names;
    for (; env && *env; ++env) {
        std::string_view var(*env);
        std::string_view name = var.substr(0, var.find('='));
        if (name.substr(0, 9) != "BASH_FUNC") continue;
        name.remove_prefix(9);
        if (name.size() > 3 && name[0] == '_' && name.substr(name.size() - 2) == "%%") names.emplace_back(name.substr(1, name.size() - 3));
        if (name.size() > 3 && name[0] == '_' && name.substr(name.size() - 2) == "()") names.emplace_back(name.substr(1, name.size() - 3));
    }
    return names;
}

namespace {

std::string env_or(const char* name, std::string_view otherwise = {}) {
    const char* v = std::getenv(name);
    return v && *v ? v : std::string(otherwise);
}

std::string argv0_of(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string a;
    std::getline(f, a, '\0');
    return a;
}

// Names a shell may go by, beside its own (GNU parallel's %fakename).
std::vector<std::string> also_named(const std::string& name) {
    if (name == "-sh (sh)" || name == "-sh") return {"sh"};
    if (name == "-csh") return {"tcsh", "csh"};
    if (name == "-ash") return {"ash", "dash", "sh"};
    if (name == "-dash") return {"dash", "ash", "sh"};
    if (name == "-bash") return {"bash", "sh"};
    if (name == "-ksh") return {"ksh", "sh"};
    if (name == "-zsh") return {"zsh", "sh"};
    return {};
}

// GNU parallel's parent_shell(): from this process up, the first whose
// argv[0] names a shell gives the shell, looked up by name in PATH (a
// login "-sh" by its executable, which may be csh); none: "".
std::string parent_shell() {
    const std::string path = env_or("PATH");
    for (pid_t pid = ::getpid(); pid > 0; pid = parent_of(pid)) {
        std::optional<ShellName> n = shell_named_by(argv0_of(pid));
        if (!n) continue;
        if (n->name == "sh" && n->dash) {
            char exe[PATH_MAX];
            ssize_t len = ::readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), exe, sizeof exe - 1);
            std::string e(exe, len > 0 ? static_cast<size_t>(len) : 0);
            if (std::regex_search(e, std::regex("/" + shell_alternation() + "$"))) return e;
        }
        std::vector<std::string> names = also_named(n->name);
        names.insert(names.begin(), n->name);
        for (const std::string& name : names)
            if (std::optional<std::string> found = which(name, path)) return *found;
        return "";
    }
    return "";
}

// bash and dash, whatever name or link they are reached by.
bool is_bash_or_dash(const std::string& shell) {
    std::optional<std::string> found = shell.find('/') == std::string::npos ? which(shell, env_or("PATH")) : shell;
    char* real = found ? ::realpath(found->c_str(), nullptr) : nullptr;
    std::string r = real ? real : "";
    std::free(real);
    std::string base = r.substr(r.rfind('/') + 1);
    return base == "bash" || base == "dash";
}

}  // namespace

JobShell pick_job_shell() {
    JobShell s;
    s.path = env_or("PARALLEL_SHELL");
    if (s.path.empty()) s.path = parent_shell();
    if (s.path.empty()) s.path = env_or("SHELL", "/bin/sh");
    if (::access(s.path.c_str(), X_OK) != 0 && !which(s.path, env_or("PATH")))
        throw Error(Exit::failure, "shell '" + s.path + "' not found");
    s.functions = exported_functions(environ);
    bool bash_reads_more = !env_or("BASH_ENV").empty() || !env_or("SHELLOPTS").empty();
    s.knows_simple = is_bash_or_dash(s.path) && !bash_reads_more;
    return s;
}

}  // namespace prockit
