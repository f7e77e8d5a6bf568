#include "options.h"

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "diag.h"
#include "version.h"

namespace prockit {

namespace {
// getopt_long's value for --version: no character, and none a tool uses.
constexpr int kVersion = 0x7fff0000;

// The option letters of a tool's optstring. `order` says where options go
// and the ':' in front is ours: a '+', '-' or ':' the tool put there too
// would follow ours and be taken for an option letter, so that `-+` passed
// silently (zombie-watch once did).
std::string letters(const char* optstring) {
    std::string s = optstring;
    return s.substr(std::min(s.size(), s.find_first_not_of("+-:")));
}
}  // namespace

Options::Options(int argc, char** argv, const char* optstring, const option* longopts, std::string context,
                 std::string usage, const char* help, Order order)
    : argc_(argc), argv_(argv), optstring_(std::string(order == Order::options_first ? "+:" : ":") + letters(optstring) + "h"),
      context_(std::move(context)), usage_(std::move(usage)),
      help_(help) {
    for (const option* o = longopts; o && o->name; ++o) longopts_.push_back(*o);
    longopts_.push_back({"help", no_argument, nullptr, 'h'});
    longopts_.push_back({"version", no_argument, nullptr, kVersion});
    longopts_.push_back({});
    optind = 1;
    opterr = 0;  // we say it ourselves, in our words
}

int Options::next() {
    int c = getopt_long(argc_, argv_, optstring_.c_str(), longopts_.data(), nullptr);
    if (c == 'h') {
        std::fputs(usage_.c_str(), stdout);
        std::fputs(help_, stdout);
        std::exit(0);
    }
    if (c == kVersion) print_version();
    if (c == '?') {
        // getopt_long says '?' too for a long option given a value it does
        // not take (--once=1), with optopt its value, which is no letter.
        const char* arg = argv_[optind - 1];
        const char* eq = std::strchr(arg, '=');
        if (std::strncmp(arg, "--", 2) == 0 && eq)
            fail("option %.*s takes no value", static_cast<int>(eq - arg), arg);
        if (optopt > 0 && optopt < 128 && std::isgraph(optopt)) fail("invalid option -%c", optopt);
        fail("invalid option %s", arg);
    }
    if (c == ':') {
        // A long option (or one without a letter) is named as it was written.
        if (optopt > 0 && optopt < 128 && std::isalnum(optopt)) fail("option -%c needs a value", optopt);
        fail("option %s needs a value", argv_[optind - 1]);
    }
    return c;
}

void Options::print_version() {
    std::printf("%s (prockit) %s\n", program_name(), PROCKIT_VERSION);
    std::exit(0);
}

void Options::fail(const char* fmt, ...) const {
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (context_.empty()) usage_error(usage_.c_str(), "%s", why);
    usage_error(usage_.c_str(), "%s: %s", context_.c_str(), why);
}

}  // namespace prockit
