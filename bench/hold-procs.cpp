// bench/hold-procs: keeps N extra processes alive for a benchmark of /proc
// scans (bench/zombie-watch), then ends them.
//
//     hold-procs N        prints "ready" when all N exist; ends them, reaps
//                         them and exits when its standard input closes
//
// Each child asks for SIGKILL when its parent dies, so none outlives us even
// if we are killed.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: hold-procs N\n");
        return 2;
    }
    long n = std::atol(argv[1]);
    if (setpgid(0, 0) != 0) std::perror("hold-procs: setpgid");
    pid_t self = getpid();
    for (long i = 0; i < n; ++i) {
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("hold-procs: fork");
            break;
        }
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != self) _exit(0);  // the parent died before prctl
            for (;;) pause();
        }
    }
    std::puts("ready");
    std::fflush(stdout);
    char c;
    while (read(STDIN_FILENO, &c, 1) > 0) {
    }
    signal(SIGTERM, SIG_IGN);
    kill(0, SIGTERM);  // our own group: only the children we made
    while (wait(nullptr) > 0) {
    }
    return 0;
}
