// Byte-stream endpoints (-, PATH, file:PATH, fifo:PATH, fd:N) opened for
// reading or writing, with what the copy loop needs to know about them.
//
// Nothing here blocks where a stop signal cannot get in: a FIFO is opened
// without waiting for its other side (a writer waits in ppoll for a reader
// to appear), and the copy loop polls before it reads.
#pragma once

#include <string>

#include "endpoint.h"
#include "fd.h"
#include "signals.h"

namespace prockit {

class Stream {
public:
    enum class Direction { source, sink };

    // Opens the endpoint. A fifo: that does not exist is created (and
    // removed again when this Stream ends); a missing file to read, fifo
    // directory or fd is Error(Exit::missing). Returns a Stream whose
    // fd() is -1 if a stop signal came while waiting for a FIFO's reader.
    static Stream open(const Endpoint& e, Direction d, const StopSignals* stop);

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

private:
    Stream(int fd, Fd owned, std::string name, std::string remove_on_close);

    int fd_;
    Fd owned_;
    std::string name_;
    std::string remove_;  // a FIFO we created
    bool pipe_ = false, regular_ = false;
};

}  // namespace prockit
