// The consensus measures over nodes' models: a node's distance to the
// averaged model (a cluster's consensus notice), and the consensus distance
// of one process's nodes.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "actors/group_measures.hpp"

using namespace sgp::actors;

TEST_CASE("a node's distance to the averaged model is Euclidean, NaN for another size",
          "[actors]") {
  const std::vector<float> z{1.0F, 2.0F, 2.0F};
  const std::vector<double> mean{1.0, 0.0, 0.0};
  CHECK(distance_to(z, mean) == Approx(std::sqrt(8.0)));
  CHECK(distance_to(z, std::vector<double>{1.0, 2.0, 2.0}) == 0.0);
  CHECK(std::isnan(distance_to(z, std::vector<double>{1.0, 2.0})));
}

TEST_CASE("the consensus distance is the largest distance over the norm of the mean", "[actors]") {
  std::vector<node_snapshot> all(3);
  all[0].z = std::make_shared<const std::vector<float>>(std::vector<float>{3.0F, 0.0F});
  all[1].z = std::make_shared<const std::vector<float>>(std::vector<float>{1.0F, 0.0F});
  // all[2] has no model (a node without mass): left out.
  const auto mean = mean_model(all);
  REQUIRE(mean == std::vector<float>{2.0F, 0.0F});
  CHECK(consensus_distance(all, mean) == Approx(0.5));
  // The same through the cluster's way: each node against the mean, then
  // the largest over the norm.
  const std::vector<double> wide(mean.begin(), mean.end());
  const double worst = std::max(distance_to(*all[0].z, wide), distance_to(*all[1].z, wide));
  CHECK(relative_to_mean(worst, euclidean_norm(mean)) == Approx(consensus_distance(all, mean)));
}

TEST_CASE("a distance relative to a zero model stays absolute", "[actors]") {
  CHECK(relative_to_mean(3.0, 2.0) == Approx(1.5));
  CHECK(relative_to_mean(3.0, 0.0) == 3.0);
  CHECK(euclidean_norm(std::vector<float>{3.0F, 4.0F}) == Approx(5.0));
}

TEST_CASE("one distance not measured makes the largest not measured", "[actors]") {
  CHECK(larger_distance(0.0, 2.0) == 2.0);
  CHECK(larger_distance(2.0, 1.0) == 2.0);
  CHECK(std::isnan(larger_distance(2.0, -1.0)));  // a process's "not measured"
  CHECK(std::isnan(larger_distance(2.0, std::numeric_limits<double>::quiet_NaN())));
  CHECK(std::isnan(larger_distance(std::numeric_limits<double>::quiet_NaN(), 1.0)));
}
