#include "joblog.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "diag.h"

namespace prockit {

namespace {
// A field as a diagnostic quotes it: at most 40 bytes of it (diag escapes
// what it prints, so its bytes are left as they are here).
std::string shown(std::string_view f) {
    return "'" + std::string(f.substr(0, 40)) + (f.size() > 40 ? "...'" : "'");
}

[[noreturn]] void bad(uint64_t number, const std::string& why) {
    throw Error(Exit::failure, "line " + std::to_string(number) + ": " + why);
}

// A decimal number, optionally negative, that fits in T.
template <class T>
std::optional<T> number_in(std::string_view f) {
    T v{};
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
    if (f.empty() || ec != std::errc() || end != f.data() + f.size()) return std::nullopt;
    return v;
}
}  // namespace

std::string joblog_header() { return "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"; }

std::string joblog_command(std::string command) {
    std::replace(command.begin(), command.end(), '\n', '\0');
    return command;
}

std::string joblog_line(const JoblogRecord& r) {
    auto print = [&r](char* buf, size_t cap) {
        // parallel's runtime: int(seconds * 1000) / 1000, printed "%10.3f".
        double runtime = std::floor(r.runtime * 1000) / 1000;
        return std::snprintf(buf, cap, "%llu\t:\t%.3f\t%10.3f\t%llu\t%llu\t%d\t%d\t",
                             static_cast<unsigned long long>(r.seq), r.start, runtime,
                             static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.received),
                             r.exitval, r.signal);
    };
    std::string line(static_cast<size_t>(print(nullptr, 0)), '\0');
    print(line.data(), line.size() + 1);
    return line + joblog_command(r.command) + "\n";
}

std::optional<JoblogEntry> parse_joblog_line(std::string_view line, uint64_t number) {
    if (number == 1) {
        if (line.substr(0, 4) != "Seq\t") bad(number, "not a joblog: the header does not start with Seq and a tab");
        return std::nullopt;
    }
    // Seq Host Starttime JobRuntime Send Receive Exitval Signal, then the
    // command: the rest of the line, which may itself hold tabs.
    std::string_view field[8];
    for (int i = 0; i < 8; ++i) {
        size_t tab = line.find('\t');
        if (tab == std::string_view::npos && i < 7)
            bad(number, "expected 9 tab-separated fields, found " + std::to_string(i + 1));
        field[i] = line.substr(0, tab);
        line.remove_prefix(tab == std::string_view::npos ? line.size() : tab + 1);
    }
    auto seq = number_in<uint64_t>(field[0]);
    if (!seq || *seq == 0) bad(number, "Seq " + shown(field[0]) + " is not a job number from 1 to 2^64-1");
    auto exitval = number_in<int>(field[6]);
    if (!exitval) bad(number, "Exitval " + shown(field[6]) + " is not an exit status");
    auto signal = number_in<int>(field[7]);
    if (!signal || *signal < 0) bad(number, "Signal " + shown(field[7]) + " is not a signal number");
    return JoblogEntry{*seq, *exitval == 0 && *signal == 0, line};
}

std::map<uint64_t, JoblogJob> parse_joblog(std::string_view text) {
    std::map<uint64_t, JoblogJob> done;
    for (uint64_t number = 1; !text.empty(); ++number) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (auto e = parse_joblog_line(line, number)) {
            std::string command(e->command);
            std::replace(command.begin(), command.end(), '\0', '\n');
            done[e->seq] = JoblogJob{e->succeeded, std::move(command)};
        }
    }
    return done;
}

}  // namespace prockit
