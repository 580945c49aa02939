// The rank, size and key of a live set (core/live_ranks.hpp).
#include <catch2/catch.hpp>

#include "core/live_ranks.hpp"

TEST_CASE("a process's rank is its index among the live processes", "[core]") {
  const std::vector<bool> live{true, false, true, true};
  const auto r = sgp::core::live_ranks_of(live, 2);
  CHECK(r.rank == 1);
  CHECK(r.size == 3);
  CHECK(r.mask == "1011");
  CHECK(r.member);
  CHECK(sgp::core::live_ranks_of(live, 0).rank == 0);
  CHECK(sgp::core::live_ranks_of(live, 3).rank == 2);
  CHECK_FALSE(sgp::core::live_ranks_of(live, 1).member);
  CHECK_FALSE(sgp::core::live_ranks_of(live, 4).member);
}
