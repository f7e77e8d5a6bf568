// Opening what --results and --joblog write, in directories another local
// user may have made (/tmp): a symbolic link is followed only when it is
// ours or root's (as fs.protected_symlinks), and a directory or file that
// another user owns is refused, so that root never writes through a path a
// user chose for it. A refusal is an Error of one line.
#pragma once

#include <sys/stat.h>

#include <functional>
#include <string>

#include "fd.h"

namespace prockit {

// The directory `path` (relative to the working directory, which is not
// checked, or absolute), each missing component made with mode 0777 less
// the umask (as mkdir -p, as GNU parallel) when `make`. `what` starts the
// messages ("--results").
Fd open_owned_dir(const std::string& path, bool make, const std::string& what);

// The file `path` for writing: created with mode 0666 less the umask, or
// emptied (`append` false) when it is a regular file; a character device
// or a FIFO is taken as it is (/dev/null).
Fd open_owned_file(const std::string& path, bool append, const std::string& what);
// The same for `name` in the directory `dir`, named `path` in messages.
Fd open_owned_file_at(int dir, const std::string& name, const std::string& path, bool append, const std::string& what);

// Refuses a directory that users other than its owner may write without
// the sticky bit (an Error of one line: "`named` has mode 0777: writable by
// others without the sticky bit, `why`"): any of them may remove or rename
// what another put there and put their own in its place. The directory of
// a semaphore's slots (lib/semaphore.h), the TMPDIR of --cat and --fifo.
void check_sticky_if_shared(const struct stat& st, const std::string& named, const std::string& why);

// Refuses the directory `path` (from the working directory when relative)
// when another user could rename it, or a directory above it, away and
// put their own in its place: each directory from / down to it, through
// the symbolic links on the way, must be ours or root's and, when others
// may write it, sticky (as check_sticky_if_shared), and each link ours or
// root's. An Error of one line: "`named`[: the one at fault] belongs to
// uid N, `why`", or the mode as check_sticky_if_shared says it. --cat's and
// --fifo's TMPDIR: their jobs open their files by name.
void check_owned_chain(const std::string& path, const std::string& named, const std::string& why);

// $TMPDIR, or /tmp when it is unset or empty: where temporary files go.
std::string temp_dir();

// A new file $TMPDIR/parXXXXX`suffix` (/tmp without TMPDIR), named as GNU
// parallel names its files, made by `make`, which returns false with errno
// EEXIST when the name is taken (another name is tried) or another errno
// (an Error naming `what`). Returns the name.
std::string make_par_name(const char* what, const char* suffix, const std::function<bool(const std::string&)>& make);

}  // namespace prockit
