// Watches a run's training loss for a collapse: the loss fell well below
// chance level (ln of the class count, what a network scores whose outputs
// no longer depend on its input) and then went back to chance and stayed
// there. Every value stays finite, so it is not a divergence, and the run
// would otherwise end looking like any other. Pure: fed the losses as the
// nodes report them, asked at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

namespace sgp::core {

class collapse_watch {
 public:
  /// Inactive (never a verdict).
  collapse_watch() = default;
  /// A run of `nodes` nodes on `classes` classes (fewer than 2: inactive).
  /// The loss is smoothed over about three iterations of every node.
  collapse_watch(int classes, std::size_t nodes);

  /// One node's training loss at `iteration`, in the order reported.
  void add(std::uint64_t iteration, double loss);

  /// The collapse, when the run's smoothed loss came down to at most 80 %
  /// of chance after its first ten iterations and ends at 95 % of chance
  /// or more: a sentence saying so. Nothing otherwise, also for a run that
  /// never learned (its loss stayed at chance).
  [[nodiscard]] std::optional<std::string> verdict() const;

 private:
  double chance_ = 0.0;  ///< ln(classes); 0: inactive
  int classes_ = 0;
  double alpha_ = 0.0;    ///< the smoothing weight of a new loss
  std::size_t warm_ = 0;  ///< reports before the lowest point is tracked
  std::size_t seen_ = 0;
  double smoothed_ = 0.0;
  double lowest_ = std::numeric_limits<double>::infinity();
  std::uint64_t lowest_at_ = 0;
};

}  // namespace sgp::core
