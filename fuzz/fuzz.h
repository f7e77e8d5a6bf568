// The entry point every fuzz target defines: libFuzzer calls it under
// `make fuzz`, replay.cpp calls it on the kept inputs under `make check`.
// A target aborts (or a sanitizer reports) when a property fails; an
// Error thrown for bad input is the expected answer, not a failure.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
