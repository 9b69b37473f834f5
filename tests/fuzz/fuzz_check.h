// What a fuzz target does when an invariant fails: print it and abort, so
// libFuzzer keeps the input as a crash. Invariants are checked in every
// build type (no assert(), which NDEBUG would drop).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                     \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                               \
    }                                                                                             \
  } while (false)
