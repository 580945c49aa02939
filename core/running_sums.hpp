// Robust push-sum by running sums (Hadjicostis, Vaidya, Domínguez-García,
// IEEE TAC 2016; docs/design.md §1). The sender keeps, per out-edge, the
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
// Memory and copies: a cumulative sum is an immutable, shared buffer (a
// mass_block) in the node's mass_space: host memory, or a GPU's. A push
// writes the edge's new cumulative sum once, into a fresh buffer that the
// sender keeps and the message carries; the receiver keeps the buffer of the
// last message it applied instead of copying it. So one model-sized double
// buffer per edge a node has used (at each end; often the same buffer) and
// one per message in flight. `forget_peer` frees a dead peer's buffers.
// This class holds only the protocol (sequences, weights, which buffer is
// whose); the arithmetic over x and the buffers is the space's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "core/host_mass_space.hpp"
#include "core/mass_space.hpp"

namespace sgp::core {

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
  malformed,  ///< mass missing, of the wrong size or in an unreadable space: nothing added
  held,       ///< gossip_node only: early (a later round's); kept and applied at that round
};

/// Robust push-sum state of one node: numerator x (in a mass_space), weight
/// w, and the running sums of every edge it has used.
class running_sums {
 public:
  /// Node `id` with numerator x in `space` and weight `w` >= 0.
  running_sums(std::size_t id, std::unique_ptr<mass_space> space, double w = 1.0);
  /// Host-memory numerator x (float in training, double in exactness tests).
  running_sums(std::size_t id, std::vector<float> x, double w = 1.0);
  running_sums(std::size_t id, std::vector<double> x, double w = 1.0);

  [[nodiscard]] std::size_t id() const { return id_; }
  [[nodiscard]] double w() const { return w_; }
  [[nodiscard]] std::size_t size() const { return space_->size(); }
  /// A host copy of the numerator x.
  [[nodiscard]] std::vector<double> x() const { return space_->x_host(); }
  /// A host copy of the de-biased model z = x / w.
  [[nodiscard]] std::vector<double> debiased() const;
  /// Where x lives (the optimizer's step and z = x / w go through it).
  [[nodiscard]] mass_space& space() { return *space_; }
  [[nodiscard]] const mass_space& space() const { return *space_; }

  /// An optimizer step to add to x before a push: x += scale · delta
  /// (delta in the space's memory).
  struct step {
    std::span<const float> delta;
    float scale = 1.0f;
  };

  /// Push-sum step: sends p·x, p·w to each out-peer and keeps the rest,
  /// p = mixing_weight(d, self_weight) (d = out_peers.size(); uniform
  /// 1/(d+1) when self_weight is 0); returns one message per out-peer.
  /// With `first`, x += first's step before anything is sent (one pass over
  /// x with the send; also when there is no out-peer).
  [[nodiscard]] std::vector<push_message> push(std::span<const std::size_t> out_peers,
                                               bool bf16 = false, const step* first = nullptr,
                                               double self_weight = 0.0);

  /// Sends `fraction`·x (rounded to bf16 when asked) and `fraction`·w, both
  /// computed before this call, to each of `to` (a revived peer takes half
  /// of a donor's mass); subtracts exactly what the cumulative sums recorded.
  /// `first` as for push().
  [[nodiscard]] std::vector<push_message> send(std::span<const std::size_t> to, double fraction,
                                               bool bf16 = false, const step* first = nullptr);

  /// A new message on the edge to `to` with the current cumulative sums and
  /// no new mass (recovers earlier losses; e.g. a retransmit timer).
  [[nodiscard]] push_message resend(std::size_t to);

  /// Applies a received message (see apply_outcome).
  apply_outcome apply(const push_message& message);

  /// Cumulative numerator mass sent to `to` (host copy; empty if the edge was never used).
  [[nodiscard]] std::vector<double> sent_mass(std::size_t to) const;
  /// Cumulative weight sent to `to` (0 if never used).
  [[nodiscard]] double sent_weight(std::size_t to) const;
  /// Last cumulative mass applied from `from` (host copy; empty if nothing applied yet).
  [[nodiscard]] std::vector<double> applied_mass(std::size_t from) const;
  /// Last cumulative weight applied from `from` (0 if nothing applied yet).
  [[nodiscard]] double applied_weight(std::size_t from) const;
  /// Highest sequence applied from `from` (0 if none).
  [[nodiscard]] std::uint64_t applied_seq(std::size_t from) const;

  /// Peers this node has ever sent mass to (increasing ids).
  [[nodiscard]] std::vector<std::size_t> out_edges() const;

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
  std::unique_ptr<mass_space> space_;
  double w_;
  std::map<std::size_t, edge_sums> out_;
  std::map<std::size_t, edge_sums> in_;
};

}  // namespace sgp::core
