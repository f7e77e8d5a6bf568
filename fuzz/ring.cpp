// A ring over a segment image another user wrote: any bytes at all, with a
// lock that is free or whose owner died (so that the journal is replayed). Opening, status, takes and puts on it must
// either work, keeping the ring's invariants, or throw Error ("damaged"):
// never read or write outside the image, never overflow, never hang.
//
// Input: byte 0 chooses what to do (bit 0: the owner died; bit 1: take
// with a priority prefix; bits 2-3: a little or very little room for the
// takes); bytes 1-2 the image's size in 64-byte units; the rest is the image.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "diag.h"
#include "fuzz.h"
#include "shm_ring.h"

using prockit::Deadline;
using prockit::ShmRing;

namespace {
// See the static_asserts in lib/shm_ring.cpp: the lock word, then who owns it.
constexpr size_t kLockOffset = 32, kOwnerOffset = 40, kOwnerEnd = 56, kStateOffset = 72;

// 64-byte aligned storage, as a mapping is.
struct Image {
    explicit Image(size_t n) : size(n), bytes(static_cast<char*>(::operator new(n, std::align_val_t{64}))) {}
    ~Image() { ::operator delete(bytes, std::align_val_t{64}); }
    Image(const Image&) = delete;
    Image& operator=(const Image&) = delete;
    size_t size;
    char* bytes;
};

void check(bool ok) {
    if (!ok) std::abort();
}

// The state in the image (head, tail, count at 72, 80, 88), as a step
// left it: one it committed must be consistent, whatever it started from.
struct RawState {
    uint64_t head, tail, count;
    bool operator==(const RawState&) const = default;
};

RawState raw_state(const Image& image) {
    RawState s{};
    std::memcpy(&s, image.bytes + kStateOffset, sizeof s);
    return s;
}

// A step that changed the state left one a later step accepts: head not
// past tail, at most one message per length prefix, none iff empty.
void check_committed(const Image& image, const RawState& before) {
    RawState s = raw_state(image);
    if (s == before) return;
    check(s.head <= s.tail);
    uint64_t used = s.tail - s.head;
    check(s.count <= used / 4 && (s.count == 0) == (used == 0));
}

// Takes and puts on a ring that opened, checking what each step promises.
void exercise(ShmRing& ring, const Image& image, unsigned options) {
    ShmRing::Status before = ring.status();
    check(before.used <= before.bytes && before.msgsize <= before.bytes);
    std::vector<char> buf(ring.max_message() + 8);
    size_t len = 0;
    RawState was = raw_state(image);
    for (int i = 0; i < 4 && ring.try_receive(buf.data(), len); ++i) {
        check(len <= ring.max_message());
        check_committed(image, was);
        was = raw_state(image);
    }

    const prockit::RecordFormat f{'\n', (options & 2) != 0, true, true};
    size_t cap = std::min(buf.size(), options & 4 ? size_t{3} : options & 8 ? size_t{64} : buf.size());
    was = raw_state(image);
    ShmRing::Batch b = ring.take_many(buf.data(), cap, 16, f, Deadline::now(), nullptr);
    check_committed(image, was);
    check(b.used <= cap);
    check(b.messages == 0 || b.need == 0);

    std::string msg(std::min<size_t>(ring.max_message(), 40), 'm');
    ShmRing::Status s0 = ring.status();
    if (ring.send(msg, Deadline::now(), nullptr)) {
        ShmRing::Status s1 = ring.status();
        check(s1.depth == s0.depth + 1 && s1.used == s0.used + 4 + msg.size());
    }
    std::string_view many[3] = {"", "a", msg};
    ring.send_many(many, 3, prockit::WaitPolicy::no_wait(), nullptr);
    ShmRing::Status after = ring.status();
    check(after.used <= after.bytes && after.depth * 4 <= after.used);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 3) return 0;
    const unsigned options = data[0];
    const size_t units = (static_cast<size_t>(data[1]) | static_cast<size_t>(data[2]) << 8) % 1024 + 1;
    Image image(units * 64);
    std::memset(image.bytes, 0, image.size);
    std::memcpy(image.bytes, data + 3, std::min(size - 3, image.size));

    // A lock that is free, or held by a TID no process can have (past
    // pid_max: "owner died", so the journal is replayed); a lock word
    // naming a live process is the timed lock's business
    // (tests/shq-crash.bats), not this target's, which must not wait.
    if (image.size >= kOwnerEnd) {
        const uint32_t word = options & 1 ? 0x3FFFFFFF : 0;
        std::memcpy(image.bytes + kLockOffset, &word, sizeof word);
        std::memset(image.bytes + kOwnerOffset, 0, kOwnerEnd - kOwnerOffset);
    }
    try {
        ShmRing ring = ShmRing::over(image.bytes, image.size);
        exercise(ring, image, options);
    } catch (const prockit::Error&) {
        // A damaged header, said as such: the expected answer.
    }
    return 0;
}
