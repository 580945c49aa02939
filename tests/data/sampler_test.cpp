// Tests for shard_sampler (disjoint covering shards, per-epoch reshuffles,
// determinism), gather_batch and the synthetic dataset.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <vector>

#include "data/batch.hpp"
#include "data/shard_sampler.hpp"
#include "data/synthetic.hpp"

using sgp::data::shard_sampler;

TEST_CASE("shards are disjoint, equal and cover all but the remainder", "[data]") {
  for (const int nodes : {1, 3, 8}) {
    const std::size_t n = 1003;
    std::vector<int> owner(n, -1);
    for (int node = 0; node < nodes; ++node) {
      const shard_sampler s(n, node, nodes, 7);
      CHECK(s.shard_size() == n / nodes);
      for (std::size_t index : s.epoch_order(0)) {
        REQUIRE(index < n);
        CHECK(owner[index] == -1);
        owner[index] = node;
      }
    }
    const auto unowned = std::count(owner.begin(), owner.end(), -1);
    CHECK(unowned == static_cast<long>(n % nodes));
  }
}

TEST_CASE("every epoch is a fresh permutation of the same shard", "[data]") {
  const shard_sampler s(600, 1, 4, 11);
  const auto e0 = s.epoch_order(0);
  const auto e1 = s.epoch_order(1);
  CHECK(e0 != e1);
  CHECK(e0 == s.epoch_order(0));
  auto a = e0;
  auto b = e1;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  CHECK(a == b);
  auto shard = s.shard();
  std::sort(shard.begin(), shard.end());
  CHECK(a == shard);
  // Another node's order in the same epoch is a different shuffle of a different shard.
  const shard_sampler other(600, 2, 4, 11);
  CHECK(other.epoch_order(0) != e0);
}

TEST_CASE("shards and orders are determined by the seed", "[data]") {
  const shard_sampler a(500, 0, 2, 5);
  const shard_sampler b(500, 0, 2, 5);
  const shard_sampler c(500, 0, 2, 6);
  CHECK(a.shard() == b.shard());
  CHECK(a.epoch_order(3) == b.epoch_order(3));
  CHECK(a.shard() != c.shard());
}

TEST_CASE("batches per epoch round up unless the last is dropped", "[data]") {
  const shard_sampler s(100, 0, 3, 1);  // 33 samples
  CHECK(s.batches_per_epoch(10, false) == 4);
  CHECK(s.batches_per_epoch(10, true) == 3);
  CHECK(s.batches_per_epoch(33, true) == 1);
  CHECK(s.batches_per_epoch(64, true) == 0);
}

TEST_CASE("gather_batch copies the chosen samples contiguously", "[data]") {
  const auto d = sgp::data::make_synthetic(10, 2, 3, 4, 5, 1);
  const std::vector<std::size_t> indices = {7, 2, 7};
  const std::size_t per = d.sample_elements();
  std::vector<float> images(indices.size() * per, -99.0f);
  std::vector<std::int32_t> labels(indices.size(), -1);
  sgp::data::gather_batch(d, indices, images.data(), labels.data());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    CHECK(labels[i] == d.labels[indices[i]]);
    CHECK(std::equal(images.begin() + static_cast<long>(i * per),
                     images.begin() + static_cast<long>((i + 1) * per),
                     d.images.begin() + static_cast<long>(indices[i] * per)));
  }
}

TEST_CASE("synthetic data is deterministic, balanced and learnable", "[data]") {
  const auto a = sgp::data::make_synthetic(1000, 1, 28, 28, 10, 3);
  const auto b = sgp::data::make_synthetic(1000, 1, 28, 28, 10, 3);
  const auto c = sgp::data::make_synthetic(1000, 1, 28, 28, 10, 4);
  CHECK(a.size() == 1000);
  CHECK(a.images.size() == 1000u * 784u);
  CHECK(a.images == b.images);
  CHECK(a.labels == b.labels);
  CHECK(a.images != c.images);
  for (int k = 0; k < 10; ++k) CHECK(std::count(a.labels.begin(), a.labels.end(), k) == 100);

  // Class means from one seed classify another seed's samples: the two
  // share the class patterns, so a nearest-mean classifier does well.
  const std::size_t per = a.sample_elements();
  std::vector<double> means(10 * per, 0.0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < per; ++j)
      means[a.labels[i] * per + j] += a.images[i * per + j] / 100.0;
  }
  int correct = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    int best = -1;
    double best_distance = 0.0;
    for (int k = 0; k < 10; ++k) {
      double distance = 0.0;
      for (std::size_t j = 0; j < per; ++j) {
        const double diff = c.images[i * per + j] - means[k * per + j];
        distance += diff * diff;
      }
      if (best < 0 || distance < best_distance) {
        best = k;
        best_distance = distance;
      }
    }
    correct += best == c.labels[i] ? 1 : 0;
  }
  CHECK(correct > 950);
}
