// --tmpl FILE=NAME, as GNU parallel's fill_templates: FILE is read once,
// at the start; before each job starts, its replacement strings are
// replaced with the job's values (unquoted, as in --tagstring) and the
// text written to NAME, itself with the job's values replaced ({#}.t).
// With --cleanup the job's files are removed once it is done.
//
// NAME is often in a directory others may write (/tmp): it is opened
// without following a symbolic link and written only if it is a regular
// file of ours, so that no job writes through another user's link or into
// their file (parallel opens whatever is there).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "replacement.h"

namespace prockit {

class JobTemplates {
public:
    // Error(Exit::failure) if a FILE cannot be read; Error(Exit::usage) for
    // a malformed replacement string in one.
    JobTemplates(const std::vector<std::pair<std::string, std::string>>& given, const ReplacementRules& rules,
                 bool cleanup);
    // Writes the job's files. Error(Exit::failure) if one cannot be.
    void fill(const JobInput& in) const;
    // The job is done (after its retries): --cleanup removes its files.
    void done(const JobInput& in) const;

private:
    struct Template {
        Expansion name, text;
    };
    std::vector<Template> templates_;
    bool cleanup_;
};

}  // namespace prockit
