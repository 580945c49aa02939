// Push-sum state of one node: uniform shares, receive, de-bias, split.
#include <catch2/catch.hpp>

#include <vector>

#include "core/push_sum.hpp"

using namespace sgp::core;

TEST_CASE("uniform mixing weight is 1/(d+1)", "[core]") {
  CHECK(uniform_mixing_weight(0) == 1.0);
  CHECK(uniform_mixing_weight(1) == 0.5);
  CHECK(uniform_mixing_weight(3) == 0.25);
}

TEST_CASE("a kept self weight splits the rest evenly, and 0 is uniform", "[core]") {
  CHECK(mixing_weight(1, 0.0) == 0.5);
  CHECK(mixing_weight(3, 0.0) == 0.25);
  CHECK(mixing_weight(1, 0.75) == 0.25);
  CHECK(mixing_weight(2, 0.5) == 0.25);
  CHECK(mixing_weight(0, 0.75) == 1.0);  // no peer: nothing leaves
}

TEMPLATE_TEST_CASE("make_share keeps p x and returns p x", "[core]", float, double) {
  push_sum_state<TestType> s({4, 8, -12}, 1.0);
  const auto share = s.make_share(3);
  CHECK(share.x == std::vector<TestType>{1, 2, -3});
  CHECK(share.w == 0.25);
  CHECK(s.w() == 0.25);
  CHECK(std::vector<TestType>(s.x().begin(), s.x().end()) == share.x);
  s.receive(share);
  s.receive(share.x, share.w);
  CHECK(s.w() == 0.75);
  CHECK(s.x()[2] == TestType(-9));
  const auto z = s.debiased();
  CHECK(z[0] == Approx(4.0));
  CHECK(z[2] == Approx(-12.0));
}

TEST_CASE("zero out-degree keeps everything", "[core]") {
  push_sum_state<double> s({1.5}, 2.0);
  const auto share = s.make_share(0);
  CHECK(s.w() == 2.0);
  CHECK(share.x[0] == 1.5);
}

TEST_CASE("split_half conserves mass and z", "[core]") {
  push_sum_state<double> s({2.0, 6.0}, 1.0);
  const auto half = s.split_half();
  push_sum_state<double> joined(half.x, half.w);
  CHECK(s.w() + joined.w() == 1.0);
  CHECK(s.x()[1] + joined.x()[1] == 6.0);
  CHECK(joined.debiased() == std::vector<double>{2.0, 6.0});
}
