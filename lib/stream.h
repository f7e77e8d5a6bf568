// Byte-stream endpoints (-, PATH, file:PATH, fifo:PATH, fd:N) opened for
// reading or writing, with what the copy loop needs to know about them.
//
// Nothing here blocks where a stop signal cannot get in: a FIFO is opened
// without waiting for its other side (a writer waits in ppoll for a reader
// to appear), and the copy loop polls before it reads.
//
// A fifo: path may lie where another local user can plant or swap names
// (/tmp). Its last component is never followed if it is a symbolic link,
// what is opened must be a FIFO, and must stay the same FIFO while a
// writer waits for its reader; one that is not ours, in a directory
// others may write, is refused (the rule of the kernel's
// fs.protected_fifos, kept whatever that sysctl says). A FIFO we make is
// made with exactly the mode asked for, 0600 unless told otherwise.
#pragma once

#include <sys/types.h>

#include <string>

#include "endpoint.h"
#include "fd.h"
#include "signals.h"

namespace prockit {

// The mode of a FIFO that a fifo: endpoint makes, unless told otherwise:
// the owner's only, as the queues are.
constexpr unsigned kFifoMode = 0600;

class Stream {
public:
    // A sink opens a file it names without O_TRUNC, so that its caller can
    // look first (is it the input? is it a file worth keeping?) and then
    // truncate() it; append opens it with O_APPEND.
    enum class Direction { source, sink, append };

    // Opens the endpoint. A fifo: that does not exist is created with
    // exactly fifo_mode (and removed again when this Stream ends, if it is
    // still there); a missing file to read, fifo directory or fd is
    // Error(Exit::missing); a fifo: path that is not a FIFO, or a FIFO
    // planted by another user, is Error(Exit::failure). Returns a Stream
    // whose fd() is -1 if a stop signal came while waiting for a FIFO's
    // reader.
    static Stream open(const Endpoint& e, Direction d, const StopSignals* stop, unsigned fifo_mode = kFifoMode);

    Stream(Stream&&) noexcept;
    Stream& operator=(Stream&&) = delete;
    ~Stream();

    int fd() const { return fd_; }
    // How to name it in a message: "standard input", "fifo:x", "out.txt".
    const std::string& name() const { return name_; }
    bool is_pipe() const { return pipe_; }        // a pipe or FIFO
    bool is_regular() const { return regular_; }  // a regular file
    // Whether a read or write may wait (pipes, terminals, sockets): the
    // copy loop polls these first so that signals and -t can get in.
    bool may_block() const { return !regular_; }
    // Whether it is a path named by the user (PATH, file:PATH), not stdio,
    // fd:N or a FIFO: the shell's > and >> chose for those.
    bool is_named_file() const { return named_; }
    // Both regular files and the same one (device and inode): writing one
    // while reading the other would truncate or feed back the input.
    bool same_file(const Stream& other) const;
    // A regular file's bytes from the offset to its end (what is left to
    // read), and 0 for anything else.
    uint64_t size_left() const;
    // Empties a regular file opened as a sink; anything else is left alone
    // (as O_TRUNC would).
    void truncate() const;

    // A FIFO this Stream made, removed when it ends: by its directory and
    // name, and only while that name still is the FIFO made (another user
    // may have swapped it since, where others may write the directory).
    class Made {
    public:
        Made() = default;
        Made(int dir, std::string name, dev_t dev, ino_t ino);
        Made(Made&&) noexcept = default;
        Made& operator=(Made&&) = delete;
        ~Made();

    private:
        Fd dir_;
        std::string name_;
        dev_t dev_ = 0;
        ino_t ino_ = 0;
    };

private:
    Stream(int fd, Fd owned, std::string name);
    Stream(int fd, Fd owned, std::string name, Made made);
    static Stream open_fifo(const Endpoint& e, bool reading, unsigned mode, const StopSignals* stop);

    int fd_;
    Fd owned_;
    std::string name_;
    Made made_;
    bool pipe_ = false, regular_ = false, named_ = false;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
};

}  // namespace prockit
