// lib/shm_ring over an image in plain memory (ShmRing::over, no /dev/shm):
// messages in order across the wrap, the geometry and state checks, and
// the journal a dead lock owner left, replayed by the next locker -- or,
// when it does not check out, never applied.
#include <cstdint>
#include <cstring>
#include <new>
#include <string>

#include "shm_ring.h"
#include "unit.h"

using namespace prockit;

namespace {
// The header's layout (see the static_asserts in lib/shm_ring.cpp): the
// lock word and its owner, the state (head, tail, count, puts, gets) and
// the journal (valid, then the next state) that a commit writes first.
constexpr size_t kLock = 32, kOwner = 40, kState = 72, kJournalValid = 112, kJournalNext = 120;
constexpr uint32_t kDeadTid = 0x3FFFFFFF;  // past pid_max: an owner no process can be

struct State {
    uint64_t head, tail, count, puts, gets;
};

// A formatted ring of `bytes` of message space, 64-byte aligned as a mapping is.
struct Image {
    Image(size_t bytes, size_t msgsize) : size(ShmRing::image_size(bytes)) {
        base = static_cast<char*>(::operator new(size, std::align_val_t{64}));
        std::memset(base, 0, size);
        ShmRing::format(base, bytes, msgsize);
    }
    ~Image() { ::operator delete(base, std::align_val_t{64}); }
    Image(const Image&) = delete;
    Image& operator=(const Image&) = delete;

    template <class T>
    void put(size_t offset, T v) { std::memcpy(base + offset, &v, sizeof v); }
    State state() const {
        State s;
        std::memcpy(&s, base + kState, sizeof s);
        return s;
    }
    // As if the lock's owner died between writing the journal and applying it.
    void die_after_journal(const State& next) {
        put(kJournalNext, next);
        put(kJournalValid, uint32_t{1});
        put(kLock, kDeadTid);
        put(kOwner, uint64_t{0});
    }
    size_t size;
    char* base;
};

std::string take(ShmRing& ring) {
    std::string buf(ring.max_message(), '\0');
    size_t len = 0;
    if (!ring.try_receive(buf.data(), len)) return "(empty)";
    return buf.substr(0, len);
}
}  // namespace

TEST("messages come out in order, across the end of the ring") {
    Image image(64, 16);
    ShmRing ring = ShmRing::over(image.base, image.size);
    CHECK_EQ(ring.max_message(), 16u);
    for (int round = 0; round < 20; ++round) {
        std::string a = "m" + std::to_string(round), b(static_cast<size_t>(round % 17), 'x');
        CHECK(ring.send(a, Deadline::now(), nullptr));
        CHECK(ring.send(b, Deadline::now(), nullptr));
        CHECK_EQ(take(ring), a);
        CHECK_EQ(take(ring), b);
    }
    CHECK_EQ(take(ring), "(empty)");
    State s = image.state();
    CHECK_EQ(s.head, s.tail);
    CHECK_EQ(s.puts, 40u);
    CHECK_EQ(s.gets, 40u);
}

TEST("status: depth and bytes used, 4 bytes a message more") {
    Image image(256, 32);
    ShmRing ring = ShmRing::over(image.base, image.size);
    CHECK(ring.send("a", Deadline::now(), nullptr));
    CHECK(ring.send("bc", Deadline::now(), nullptr));
    ShmRing::Status st = ring.status();
    CHECK_EQ(st.bytes, 256u);
    CHECK_EQ(st.msgsize, 32u);
    CHECK_EQ(st.depth, 2u);
    CHECK_EQ(st.used, 11u);
    CHECK_EQ(st.recoveries, 0u);
    CHECK_EQ(st.lock, "");
}

TEST("a full ring refuses a put without waiting; a message over msgsize is an Error") {
    Image image(16, 12);
    ShmRing ring = ShmRing::over(image.base, image.size);
    CHECK(ring.send("12345678", Deadline::now(), nullptr));
    CHECK(!ring.send("x", Deadline::now(), nullptr));
    CHECK_ERROR(ring.send("1234567890123", Deadline::now(), nullptr), Exit::failure,
                "message of 13 bytes exceeds the queue's 12");
}

