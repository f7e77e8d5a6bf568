// pool-run's semaphore mode (lib/semaphore.h): its options, and running a
// command under a slot, in the background or in the foreground.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <cstring>

#include "deadline.h"
#include "diag.h"
#include "parallel_options.h"
#include "parse.h"
#include "semaphore.h"
#include "signals.h"
#include "spawn.h"
#include "text.h"

namespace prockit {

bool parse_semaphore_option(SemaphoreOptions& s, int c, const char* arg) {
    switch (c) {
        case kSemaphore: break;
        case kSemaphoreTimeout:
            // As parallel's multiply_time_units, with a sign: -1m gives up after a minute.
            s.timeout = parse_signed(arg, "semaphore-timeout", parse_duration);
            break;
        case kSemaphoreName: s.id = arg; break;
        case kSemaphoreFg: s.fg = true; break;
        case kSemaphoreBg: s.fg = false; break;
        case kSemaphoreWait: s.wait = true; break;
        case kSemaphoreStatus: s.status = true; break;
        case kSemaphoreMode: {
            // A slot is taken by locking it for writing, so a class either
            // reads and writes the slots or has no way in: a mode such as
            // 0644 would give "read" a meaning it cannot have.
            s.mode = parse_mode(arg);
            for (int shift : {6, 3, 0}) {
                unsigned bits = (s.mode >> shift) & 07;
                if ((bits & 06) != 06 && (bits != 0 || shift == 6))
                    throw Error(Exit::usage, std::string("invalid --semaphore-mode '") + arg +
                                                 "': each of user, group and others reads and writes the slots or has "
                                                 "no access (0600, 0660, 0666), and the user has it");
            }
            break;
        }
        default: return false;
    }
    s.on = true;
    return true;
}

bool called_as_sem(const char* argv0) {
    const char* slash = std::strrchr(argv0, '/');
    return std::strcmp(slash ? slash + 1 : argv0, "sem") == 0;
}

namespace {

// As parallel names a semaphore without --id: what `tty` prints.
std::string default_id() {
    const char* t = ::ttyname(STDIN_FILENO);
    return t ? t : "not a tty";
}

std::string local_time(long long ms) {
    time_t t = static_cast<time_t>(ms / 1000);
    struct tm tm;
    char buf[32];
    if (!::localtime_r(&t, &tm) || !std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm)) return "?";
    return buf;
}

// ID SLOT PID SINCE COMMAND, a line per held slot, tab-separated; every
// semaphore we may enter when no --id was given.
int print_status(const SemaphoreOptions& s) {
    std::vector<std::string> ids;
    if (s.id) {
        ids.push_back(*s.id);
    } else if (DIR* d = ::opendir("/dev/shm")) {
        while (dirent* e = ::readdir(d))
            if (auto id = semaphore_id_of(e->d_name)) ids.push_back(*id);
        ::closedir(d);
        std::sort(ids.begin(), ids.end());
    }
    for (const std::string& id : ids) {
        std::optional<SemaphoreDir> dir;
        try {
            dir = SemaphoreDir::open(id, false, s.mode);
        } catch (const Error& e) {
            if (s.id) throw;
            continue;  // another user's, which we may not see into
        }
        if (!dir) continue;
        for (const auto& [slot, h] : dir->holders())
            std::printf("%s\t%u\t%d\t%s\t%s\n", escape_text(id).c_str(), slot, static_cast<int>(h.pid),
                        h.pid ? local_time(h.start_ms).c_str() : "?", escape_text(h.command).c_str());
    }
    return 0;
}

// The command, with the slot's descriptor inherited, and what it holds
// written in the slot for --status (a failed write leaves the slot held
// and unnamed). A failed exec is said as a shell says it, one line; its
// status is then failure_status().
Spawned start(const std::vector<std::string>& argv, const std::vector<std::string>& shell_argv, int slot,
              const std::string& display, bool pidfd) {
    SpawnSpec spec;
    spec.argv = argv;
    spec.pidfd = pidfd;
    Spawned s = spawn_job(spec);
    if (s.error == ENOEXEC && shell_argv != argv) {
        // A script without #!: the shell runs it itself.
        spec.argv = shell_argv;
        s = spawn_job(spec);
    }
    if (s.error) {
        warn("%s: %s", escape_text(spec.argv[0]).c_str(), s.failure_reason().c_str());
        return s;
    }
    std::string record = holder_record(s.pid, static_cast<long long>(WallTime::now().seconds() * 1000), display);
    if (::pwrite(slot, record.data(), record.size(), 0) == static_cast<ssize_t>(record.size()))
        (void)::ftruncate(slot, static_cast<off_t>(record.size()));
    return s;
}

// --bg. The command's waiter: a process that starts the command, keeps the
// slot's descriptor open until the command has exited, reaps it and
// exits. The command inherits the descriptor too, so the lock lasts until
// both are gone: a command that closes what it inherited (a daemon,
// closefrom(3), bash's exec 9>&-, python's close_fds) keeps its slot while
// it runs; a SIGKILL of the waiter leaves the command holding it (unless it
// closed it: then the slot is free); a SIGKILL of the command frees it as
// soon as the waiter has reaped it. The waiter blocks every signal (a ^C
// or a hangup meant for the caller's script must not free a slot its
// command holds), closes the caller's descriptors (a `$(sem cmd)` or a pipe
// of the caller's is not held open by it), and never outlives the command.
//
// We return once the command has started, 0, or with the status of a
// failed exec: the waiter writes the command's pid on a pipe, or exits with
// that status without a word on it. Semaphore mode has one thread, so the
// forked waiter may go on as a whole process (allocate, spawn).
int start_in_background(const std::vector<std::string>& argv, const std::vector<std::string>& shell_argv, Fd slot,
                        const std::string& display) {
    Pipe report = make_pipe();
    pid_t waiter = ::fork();
    if (waiter < 0) throw system_error(errno, "fork");
    if (waiter == 0) {
        sigset_t all;
        ::sigfillset(&all);
        ::sigprocmask(SIG_SETMASK, &all, nullptr);
        report.read.reset();
        Spawned child = start(argv, shell_argv, slot.get(), display, false);
        if (child.error) ::_exit(code(child.failure_status()));
        (void)write_all(report.write.get(), std::string_view(reinterpret_cast<const char*>(&child.pid), sizeof child.pid));
        // The slot's descriptor alone is kept (the report's closes: we go on).
        int keep = slot.get();
        if (keep > 0) ::close_range(0, static_cast<unsigned>(keep - 1), 0);
        ::close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
        retry_eintr([&] { return ::waitpid(child.pid, nullptr, 0); });
        ::_exit(0);
    }
    slot.reset();  // the waiter's and the command's now
    report.write.reset();
    pid_t pid = 0;
    if (read_some(report.read.get(), &pid, sizeof pid) == static_cast<ssize_t>(sizeof pid)) return 0;
    int status = 0;  // the exec failed, and the waiter said why: its status is ours
    if (retry_eintr([&] { return ::waitpid(waiter, &status, 0); }) < 0) throw system_error(errno, "waitpid");
    return shell_status(status);
}

// --fg: the command's status (128+N for signal N, as parallel emulates
// bash); a stop signal is passed to its group, then ends us.
int wait_for(const Spawned& child, const StopSignals& stop) {
    Fd pidfd(child.pidfd);
    int sent = 0;
    for (;;) {
        Wait w = wait_fd(pidfd.get(), POLLIN, Deadline::never(), sent ? nullptr : &stop);
        if (w == Wait::ready) break;
        sent = stop.received();
        ::kill(-child.pid, sent);
    }
    int status = 0;
    if (retry_eintr([&] { return ::waitpid(child.pid, &status, 0); }) < 0) throw system_error(errno, "waitpid");
    if (sent) stop.die_of_signal();
    return shell_status(status);
}

}  // namespace

