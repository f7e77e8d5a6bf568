#include "job_env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

JobEnvironment::JobEnvironment(std::initializer_list<std::string_view> without, const std::string& slot_var)
    : slot0_(slot_var + "="), slot0_name_(slot0_.size()) {
    slot0_.resize(slot0_name_ + 24);  // a number of up to 20 digits and its NUL
    for (char** e = environ; *e; ++e) {
        std::string_view var(*e);
        std::string_view name = var.substr(0, var.find('='));
        bool drop = false;
        for (std::string_view w : without) drop = drop || name == w;
        for (std::string_view w : kPerJob) drop = drop || name == w;
        drop = drop || name == slot_var;
        if (!drop) vars_.emplace_back(var);
    }
    pid_ = "PARALLEL_PID=" + std::to_string(::getpid());
    for (std::string& v : vars_) ptrs_.push_back(v.data());
    // As parallel, the slot variable wins over a per-job name it reuses.
    if (slot_var != kPerJob[0]) ptrs_.push_back(seq_.data());
    if (slot_var != kPerJob[1]) ptrs_.push_back(slot_.data());
    if (slot_var != kPerJob[2]) ptrs_.push_back(pid_.data());
    ptrs_.push_back(slot0_.data());
    ptrs_.push_back(nullptr);
}

char* const* JobEnvironment::for_job(unsigned long long seq, unsigned slot) {
    std::snprintf(seq_.data(), seq_.size(), "PARALLEL_SEQ=%llu", seq);
    std::snprintf(slot_.data(), slot_.size(), "PARALLEL_JOBSLOT=%u", slot);
    std::snprintf(slot0_.data() + slot0_name_, slot0_.size() - slot0_name_, "%d", static_cast<int>(slot) - 1);
    return ptrs_.data();
}

std::vector<std::string> parallel_config_dirs() {
    std::vector<std::string> dirs = {env_or("PARALLEL_HOME")}, there;
    if (std::string x = env_or("XDG_CONFIG_HOME"); !x.empty()) dirs.push_back(x + "/parallel");
    std::string xdg_dirs = env_or("XDG_CONFIG_DIRS");
    for (std::string_view rest = xdg_dirs; !rest.empty();) {
        size_t colon = rest.find(':');
        if (colon) dirs.push_back(std::string(rest.substr(0, colon)) + "/parallel");
        rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
    dirs.push_back(env_or("HOME") + "/.parallel");
    for (const std::string& d : dirs)
        if (is_dir(d)) there.push_back(d);
    return there;
}

std::string parallel_config_dir() {
    std::vector<std::string> dirs = parallel_config_dirs();
    return dirs.empty() ? env_or("HOME") + "/.parallel" : dirs[0];
}

std::vector<std::string> recorded_names(char* const* env) {
    std::vector<std::string> names;
    for (char* const* e = env; *e; ++e) {
        std::string_view var(*e);
        names.emplace_back(var.substr(0, var.find('=')));
    }
    // What parallel has set by then: always OLDPWD and PARALLEL_RSYNC_OPTS,
    // and PARALLEL_HOME (Perl makes the key as it looks for the directory),
    // the others when they were unset.
    for (const char* set : {"HOME", "TMPDIR", "PARALLEL_REMOTE_TMPDIR", "OLDPWD", "PARALLEL_RSYNC_OPTS", "PARALLEL_HOME"})
        if (std::find(names.begin(), names.end(), set) == names.end()) names.emplace_back(set);
    return names;
}

void record_env() {
    std::string dir = parallel_config_dir();
    if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) throw system_error(errno, "--record-env: mkdir " + dir);
    std::string file = dir + "/ignored_vars", names;
    for (const std::string& n : recorded_names(environ)) names.append(n).push_back('\n');
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
