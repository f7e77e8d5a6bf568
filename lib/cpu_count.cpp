#include "cpu_count.h"

#include <sched.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace prockit {

namespace {

bool read_line(const std::string& path, std::string& line) {
    std::ifstream f(path);
    return static_cast<bool>(std::getline(f, line));
}

}  // namespace

CpuCounts count_cpus(const std::string& sys_cpu) {
    std::set<std::string> siblings, packages;
    unsigned threads = 0;
    for (;; ++threads) {
        std::string dir = sys_cpu + "/cpu" + std::to_string(threads) + "/topology/", line;
        if (!read_line(dir + "thread_siblings", line)) break;
        siblings.insert(line);
        if (read_line(dir + "physical_package_id", line)) packages.insert(line);
    }
    CpuCounts c;
    if (threads == 0) return c;
    c.threads = threads;
    c.cores = static_cast<unsigned>(std::max<size_t>(1, siblings.size()));
    c.sockets = static_cast<unsigned>(std::max<size_t>(1, packages.size()));
    // As parallel: taskset limits what is counted.
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        unsigned active = static_cast<unsigned>(CPU_COUNT(&set));
        c.threads = std::min(c.threads, active);
        c.cores = std::min(c.cores, active);
        c.sockets = std::min(c.sockets, active);
    }
    return c;
}

}  // namespace prockit
