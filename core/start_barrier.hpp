// Every process of a cluster starts training together. A process that has
// joined (its settings checked with every peer) and spawned its nodes is
// ready, and says so to the others; its nodes start once every process it
// holds live is ready too, or once it has waited longer than its bound
// (cluster.join_timeout; then the processes that never said so are named).
// Without it, a process that spawned its nodes first starts first, and its
// nodes' first waits for pushes expire on processes still loading their
// data or engines (docs/cluster.md, "Starting together"). No I/O.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sgp::core {

class start_barrier {
 public:
  /// A cluster of `processes`, seen from process `self`.
  start_barrier(std::size_t processes, std::size_t self);

  /// This process is ready at `now` (seconds, any clock): its wait begins.
  void ready_here(double now);
  /// Process `p` said it is ready (out of range: ignored).
  void heard(std::size_t p);

  [[nodiscard]] bool ready_here() const { return since_ >= 0.0; }
  /// Whether process `p` is ready (this one included).
  [[nodiscard]] bool is_ready(std::size_t p) const { return p < ready_.size() && ready_[p]; }

  /// The live processes (`live[p]`; a shorter vector counts the rest as
  /// live) that are not ready yet, in order.
  [[nodiscard]] std::vector<std::size_t> missing(const std::vector<bool>& live) const;
  /// Ready here and no live process missing: the nodes may start.
  [[nodiscard]] bool open(const std::vector<bool>& live) const;
  /// Ready here and waited longer than `bound` seconds at `now`.
  [[nodiscard]] bool expired(double now, double bound) const;

 private:
  std::vector<bool> ready_;
  std::size_t self_;
  double since_ = -1.0;
};

/// "p2, p3" from process indices and their names ("process 5" past the names).
[[nodiscard]] std::string process_list(const std::vector<std::size_t>& processes,
                                       const std::vector<std::string>& names);

}  // namespace sgp::core
