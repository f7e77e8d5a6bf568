#include "job_env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "diag.h"
#include "fd.h"

extern char** environ;

namespace prockit {

namespace {
// The variables set per job: a value given to pool-run is replaced.
constexpr std::string_view kPerJob[] = {"PARALLEL_SEQ", "PARALLEL_JOBSLOT", "PARALLEL_PID"};

std::string env_or(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

bool is_dir(const std::string& p) {
    struct stat st;
    return !p.empty() && ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
}  // namespace

JobEnvironment::JobEnvironment(std::initializer_list<std::string_view> without) {
    for (char** e = environ; *e; ++e) {
        std::string_view var(*e);
        std::string_view name = var.substr(0, var.find('='));
        bool drop = false;
        for (std::string_view w : without) drop = drop || name == w;
        for (std::string_view w : kPerJob) drop = drop || name == w;
        if (!drop) vars_.emplace_back(var);
    }
    pid_ = "PARALLEL_PID=" + std::to_string(::getpid());
    for (std::string& v : vars_) ptrs_.push_back(v.data());
    ptrs_.push_back(seq_.data());
    ptrs_.push_back(slot_.data());
    ptrs_.push_back(pid_.data());
    ptrs_.push_back(nullptr);
}

char* const* JobEnvironment::for_job(unsigned long long seq, unsigned slot) {
    std::snprintf(seq_.data(), seq_.size(), "PARALLEL_SEQ=%llu", seq);
    std::snprintf(slot_.data(), slot_.size(), "PARALLEL_JOBSLOT=%u", slot);
    return ptrs_.data();
}

std::string parallel_config_dir() {
    std::vector<std::string> dirs = {env_or("PARALLEL_HOME")};
    if (std::string x = env_or("XDG_CONFIG_HOME"); !x.empty()) dirs.push_back(x + "/parallel");
    std::string xdg_dirs = env_or("XDG_CONFIG_DIRS");
    for (std::string_view rest = xdg_dirs; !rest.empty();) {
        size_t colon = rest.find(':');
        if (colon) dirs.push_back(std::string(rest.substr(0, colon)) + "/parallel");
        rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
    std::string home = env_or("HOME") + "/.parallel";
    dirs.push_back(home);
    for (const std::string& d : dirs)
        if (is_dir(d)) return d;
    return home;
}

void record_env() {
    std::string dir = parallel_config_dir();
    if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) throw system_error(errno, "--record-env: mkdir " + dir);
    std::string file = dir + "/ignored_vars", names;
    for (char** e = environ; *e; ++e) {
        std::string_view var(*e);
        names.append(var.substr(0, var.find('='))).push_back('\n');
    }
    Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (!fd) throw system_error(errno, "--record-env: " + file);
    if (!write_all(fd.get(), names)) throw system_error(errno, "--record-env: write " + file);
}

void check_env_names(const std::vector<std::string>& names) {
    for (const std::string& given : names) {
        for (std::string_view rest = given; !rest.empty();) {
            size_t comma = rest.find(',');
            if (rest.substr(0, comma) == "_" && ::access((parallel_config_dir() + "/ignored_vars").c_str(), R_OK) != 0)
                throw Error(Exit::failure, "--env _: run 'pool-run --record-env' in a clean environment first");
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
}

}  // namespace prockit
