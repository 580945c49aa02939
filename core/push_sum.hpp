// Push-sum state of one node (docs/design.md §1): numerator x, weight w, de-biased
// model z = x / w, and uniform mixing with p = 1 / (out_degree + 1).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace sgp::core {

/// What a node sends to one out-neighbour: p·x and p·w.
template <class T>
struct push_share {
  std::vector<T> x;
  double w = 0.0;
};

/// Mixing weight of uniform push-sum: 1 / (out_degree + 1).
[[nodiscard]] double uniform_mixing_weight(std::size_t out_degree);
/// The share of each of `out_degree` out-peers when a node keeps `self_weight`
/// of its mass (0 < self_weight < 1) and splits the rest evenly; with
/// self_weight = 0, uniform_mixing_weight (the paper's 1 / (d + 1)).
[[nodiscard]] double mixing_weight(std::size_t out_degree, double self_weight);

/// Push-sum numerator (T = float or double) and weight of one node.
///
/// One gossip step: `make_share(d)` scales (x, w) by p = 1/(d+1) in place and
/// returns a copy of the scaled state, which is sent to each of the d
/// out-neighbours; the node keeps the same p·x, p·w. Received shares are added
/// with `receive`. The sum of x and w over all nodes plus the shares in flight
/// is invariant (up to rounding).
template <class T>
class push_sum_state {
 public:
  /// Starts from numerator `x` and weight `w` >= 0 (w = 1 at the start of
  /// training; 0 for a node that has received nothing yet).
  explicit push_sum_state(std::vector<T> x, double w = 1.0);

  /// The numerator x.
  [[nodiscard]] std::span<const T> x() const { return x_; }
  /// Mutable numerator (the optimizer step updates x in place).
  [[nodiscard]] std::span<T> x_mut() { return x_; }
  /// The push-sum weight w.
  [[nodiscard]] double w() const { return w_; }
  /// Number of parameters.
  [[nodiscard]] std::size_t size() const { return x_.size(); }

  /// Scales (x, w) by p = 1/(out_degree+1) and returns p; after this call x()
  /// and w() are exactly the share to send to each out-neighbour.
  double scale_for_push(std::size_t out_degree);

  /// scale_for_push, then a copy of the share to send to each out-neighbour.
  [[nodiscard]] push_share<T> make_share(std::size_t out_degree);

  /// Adds a share received from an in-neighbour. Sizes must match.
  void receive(std::span<const T> x_share, double w_share);
  /// Adds a share received from an in-neighbour.
  void receive(const push_share<T>& share) { receive(share.x, share.w); }

  /// Halves (x, w) and returns the other half: how a joining node takes its
  /// state from a live peer while conserving mass.
  [[nodiscard]] push_share<T> split_half();

  /// Writes the de-biased model z = x / w into `z` (same size as x).
  void debiased(std::span<T> z) const;
  /// The de-biased model z = x / w.
  [[nodiscard]] std::vector<T> debiased() const;

 private:
  std::vector<T> x_;
  double w_;
};

extern template class push_sum_state<float>;
extern template class push_sum_state<double>;

}  // namespace sgp::core
