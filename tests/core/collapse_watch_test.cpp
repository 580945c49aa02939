// The collapse watch (core/collapse_watch.hpp): a loss that fell and went
// back to chance is a collapse; one that learned, one that never learned,
// one that rose only part of the way, and an inactive watch are not.
#include "core/collapse_watch.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

using sgp::core::collapse_watch;

namespace {

/// `iterations` iterations of `nodes` nodes, loss(iteration) each.
collapse_watch run(int classes, std::size_t nodes, std::uint64_t iterations,
                   const std::function<double(std::uint64_t)>& loss) {
  collapse_watch w(classes, nodes);
  for (std::uint64_t it = 1; it <= iterations; ++it) {
    for (std::size_t n = 0; n < nodes; ++n) w.add(it, loss(it) + 0.01 * static_cast<double>(n));
  }
  return w;
}

}  // namespace

TEST_CASE("a loss that fell and went back to chance is a collapse, with where", "[core]") {
  const double chance = std::log(10.0);
  // Session 15's ar-sgd run: 1.59 at iteration 21, ln 10 from 41 on.
  const auto w = run(10, 8, 300, [&](std::uint64_t it) {
    if (it < 21) return chance - (chance - 1.5) * static_cast<double>(it) / 21.0;
    if (it < 41) return 1.5 + (chance - 1.5) * static_cast<double>(it - 21) / 20.0;
    return chance;
  });
  const auto v = w.verdict();
  REQUIRE(v.has_value());
  CHECK(v->find("collapsed") != std::string::npos);
  CHECK(v->find("ln 10 = 2.3") != std::string::npos);
  CHECK(v->find("at iteration 2") != std::string::npos);  // near 21 (smoothed)
}

TEST_CASE("a loss that learned, never learned, or rose part of the way is no collapse", "[core]") {
  const double chance = std::log(10.0);
  CHECK_FALSE(run(10, 4, 300, [&](std::uint64_t it) {
                return 0.4 + (chance - 0.4) * std::exp(-static_cast<double>(it) / 30.0);
              }).verdict());
  CHECK_FALSE(run(10, 4, 300, [&](std::uint64_t) { return chance; }).verdict());
  CHECK_FALSE(
      run(10, 4, 300, [&](std::uint64_t it) { return it < 100 ? 0.5 : 0.9 * chance; }).verdict());
  // Too short to judge: the smoothing has not settled.
  CHECK_FALSE(run(10, 4, 15, [&](std::uint64_t it) { return it < 12 ? 0.5 : chance; }).verdict());
  // Inactive: one class, or a default watch.
  CHECK_FALSE(run(1, 4, 300, [&](std::uint64_t it) { return it < 100 ? -1.0 : 0.0; }).verdict());
  collapse_watch none;
  none.add(1, 0.1);
  none.add(2, 5.0);
  CHECK_FALSE(none.verdict());
}
