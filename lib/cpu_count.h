// The CPU counts GNU parallel prints (--number-of-cores, --number-of-threads,
// --number-of-sockets), counted as it counts them on Linux: from the
// topology in /sys (distinct thread_siblings are cores, distinct
// physical_package_ids sockets, every cpuN a thread), at most the CPUs
// this process may run on (taskset: Cpus_allowed).
#pragma once

#include <string>

namespace prockit {

struct CpuCounts {
    unsigned sockets = 1, cores = 1, threads = 1;
};

// `sys_cpu` is /sys/devices/system/cpu (a directory of cpuN/topology/...).
CpuCounts count_cpus(const std::string& sys_cpu = "/sys/devices/system/cpu");

}  // namespace prockit
