// Metrics for Prometheus through node_exporter's textfile collector: a
// file of the text exposition format, which the collector reads whenever
// it is scraped.
//
// The collector may read the file at any moment, so it must never see one
// half written: the file is replaced whole, by rename(2) of a complete
// temporary file in the same directory (rename is atomic within a file
// system; the collector reads only *.prom, and the temporary name ends
// otherwise). The temporary file is made with O_EXCL and O_NOFOLLOW, so
// a name planted in a shared directory (a symbolic link, a file of another
// user) is never followed or written; and synced before the rename, so a
// crash leaves the old file or the new one, not an empty one.
#pragma once

#include <string>
#include <string_view>

namespace prockit {

// A label value as the text format quotes it: backslash, double quote and
// newline escaped (\\, \", \n). The format is UTF-8: a byte that is not
// part of valid UTF-8 becomes U+FFFD, so that a process name of any bytes
// cannot make the file unreadable to the collector.
std::string prometheus_label_value(std::string_view value);

// Replaces the file at `path` with `content` as described above, mode
// 0644 (the collector runs as another user). Throws prockit::Error naming
// what failed; `path` is left as it was then, and no temporary file stays.
void replace_file(const std::string& path, std::string_view content);

}  // namespace prockit
