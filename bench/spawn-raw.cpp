// Baselines for bench/pool-run.
//
//     spawn-raw run N J CMD [ARG...]   run CMD N times, J at a time, with
//                                      posix_spawn and waitpid: the least
//                                      a process pool can do. Each run gets
//                                      its number (1..N) as a last argument,
//                                      as the pools given `seq N` do: the
//                                      same commands, so that only the pool
//                                      differs (coreutils' true with an
//                                      argument loads its locale)
//     spawn-raw maxrss CMD [ARG...]    run CMD and print its peak RSS in KiB
//                                      on stderr (its output stays its own)
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

extern char** environ;

int main(int argc, char** argv) {
    if (argc >= 3 && std::strcmp(argv[1], "maxrss") == 0) {
        pid_t pid;
        if (posix_spawnp(&pid, argv[2], nullptr, nullptr, argv + 2, environ) != 0) return 127;
        int status = 0;
        rusage ru{};
        wait4(pid, &status, 0, &ru);
        std::fprintf(stderr, "%ld\n", ru.ru_maxrss);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    }
    if (argc < 5 || std::strcmp(argv[1], "run") != 0) {
        std::fprintf(stderr, "usage: spawn-raw run N J CMD [ARG...] | maxrss CMD [ARG...]\n");
        return 2;
    }
    long n = std::atol(argv[2]), j = std::atol(argv[3]), started = 0, running = 0;
    std::vector<char*> args(argv + 4, argv + argc);
    char number[24];
    args.push_back(number);
    args.push_back(nullptr);
    while (started < n || running > 0) {
        while (running < j && started < n) {
            pid_t pid;
            std::snprintf(number, sizeof number, "%ld", started + 1);
            if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return 127;
            ++started;
            ++running;
        }
        int status;
        if (waitpid(-1, &status, 0) > 0) --running;
    }
    return 0;
}
