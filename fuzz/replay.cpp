// Runs a fuzz target over files, without libFuzzer: `make check` builds each
// target with this main (g++, and ASan/UBSan under `make sanitize`) and
// feeds it every input in fuzz/regress/TARGET/, so that a crash once found
// stays fixed even on machines that never run `make fuzz`.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz.h"

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "fuzz-replay: cannot read %s\n", argv[i]);
            return 2;
        }
        std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    }
    return 0;
}
