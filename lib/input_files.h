// pool-run's input files (-a FILE, :::: FILE; '-' is standard input),
// opened and read for the job sources.
#pragma once

#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "fd.h"
#include "line_filter.h"
#include "run_args.h"

namespace prockit {

// An input file, opened for reading: a directory (which reads as nothing
// through a stream) is an error naming it. "-" is standard input, which can
// be an input only once: the second would read nothing.
class InputFile {
public:
    explicit InputFile(const std::string& path);
    int fd() const { return owned_ ? owned_.get() : STDIN_FILENO; }
    // Hands the descriptor over (standard input stays open in any case).
    int release() { return owned_ ? owned_.release() : STDIN_FILENO; }
    const std::string& name() const { return name_; }
    static bool stdin_taken() { return stdin_taken_; }

private:
    static inline bool stdin_taken_ = false;
    std::string name_;
    Fd owned_;
};

// The records of a file, each ending in `delim` (the last one may not).
std::vector<std::string> read_records(const std::string& path, const std::string& delim);

// Reads the records of each :::: FILE into its group.
void read_groups(RunArgs& a);

// -d/-0, -E, -r and --csv as the LineFilter's rules.
LineRules line_rules(const RunArgs& a);

// The first record of a descriptor, read whole (waiting for it: --header
// names the columns before the first job); what was read past it is left
// in `rest`. None at the end of the input.
std::optional<std::string> read_first_record(int fd, const std::string& delim, std::string& rest);

// --pipe --skip-first-line: standard input's first line read and dropped,
// one byte at a time, so that nothing after it is taken from the blocks.
void skip_first_line(int fd);

}  // namespace prockit
