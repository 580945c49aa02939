// The host mass space's fused step and send gives the same bits as the step
// followed by the send, for every shape of send.
#include "core/host_mass_space.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "core/rng.hpp"

namespace {

template <class T>
std::vector<T> random_values(std::size_t n, std::uint64_t seed, double scale) {
  sgp::core::rng r(seed);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(scale * (2.0 * r.uniform() - 1.0));
  return v;
}

template <class T>
void check_fused_matches_separate(std::size_t edges, bool with_old, bool bf16) {
  const std::size_t n = 1001;
  const auto x = random_values<T>(n, 3, 1.0);
  const auto delta = random_values<float>(n, 4, 0.01);
  sgp::core::host_mass_space<T> fused(x);
  sgp::core::host_mass_space<T> separate(x);
  // Earlier blocks on the edges (or none: the edges' first mass).
  std::vector<sgp::core::shared_mass> earlier;
  std::vector<const sgp::core::mass_block*> old(edges, nullptr);
  if (with_old) {
    for (std::size_t k = 0; k < edges; ++k) {
      const auto values = random_values<double>(n, 10 + k, 5.0);
      earlier.push_back(std::make_shared<sgp::core::host_mass>(values));
      old[k] = earlier.back().get();
    }
  }
  const double fraction = 1.0 / static_cast<double>(edges + 1);
  auto a = fused.step_and_send(delta, 0.75f, old, fraction, bf16);
  separate.add_scaled(delta, 0.75f);
  auto b = separate.send(old, fraction, bf16);
  REQUIRE(a.size() == edges);
  REQUIRE(b.size() == edges);
  CHECK(fused.x_host() == separate.x_host());
  for (std::size_t k = 0; k < edges; ++k) CHECK(a[k]->to_host() == b[k]->to_host());
}

}  // namespace

TEST_CASE("host step_and_send equals add_scaled then send", "[core]") {
  for (const bool bf16 : {false, true}) {
    for (const bool with_old : {false, true}) {
      for (const std::size_t edges : {0u, 1u, 3u}) {
        check_fused_matches_separate<float>(edges, with_old, bf16);
        check_fused_matches_separate<double>(edges, with_old, bf16);
      }
    }
  }
}
