// Command-line options, the way every prockit tool takes them: getopt_long,
// --help printing the usage on stdout, --version printing "TOOL (prockit)
// X.Y.Z", and misuse answered with one reason and the usage line on stderr,
// status 2. Tools whose operands may start
// with '-' (a message, a command) stop at the first operand; the others
// take options anywhere, as cat does.
#pragma once

#include <getopt.h>

#include <string>
#include <vector>

namespace prockit {

class Options {
public:
    // argv[0] is the command or verb; `context` prefixes misuse messages
    // ("put" gives "shq: put: invalid option -z"; "" gives "pool-run: ...").
    // `usage` is the usage line(s) for misuse and --help; `help` follows
    // them on --help. longopts may be null; --help and --version are always
    // understood: each prints on stdout and exits 0 (the stdout check of
    // check_stdout_at_exit, lib/diag.h, then decides the status).
    enum class Order { options_first, anywhere };
    Options(int argc, char** argv, const char* optstring, const option* longopts, std::string context,
            std::string usage, const char* help, Order order = Order::options_first);

    // The next option character (or long option's value), -1 after the last.
    int next();

    // The operands after the options.
    int count() const { return argc_ - optind; }
    char* operand(int i) const { return argv_[optind + i]; }

    [[noreturn]] void fail(const char* fmt, ...) const __attribute__((format(printf, 2, 3)));

    // Prints "TOOL (prockit) X.Y.Z" (TOOL: program_name()) and exits 0: for
    // a tool that reads its first argument itself (a verb, a mode).
    [[noreturn]] static void print_version();

private:
    int argc_;
    char** argv_;
    std::string optstring_;
    std::vector<option> longopts_;  // the tool's, then --help and --version
    std::string context_, usage_;
    const char* help_;
};

}  // namespace prockit