TEST("take_many writes records: priority prefix and delimiter; need when one does not fit") {
    Image image(256, 32);
    ShmRing ring = ShmRing::over(image.base, image.size);
    CHECK(ring.send("one", Deadline::now(), nullptr));
    CHECK(ring.send("three", Deadline::now(), nullptr));
    char buf[64];
    RecordFormat f{'\0', true, true, false};
    ShmRing::Batch small = ring.take_many(buf, 4, 16, f, Deadline::now(), nullptr);
    CHECK_EQ(small.messages, 0u);
    CHECK_EQ(small.need, 6u);  // "0\tone\0"
    ShmRing::Batch b = ring.take_many(buf, sizeof buf, 16, f, Deadline::now(), nullptr);
    CHECK_EQ(b.messages, 2u);
    CHECK_EQ(std::string(buf, b.used), std::string("0\tone\0" "0\tthree\0", 14));
}

TEST("the journal of an owner that died is replayed by the next locker") {
    Image image(256, 32);
    {
        ShmRing ring = ShmRing::over(image.base, image.size);
        CHECK(ring.send("kept", Deadline::now(), nullptr));
        CHECK(ring.send("taken", Deadline::now(), nullptr));
    }
    // The dead owner had taken "kept" (8 bytes) and journaled the new state.
    image.die_after_journal(State{8, 17, 1, 2, 1});
    ShmRing ring = ShmRing::over(image.base, image.size);
    ShmRing::Status st = ring.status();
    CHECK_EQ(st.depth, 1u);
    CHECK_EQ(st.used, 9u);
    CHECK_EQ(st.recoveries, 1u);
    CHECK_EQ(take(ring), "taken");
    State s = image.state();
    CHECK_EQ(s.head, 17u);
    CHECK_EQ(s.gets, 2u);
}

TEST("a journal that does not check out is never applied: damaged, every time") {
    Image image(256, 32);
    image.die_after_journal(State{9, 8, 0, 0, 0});  // head past tail
    ShmRing ring = ShmRing::over(image.base, image.size);
    const std::string why = "the queue's header is damaged (head and tail; not written by this prockit?)";
    CHECK_ERROR(ring.status(), Exit::failure, why);
    CHECK_ERROR(ring.send("x", Deadline::now(), nullptr), Exit::failure, why);
    CHECK_EQ(image.state().tail, 0u);
}

TEST("a forged state is damaged, not used") {
    Image image(256, 32);
    ShmRing ring = ShmRing::over(image.base, image.size);
    image.put(kState, State{0, 8, 3, 0, 0});  // 3 messages in 8 bytes
    CHECK_ERROR(ring.status(), Exit::failure,
                "the queue's header is damaged (message count; not written by this prockit?)");
    image.put(kState, State{0, 300, 1, 0, 0});  // more than the ring holds
    CHECK_ERROR(ring.status(), Exit::failure,
                "the queue's header is damaged (head and tail; not written by this prockit?)");
    image.put(kState, State{0, 8, 1, 0, 0});
    image.put(ShmRing::image_size(0), uint32_t{30});  // a length past what the state holds
    size_t len = 0;
    char buf[32];
    CHECK_ERROR(ring.try_receive(buf, len), Exit::failure, "the queue is damaged: a message claims 30 bytes");
}

TEST("a forged geometry is refused when the ring is opened") {
    Image image(256, 32);
    CHECK_ERROR(ShmRing::over(image.base, 16), Exit::failure,
                "the queue's header is damaged (smaller than its header; not written by this prockit?)");
    image.put(8, uint64_t{0});  // bytes
    CHECK_ERROR(ShmRing::over(image.base, image.size), Exit::failure,
                "the queue's header is damaged (ring size; not written by this prockit?)");
    image.put(8, uint64_t{256});
    image.put(16, uint64_t{253});  // msgsize past bytes - 4
    CHECK_ERROR(ShmRing::over(image.base, image.size), Exit::failure,
                "the queue's header is damaged (message size; not written by this prockit?)");
    image.put(16, uint64_t{32});
    image.put(24, uint64_t{7});  // data offset inside the header
    CHECK_ERROR(ShmRing::over(image.base, image.size), Exit::failure,
                "the queue's header is damaged (data offset; not written by this prockit?)");
}
