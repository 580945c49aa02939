// Splits a dataset into one disjoint shard per node and orders each shard
// afresh every epoch, reproducibly from (seed, epoch, node).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sgp::data {

/// Node `node` of `nodes` owns a contiguous slice of a global permutation of
/// all sample indices, seeded by `seed` (the same on every node and process).
/// All shards have shard_size() = floor(N / nodes) samples; the N mod nodes
/// samples at the end of the permutation (a seed-dependent random choice,
/// fewer than `nodes`) are in no shard. Every other sample is in exactly one.
class shard_sampler {
 public:
  /// Requires 0 <= node < nodes.
  shard_sampler(std::size_t dataset_size, int node, int nodes, std::uint64_t seed);

  /// Samples in this node's shard (the same for every node).
  [[nodiscard]] std::size_t shard_size() const { return shard_.size(); }

  /// The shard's dataset indices, in the order of the global permutation.
  [[nodiscard]] const std::vector<std::size_t>& shard() const { return shard_; }

  /// This node's shard in the order for `epoch`: a shuffle seeded by
  /// (seed, epoch, node), different every epoch, the same on every call.
  [[nodiscard]] std::vector<std::size_t> epoch_order(int epoch) const;

  /// Batches of `batch` (> 0) samples in one epoch; with `drop_last` a final
  /// partial batch is not counted.
  [[nodiscard]] std::size_t batches_per_epoch(int batch, bool drop_last) const;

 private:
  std::vector<std::size_t> shard_;
  int node_;
  std::uint64_t seed_;
};

}  // namespace sgp::data
