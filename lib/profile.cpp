#include "profile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "diag.h"
#include "fd.h"
#include "job_env.h"
#include "options.h"
#include "parallel_options.h"
#include "run_args.h"

namespace prockit {

namespace {

// The file's text, if it is there to read; Error if it is not safe to.
std::optional<std::string> read_profile(const std::string& path) {
    Fd fd(retry_eintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK); }));
    if (!fd) return std::nullopt;  // as parallel's -r: one that cannot be read is not there
    struct stat st = stat_of(fd.get());
    if (!S_ISREG(st.st_mode)) throw Error(Exit::usage, "profile " + path + ": " + file_kind(st.st_mode) + ", not a file");
    if (st.st_uid != ::getuid() && st.st_uid != 0)
        throw Error(Exit::usage, "profile " + path + ": owned by uid " + std::to_string(st.st_uid) + ", not read");
    if (st.st_mode & S_IWOTH) throw Error(Exit::usage, "profile " + path + ": writable by others, not read");
    std::string text;
    if (!read_to_end(fd.get(), text)) throw system_error(errno, "profile " + path + ": read");
    return text;
}

// parallel's: each line not starting with (blanks and) #, split as a shell would.
void add_lines(const std::string& path, const std::string& text, std::vector<std::string>& words) {
    size_t at = 0;
    while (at < text.size()) {
        size_t nl = text.find('\n', at);
        std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        at = nl == std::string::npos ? text.size() : nl + 1;
        size_t first = line.find_first_not_of(" \t\r\f\v");
        if (first != std::string::npos && line[first] == '#') continue;
        for (std::string& w : parallel_env_words(line, "profile " + path)) words.push_back(std::move(w));
    }
}

}  // namespace

std::vector<std::string> profile_words(const std::vector<std::string>& names, std::vector<std::string>& read) {
    std::vector<std::string> dirs = parallel_config_dirs(), words;
    auto take = [&](const std::string& path) {
        std::optional<std::string> text = read_profile(path);
        if (text) {
            add_lines(path, *text, words);
            read.push_back(path);
        }
        return text.has_value();
    };
    if (names.empty()) {
        // Not required to exist.
        take("/etc/parallel/config");
        for (const std::string& d : dirs) take(d + "/config");
        if (const char* home = std::getenv("HOME")) take(std::string(home) + "/.parallelrc");
        return words;
    }
    for (const std::string& name : names) {
        bool found = false;
        if (name.rfind("./", 0) == 0 || name.rfind('/', 0) == 0) found = take(name);
        else
            for (const std::string& d : dirs) found = take(d + "/" + name) || found;
        // parallel goes on without it; a misspelt name is better said.
        if (!found) throw Error(Exit::usage, "-J " + name + ": no such profile in " + parallel_config_dir());
    }
    return words;
}

namespace {

struct Words {
    std::vector<char*> args;  // argv[0] first, null last, as getopt wants
    size_t options_end = 1;   // past the last option word
    bool dashdash = false;    // the options ended with --
};

// Where the options of `w` end, and whether --plain and -J are among them.
RunArgs probe(Words& w, const option* longopts, const char* context, const char* usage, const char* help) {
    Options o(static_cast<int>(w.args.size()) - 1, w.args.data(), kRunShortOptions, longopts, context, usage, help);
    RunArgs a = parse_run_options(o, 1);
    w.options_end = w.args.size() - 1 - static_cast<size_t>(o.count());
    w.dashdash = w.options_end > 1 && std::strcmp(w.args[w.options_end - 1], "--") == 0;
    return a;
}

Words words_of(char* argv0, std::vector<std::string>& store, size_t from, size_t to) {
    Words w;
    w.args.push_back(argv0);
    for (size_t i = from; i < to; ++i) w.args.push_back(store[i].data());
    w.args.push_back(nullptr);
    return w;
}

}  // namespace

std::vector<char*> with_profiles_and_env(int argc, char** argv, const option* longopts, const char* usage,
                                         const char* help, std::vector<std::string>& store) {
    Words cmd{std::vector<char*>(argv, argv + argc + 1)};
    RunArgs given = probe(cmd, longopts, "", usage, help);
    if (given.plain) return cmd.args;
    std::vector<std::string> read;
    store = profile_words(given.extra.profiles, read);
    size_t profile_end = store.size();
    if (const char* env = std::getenv("PARALLEL"); env && *env)
        for (std::string& w : parallel_env_words(env)) store.push_back(std::move(w));
    if (store.empty()) return cmd.args;
    // The pointers are taken once `store` no longer grows.
    std::string profiles;
    for (const std::string& p : read) profiles += (profiles.empty() ? "" : ", ") + p;
    Words pro = words_of(argv[0], store, 0, profile_end), env = words_of(argv[0], store, profile_end, store.size());
    probe(pro, longopts, profiles.c_str(), usage, help);
    probe(env, longopts, "$PARALLEL", usage, help);
    std::vector<char*> all{argv[0]};
    // A -- that ends a profile's or $PARALLEL's options ends them all, once.
    static char dashdash[] = "--";
    for (Words* w : {&pro, &env, &cmd})
        all.insert(all.end(), w->args.begin() + 1, w->args.begin() + static_cast<long>(w->options_end - (w != &cmd && w->dashdash)));
    if ((pro.dashdash || env.dashdash) && !cmd.dashdash) all.push_back(dashdash);
    for (Words* w : {&pro, &env, &cmd}) all.insert(all.end(), w->args.begin() + static_cast<long>(w->options_end), w->args.end() - 1);
    all.push_back(nullptr);
    return all;
}

}  // namespace prockit
