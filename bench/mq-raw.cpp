// The baseline for bench/shq: the least a program can do to move N
// messages through a POSIX message queue, calling mq_send and mq_receive
// directly.
//
//     mq-raw send /NAME COUNT SIZE    send COUNT messages of SIZE bytes
//     mq-raw recv /NAME COUNT         receive COUNT messages
//     mq-raw lines /NAME              send each line of standard input: the
//                                     same work as `shq put`, done by a
//                                     plain read / memchr / mq_send loop
#include <fcntl.h>
#include <mqueue.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {
int send_lines(mqd_t q) {
    std::vector<char> buf(64 * 1024);
    size_t have = 0;
    for (;;) {
        ssize_t n = read(0, buf.data() + have, buf.size() - have);
        if (n < 0) {
            std::perror("mq-raw: read");
            return 4;
        }
        have += static_cast<size_t>(n);
        char* at = buf.data();
        char* end = buf.data() + have;
        for (char* nl; (nl = static_cast<char*>(std::memchr(at, '\n', static_cast<size_t>(end - at)))); at = nl + 1) {
            if (mq_send(q, at, static_cast<size_t>(nl - at), 0) == -1) {
                std::perror("mq-raw: mq_send");
                return 4;
            }
        }
        have = static_cast<size_t>(end - at);
        std::memmove(buf.data(), at, have);
        if (n == 0) return 0;
    }
}
}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "lines") == 0) {
        mqd_t q = mq_open(argv[2], O_WRONLY);
        if (q == static_cast<mqd_t>(-1)) {
            std::perror("mq-raw: mq_open");
            return 4;
        }
        return send_lines(q);
    }
    if (argc < 4) {
        std::fprintf(stderr, "usage: mq-raw send /NAME COUNT SIZE | recv /NAME COUNT | lines /NAME\n");
        return 2;
    }
    bool sending = std::strcmp(argv[1], "send") == 0;
    long count = std::atol(argv[3]);
    mqd_t q = mq_open(argv[2], sending ? O_WRONLY : O_RDONLY);
    if (q == static_cast<mqd_t>(-1)) {
        std::perror("mq-raw: mq_open");
        return 4;
    }
    mq_attr attr{};
    mq_getattr(q, &attr);
    std::vector<char> buf(static_cast<size_t>(attr.mq_msgsize), 'x');
    size_t size = sending && argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 0;
    for (long i = 0; i < count; ++i) {
        if (sending ? mq_send(q, buf.data(), size, 0) == -1
                    : mq_receive(q, buf.data(), buf.size(), nullptr) == -1) {
            std::perror(sending ? "mq-raw: mq_send" : "mq-raw: mq_receive");
            return 4;
        }
    }
    return 0;
}
