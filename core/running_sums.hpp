// Robust push-sum by running sums (Hadjicostis, Vaidya, Domínguez-García,
// IEEE TAC 2016; DESIGN.md §1). The sender keeps, per out-edge, the
// cumulative mass it ever sent on that edge; every message carries that
// cumulative value and a sequence number. The receiver keeps, per in-edge, the
// last cumulative value it applied and the highest sequence seen, and adds
// (new cumulative − last applied) to x and w. So a lost message is recovered
// by the next one on that edge, a duplicate or stale (older sequence) message
// adds nothing, and reordering never creates or destroys mass: the mass in
// flight on an edge is exactly (sender's cumulative − receiver's last applied).
//
// Precision: cumulative sums grow without bound, so they are kept in double,
// and the sender subtracts from x exactly the difference the cumulative sum
// recorded (new − old, computed as the receiver will compute it). Shares may
// be quantized (e.g. bf16): `send` subtracts exactly the share it is given.
//
// Memory and copies: a cumulative sum is an immutable, shared buffer. A push
// writes the edge's new cumulative sum once, into a fresh buffer that the
// sender keeps and the message carries; the receiver keeps the buffer of the
// last message it applied instead of copying it. So one model-sized double
// buffer per edge a node has used (at each end; often the same buffer) and
// one per message in flight. `forget_peer` frees a dead peer's buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace sgp::core {

/// An allocator that leaves new elements uninitialised (every element of a
/// cumulative sum is written right after allocation; zeroing first would be
/// one more pass over a model-sized buffer).
template <class T>
struct uninitialised_allocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = uninitialised_allocator<U>;
  };
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

/// A cumulative mass vector.
using mass_vector = std::vector<double, uninitialised_allocator<double>>;

/// A cumulative mass vector: immutable once made, shared by the sender's
/// edge state, the messages that carry it and the receiver's edge state.
using shared_mass = std::shared_ptr<const mass_vector>;

/// One robust push-sum message; plain data, transport-agnostic.
struct push_message {
  std::size_t from = 0;   ///< sender node id
  std::size_t to = 0;     ///< receiver node id
  std::uint64_t seq = 0;  ///< per-edge sequence number, 1 for the first message
  shared_mass mass;       ///< cumulative numerator mass ever sent on this edge (never null)
  double weight = 0.0;    ///< cumulative weight ever sent on this edge
};

/// What `running_sums::apply` did with a message.
enum class apply_outcome {
  applied,    ///< new sequence: the difference was added
  stale,      ///< duplicate or older sequence: nothing added
  misrouted,  ///< not addressed to this node, or from itself: nothing added
  malformed,  ///< mass has the wrong size: nothing added
};

/// Robust push-sum state of one node: numerator x (T = float or double),
/// weight w, and the running sums of every edge it has used.
template <class T>
class running_sums {
 public:
  /// Node `id` starting from numerator `x` and weight `w` >= 0.
  running_sums(std::size_t id, std::vector<T> x, double w = 1.0);

  [[nodiscard]] std::size_t id() const { return id_; }
  [[nodiscard]] std::span<const T> x() const { return x_; }
  /// Mutable numerator (the optimizer step updates x in place).
  [[nodiscard]] std::span<T> x_mut() { return x_; }
  [[nodiscard]] double w() const { return w_; }
  [[nodiscard]] std::size_t size() const { return x_.size(); }
  /// The de-biased model z = x / w.
  [[nodiscard]] std::vector<T> debiased() const;

  /// Uniform push-sum step: sends p·x, p·w (p = 1/(d+1), d = out_peers.size())
  /// to each out-peer and keeps the rest; returns one message per out-peer.
  [[nodiscard]] std::vector<push_message> push(std::span<const std::size_t> out_peers);

  /// The uniform share p·x for `out_degree` peers, in double, without
  /// changing any state (to quantize before `send`).
  [[nodiscard]] std::vector<double> uniform_share(std::size_t out_degree) const;

  /// Sends exactly `share` and `weight` on the edge to `to`: adds them to the
  /// edge's cumulative sums, subtracts what was recorded from x and w, and
  /// returns the message. `share` must have size(); to != id().
  [[nodiscard]] push_message send(std::size_t to, std::span<const double> share, double weight);

  /// A new message on the edge to `to` with the current cumulative sums and
  /// no new mass (recovers earlier losses; e.g. a retransmit timer).
  [[nodiscard]] push_message resend(std::size_t to);

  /// Applies a received message (see apply_outcome).
  apply_outcome apply(const push_message& message);

  /// Cumulative numerator mass sent to `to` (empty if the edge was never used).
  [[nodiscard]] std::span<const double> sent_mass(std::size_t to) const;
  /// Cumulative weight sent to `to` (0 if never used).
  [[nodiscard]] double sent_weight(std::size_t to) const;
  /// Last cumulative mass applied from `from` (empty if nothing applied yet).
  [[nodiscard]] std::span<const double> applied_mass(std::size_t from) const;
  /// Last cumulative weight applied from `from` (0 if nothing applied yet).
  [[nodiscard]] double applied_weight(std::size_t from) const;
  /// Highest sequence applied from `from` (0 if none).
  [[nodiscard]] std::uint64_t applied_seq(std::size_t from) const;

  /// Number of model-sized double buffers held (out-edges + in-edges used).
  [[nodiscard]] std::size_t edge_buffers() const { return out_.size() + in_.size(); }

  /// Frees both edges' state for `peer`. Only for a peer that is gone for
  /// good: the mass in flight to or from it is lost (as with any dead node),
  /// and a peer that comes back must start from fresh running sums too, or
  /// its first messages would look stale (sequence) or create mass.
  void forget_peer(std::size_t peer);

 private:
  struct edge_sums {
    std::uint64_t seq = 0;
    shared_mass mass;  ///< null until the edge carries mass
    double weight = 0.0;
  };

  std::size_t id_;
  std::vector<T> x_;
  double w_;
  std::map<std::size_t, edge_sums> out_;
  std::map<std::size_t, edge_sums> in_;
};

extern template class running_sums<float>;
extern template class running_sums<double>;

}  // namespace sgp::core