int run_semaphore(const SemaphoreOptions& s, const std::vector<std::string>& words, const ShellChoice& shell,
                  const ReplacementRules& rules) {
    if (s.status && s.wait) throw Error(Exit::usage, "--wait and --status exclude each other");
    if (s.status) return print_status(s);
    std::string id = s.id.value_or(default_id());
    StopSignals stop;
    if (s.wait) {
        if (std::optional<SemaphoreDir> dir = SemaphoreDir::open(id, false, s.mode)) dir->wait_idle(stop);
        return 0;
    }
    if (words.empty()) throw Error(Exit::usage, "--semaphore needs a COMMAND");
    for (const std::string& w : words)  // else ":::: command not found", or GNU sem's silent drop
        if (w == ":::" || w == "::::" || w == ":::+" || w == "::::+")
            throw Error(Exit::usage, "--semaphore runs one command and reads no input: " + w + " has no meaning");
    CommandTemplate cmd(words, shell, rules);
    JobInput none;
    std::optional<SemaphoreDir> dir = SemaphoreDir::open(id, true, s.mode);
    unsigned index = 0;
    Fd slot;
    try {
        slot = dir->acquire(s.jobs, s.timeout, stop, index);
    } catch (const Error& e) {
        if (e.status() != Exit::timed_out) throw;
        warn("%s", e.message().c_str());
        return code(Exit::timed_out);  // as parallel: "Semaphore timed out. Exiting."
    }
    // Inherited by the command: the slot is held as long as it runs.
    if (::fcntl(slot.get(), F_SETFD, 0) != 0) throw system_error(errno, "fcntl");
    if (!s.fg) return start_in_background(cmd.argv(none), cmd.argv(none, true), std::move(slot), cmd.display(none));
    Spawned child = start(cmd.argv(none), cmd.argv(none, true), slot.get(), cmd.display(none), true);
    if (child.error) return code(child.failure_status());
    // Our descriptor of the slot stays open until the command is reaped, as
    // the background waiter's: a command that closed its own still holds.
    return wait_for(child, stop);
}

}  // namespace prockit
