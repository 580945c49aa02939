// parallel_chunks: every index once, chunks contiguous, short loops inline.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/parallel_chunks.hpp"

using namespace sgp::core;

TEST_CASE("parallel chunks cover every index exactly once", "[core]") {
  for (const std::size_t n :
       {std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{4099}}) {
    std::vector<std::atomic<int>> seen(n);
    std::mutex mutex;
    std::vector<std::pair<std::size_t, std::size_t>> chunks;
    parallel_chunks(
        n,
        [&](std::size_t b, std::size_t e) {
          for (std::size_t i = b; i < e; ++i) ++seen[i];
          const std::lock_guard lock(mutex);
          chunks.emplace_back(b, e);
        },
        4, 100);
    for (std::size_t i = 0; i < n; ++i) CHECK(seen[i] == 1);
    // At most 4 chunks, none shorter than 100 unless the loop is.
    CHECK(chunks.size() <= 4);
    CHECK(chunks.size() == std::min<std::size_t>(4, std::max<std::size_t>(1, n / 100)));
  }
}

TEST_CASE("a loop shorter than two chunks runs on the calling thread", "[core]") {
  const auto caller = std::this_thread::get_id();
  std::thread::id ran_on;
  parallel_chunks(
      50, [&](std::size_t, std::size_t) { ran_on = std::this_thread::get_id(); }, 8, 100);
  CHECK(ran_on == caller);
  bool called = false;
  parallel_chunks(0, [&](std::size_t, std::size_t) { called = true; });
  CHECK_FALSE(called);
}
