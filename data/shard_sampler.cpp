// Seeded sharding and per-epoch shuffling (see shard_sampler.hpp).
#include "data/shard_sampler.hpp"

#include <numeric>
#include <span>

#include "core/assert.hpp"
#include "core/rng.hpp"

namespace sgp::data {
namespace {

// Distinct streams for the global permutation and the per-epoch shuffles.
constexpr std::uint64_t permutation_stream = 0x7368617264ULL;  // "shard"
constexpr std::uint64_t epoch_stream = 0x65706f6368ULL;        // "epoch"

}  // namespace

shard_sampler::shard_sampler(std::size_t dataset_size, int node, int nodes, std::uint64_t seed)
    : node_(node), seed_(seed) {
  SGP_ASSERT(nodes > 0 && node >= 0 && node < nodes);
  std::vector<std::size_t> all(dataset_size);
  std::iota(all.begin(), all.end(), std::size_t{0});
  core::rng rng(core::mix_seed(seed ^ permutation_stream));
  rng.shuffle(std::span<std::size_t>(all));
  const std::size_t per_node = dataset_size / static_cast<std::size_t>(nodes);
  const auto first = all.begin() + static_cast<std::ptrdiff_t>(per_node * node);
  shard_.assign(first, first + static_cast<std::ptrdiff_t>(per_node));
}

std::vector<std::size_t> shard_sampler::epoch_order(int epoch) const {
  std::vector<std::size_t> order = shard_;
  std::uint64_t s = core::mix_seed(seed_ ^ epoch_stream);
  s = core::mix_seed(s ^ static_cast<std::uint64_t>(static_cast<std::uint32_t>(epoch)));
  s = core::mix_seed(s ^ static_cast<std::uint64_t>(node_));
  core::rng rng(s);
  rng.shuffle(std::span<std::size_t>(order));
  return order;
}

std::size_t shard_sampler::batches_per_epoch(int batch, bool drop_last) const {
  SGP_ASSERT(batch > 0);
  const auto b = static_cast<std::size_t>(batch);
  return drop_last ? shard_.size() / b : (shard_.size() + b - 1) / b;
}

}  // namespace sgp::data
