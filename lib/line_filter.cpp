#include "line_filter.h"

#include <cstring>
#include <utility>

#include "columns.h"
#include "diag.h"

namespace prockit {

namespace {
// An argument cannot hold a NUL (exec would cut it there): as parallel,
// each is written \0 when one follows the first byte, with a warning once.
std::string without_nul(std::string arg) {
    if (arg.find('\0', 1) == std::string::npos) return arg;
    static bool warned = false;
    if (!std::exchange(warned, true))
        warn("a NUL in the input was written as backslash-zero: an argument cannot hold one (did you mean -0?)");
    std::string out;
    for (char c : arg) out += c ? std::string(1, c) : std::string("\\0");
    return out;
}
}  // namespace

std::optional<std::string> LineFilter::take(std::string record) {
    if (ended_) return std::nullopt;
    if (rules_.csv && csv_open(record)) half_ = !half_;
    if (half_) {
        // parallel has one $prepend: a CSV record left open goes on after an -L one.
        open_ = open_.value_or(std::exchange(cont_, std::nullopt).value_or("")) + record + rules_.delim;
        return std::nullopt;
    }
    if (rules_.eof && record == *rules_.eof) {
        ended_ = true;
        if (!open_) return std::exchange(cont_, std::nullopt);
        std::string r = *std::exchange(open_, std::nullopt);
        r.resize(r.size() - rules_.delim.size());
        return r;
    }
    if (open_) record = *std::exchange(open_, std::nullopt) + record;
    else if (cont_) record = *std::exchange(cont_, std::nullopt) + record;
    if (rules_.skip_blank && is_blank(record)) return std::nullopt;
    // -L: as parallel's /\s$/, a record that ends in white space goes on into the next.
    if (rules_.continue_lines && !record.empty() && std::strchr(" \t\n\r\f\v", record.back()) && record.back() != '\0') {
        cont_ = std::move(record);
        return std::nullopt;
    }
    return without_nul(std::move(record));
}

std::optional<std::string> LineFilter::finish() {
    if (ended_) return std::nullopt;
    if (!open_) return cont_ ? std::optional(without_nul(*std::exchange(cont_, std::nullopt))) : std::nullopt;
    std::string r = *std::exchange(open_, std::nullopt);
    r.resize(r.size() - rules_.delim.size());  // chomp: the delimiter added after the last record
    return r;
}

std::vector<std::string> filtered(std::vector<std::string> records, const LineRules& r) {
    LineFilter f(r);
    std::vector<std::string> out;
    for (std::string& rec : records)
        if (auto arg = f.take(std::move(rec))) out.push_back(std::move(*arg));
    if (auto arg = f.finish()) out.push_back(std::move(*arg));
    return out;
}

}  // namespace prockit
