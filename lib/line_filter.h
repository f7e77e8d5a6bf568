// An input source's records into arguments, as GNU parallel's
// read_arg_from_fh takes them (-E, -r, and --csv's records that span
// several lines). Pure: fuzz and unit tests reach it without a file.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace prockit {

// How an input source's records become arguments, as parallel's
// read_arg_from_fh takes them: with --csv a record that leaves a quoted
// field open takes the next one too (the delimiter between); -E ends the
// source at a record equal to it (a CSV record left open is given as it
// is); -r drops records of white space only.
struct LineRules {
    std::string delim = "\n";
    std::optional<std::string> eof;  // "" is none, as parallel's -E ''
    bool skip_blank = false;
    bool csv = false;
    bool continue_lines = false;     // -L: a record ending in white space goes on into the next
};

class LineFilter {
public:
    explicit LineFilter(LineRules r) : rules_(std::move(r)) {}
    // The argument that this record completes, if any.
    std::optional<std::string> take(std::string record);
    // At the end of the source: the CSV record left open, if any.
    std::optional<std::string> finish();
    bool ended() const { return ended_; }
    const std::string& delim() const { return rules_.delim; }

private:
    LineRules rules_;
    std::optional<std::string> open_;  // a CSV record left open, with its delimiters
    std::optional<std::string> cont_;  // -L: records ending in white space, without their delimiters
    bool half_ = false, ended_ = false;
};

// A source's records through a LineFilter.
std::vector<std::string> filtered(std::vector<std::string> records, const LineRules& r);

}  // namespace prockit
