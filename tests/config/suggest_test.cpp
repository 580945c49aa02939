// Tests for edit distance and closest-key suggestion (config/suggest.hpp).
#include <catch2/catch.hpp>

#include <array>
#include <string_view>

#include "config/suggest.hpp"

using namespace std::string_view_literals;

TEST_CASE("edit distance counts single-character edits and swaps", "[config]") {
  using sgp::config::edit_distance;
  CHECK(edit_distance("lr", "lr") == 0);
  CHECK(edit_distance("lrr", "lr") == 1);
  CHECK(edit_distance("optimzier", "optimizer") == 1);
  CHECK(edit_distance("momentun", "momentum") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("closest suggests only plausible typos", "[config]") {
  constexpr std::array keys = {"lr"sv, "momentum"sv, "nesterov"sv, "weight_decay"sv};
  CHECK(sgp::config::closest("lrr", keys) == "lr");
  CHECK(sgp::config::closest("weight_decy", keys) == "weight_decay");
  CHECK(sgp::config::closest("nestrov", keys) == "nesterov");
  CHECK_FALSE(sgp::config::closest("batch_size", keys).has_value());
  CHECK_FALSE(sgp::config::closest("xyz", keys).has_value());
}
