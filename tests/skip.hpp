// Skipping a test that cannot run here (no GPU, no dataset). Catch2 v2 has
// no SKIP: the test warns and leaves. Under ctest (which sets
// SGP_TEST_SKIP_EXIT, one test case per process) the process then exits
// with 77, which ctest's SKIP_RETURN_CODE reports as "Skipped" rather than
// "Passed". Run by hand, the binary warns and goes on with the next test.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace sgp::test {

/// The exit code ctest reads as a skipped test (SKIP_RETURN_CODE).
inline constexpr int skip_exit_code = 77;

inline void skip_now() {
  if (std::getenv("SGP_TEST_SKIP_EXIT") == nullptr) return;
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(skip_exit_code);
}

}  // namespace sgp::test

/// Warns `message` (a Catch2 message stream) and leaves the test case as skipped.
#define SGP_SKIP(message)         \
  do {                            \
    WARN("skipped: " << message); \
    ::sgp::test::skip_now();      \
    return;                       \
  } while (false)
