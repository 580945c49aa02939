#include "core/checkpoint_schedule.hpp"

#include <catch2/catch.hpp>

using namespace sgp::core;

TEST_CASE("next_checkpoint is the next multiple before the run's end", "[core]") {
  CHECK(next_checkpoint(0, 100, 0) == 0);    // no checkpoints
  CHECK(next_checkpoint(25, 100, 0) == 25);  // the first
  CHECK(next_checkpoint(25, 100, 24) == 25);
  CHECK(next_checkpoint(25, 100, 25) == 50);  // strictly after
  CHECK(next_checkpoint(25, 100, 74) == 75);
  CHECK(next_checkpoint(25, 100, 75) == 0);  // 100 is the end: no pause there
  CHECK(next_checkpoint(30, 100, 95) == 0);
  CHECK(next_checkpoint(7, 1000, 699) == 700);  // a resumed run's next one
}

TEST_CASE("all_held needs every live process at the one iteration", "[core]") {
  const std::vector<bool> live{true, true, false, true};
  CHECK(all_held(live, {50, 50, 0, 50}, 50));
  CHECK(all_held(live, {50, 50, 25, 50}, 50));       // the dead one does not count
  CHECK_FALSE(all_held(live, {50, 25, 0, 50}, 50));  // one still at an older pause
  CHECK_FALSE(all_held(live, {50, 50, 0}, 50));      // not heard from
  CHECK_FALSE(all_held(live, {0, 0, 0, 0}, 0));      // no pause
  CHECK_FALSE(all_held({false, false}, {50, 50}, 50));
  CHECK(not_held(live, {50, 25, 0}, 50) == std::vector<std::size_t>{1, 3});
  CHECK(not_held(live, {50, 50, 0, 50}, 50).empty());
}
