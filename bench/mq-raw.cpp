// The baseline for bench/shq: the least a program can do to move N
// messages through a POSIX message queue, calling mq_send and mq_receive
// directly.
//
//     mq-raw send /NAME COUNT SIZE    send COUNT messages of SIZE bytes
//     mq-raw recv /NAME COUNT         receive COUNT messages
#include <fcntl.h>
#include <mqueue.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: mq-raw send /NAME COUNT SIZE | recv /NAME COUNT\n");
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
