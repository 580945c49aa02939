// Where a node's push-sum numbers live. Running sums (core/running_sums.hpp)
// keep the protocol: sequences, weights and which cumulative buffer belongs to
// which edge. The vectors themselves (the numerator x and every cumulative
// mass buffer) live in a mass_space: host memory (core/host_mass_space.hpp)
// or a GPU's memory (the CUDA backend's), so that a node on a GPU never
// copies its model to the host to gossip.
//
// Spans of floats handed to a space (a step's delta, the z to write) are in
// the space's memory: host pointers for a host space, device pointers for a
// device space. Nothing above the space dereferences them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <span>
#include <vector>

namespace sgp::core {

/// An immutable cumulative mass vector (doubles) in some space's memory,
/// shared by the sender's edge state, the messages that carry it and the
/// receiver's edge state.
class mass_block {
 public:
  virtual ~mass_block() = default;
  [[nodiscard]] virtual std::size_t size() const = 0;
  /// A host copy of the values (tests, diagnostics).
  [[nodiscard]] virtual std::vector<double> to_host() const = 0;
  /// The values written to `out` (size() doubles of host memory): a process
  /// boundary's copy of a running sum, without a vector in between.
  virtual void copy_to(std::span<double> out) const {
    const auto v = to_host();
    if (v.size() != out.size()) std::abort();  // a caller bug: the sizes are the edge's
    std::copy(v.begin(), v.end(), out.begin());
  }
};

using shared_mass = std::shared_ptr<const mass_block>;

/// A node's numerator x and the flat kernels of running sums over it.
class mass_space {
 public:
  virtual ~mass_space() = default;

  /// Number of elements of x (and of every block).
  [[nodiscard]] virtual std::size_t size() const = 0;

  /// A host copy of x.
  [[nodiscard]] virtual std::vector<double> x_host() const = 0;

  /// x += scale * delta (delta: size() floats in this space's memory).
  virtual void add_scaled(std::span<const float> delta, float scale) = 0;

  /// z = x / w, the reciprocal and product in double (z: size() floats in
  /// this space's memory; w > 0).
  virtual void debias(double w, std::span<float> z) const = 0;

  /// Sends one share, s = fraction * x (rounded to bfloat16 when `bf16`),
  /// computed from x before this call, on every edge k: next_k = old_k + s
  /// (old_k null: the edge's first mass, zeros), and x -= next_k - old_k, the
  /// difference exactly as the receiver will compute it. Returns the next_k.
  [[nodiscard]] virtual std::vector<shared_mass> send(std::span<const mass_block* const> old,
                                                      double fraction, bool bf16) = 0;

  /// add_scaled(delta, scale), then send(old, fraction, bf16): the same bits,
  /// in one pass over x where the space can (a step and its push touch x
  /// once instead of twice).
  [[nodiscard]] virtual std::vector<shared_mass> step_and_send(
      std::span<const float> delta, float scale, std::span<const mass_block* const> old,
      double fraction, bool bf16) {
    add_scaled(delta, scale);
    return send(old, fraction, bf16);
  }

  /// x += in - old (old null: x += in). Returns the block to keep as this
  /// edge's last applied mass (`in` itself, or a copy in this space's memory
  /// when `in` lives elsewhere), or null when `in` (or `old`) is not a block
  /// this space can read or has the wrong size: then nothing was added.
  [[nodiscard]] virtual shared_mass apply(const shared_mass& in, const mass_block* old) = 0;

  /// A block of zeros (the cumulative mass of an edge that carried none).
  [[nodiscard]] virtual shared_mass zeros() = 0;
};

}  // namespace sgp::core
