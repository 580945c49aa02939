// One node's push-sum protocol, independent of actors and transports: the
// state machine that the worker actor drives. It owns the running sums (x, w
// and every edge's cumulative mass), the node's view of the membership and
// links, and decides which pushes an iteration sends and whether the next
// step may start (SGP waits for this iteration's in-neighbours, OSGP lets
// tau + 1 iterations of messages be outstanding).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "core/graph_schedule.hpp"
#include "core/link_mask.hpp"
#include "core/running_sums.hpp"

namespace sgp::core {

/// How a node waits for its in-neighbours.
enum class gossip_mode {
  blocking,    ///< sgp, d-psgd: step k+1 needs iteration k's messages
  overlapped,  ///< osgp: step k+1 needs iteration k-1-tau's messages
};

struct gossip_options {
  graph_schedule schedule;
  gossip_mode mode = gossip_mode::blocking;
  std::uint64_t tau = 1;  ///< overlapped only: tau = 0 is one iteration of delay
  /// Scale each step by w (x += w * delta) so that z moves by exactly delta,
  /// as the reference SGP code does (it steps the de-biased parameters).
  /// Without it a node whose w is small (late messages under OSGP) takes a
  /// step 1/w times too large and training diverges. AllReduce needs it too:
  /// replicas stay equal even when a revived node holds part of the weight.
  bool step_in_z_space = true;
  /// false: nodes train alone (no pushes, no waits): the compute-only baseline.
  bool communicate = true;
  /// Push shares rounded to bfloat16 (half the bytes on the wire). The
  /// sender subtracts exactly the rounded share, so no mass is lost.
  bool bf16_shares = false;
};

/// Who is alive (with an incarnation that a revive bumps) and which links are up.
struct membership_view {
  std::uint64_t epoch = 0;  ///< increases with every change
  std::vector<bool> live;
  std::vector<std::uint64_t> incarnation;
  link_mask links;

  /// n nodes, all live, incarnation 0, all links up.
  static membership_view all_up(std::size_t n);
};

/// A push message as it travels: the sender's iteration, the sender's
/// incarnation and the receiver's incarnation as the sender knew it, around a
/// shared, immutable running-sums message (no copy per hop). A message for
/// an earlier life of the receiver is refused: the running sums of that edge
/// belonged to the old incarnation.
struct gossip_envelope {
  std::uint64_t iteration = 0;
  std::uint64_t incarnation = 0;           ///< the sender's
  std::uint64_t receiver_incarnation = 0;  ///< the receiver's, in the sender's view
  std::shared_ptr<const push_message> message;
};

/// Counters of what happened to received messages.
struct receive_counters {
  std::uint64_t applied = 0;
  std::uint64_t duplicate = 0;  ///< stale: duplicate or overtaken by a newer one
  std::uint64_t rejected = 0;   ///< from a dead or old incarnation, misrouted, malformed
};

/// What a node knew of one edge to or from a peer when it forgot that peer.
struct forgotten_edges {
  std::size_t peer = 0;
  double sent_weight = 0.0;     ///< cumulative weight this node sent to the peer
  double applied_weight = 0.0;  ///< cumulative weight applied from the peer
};

class gossip_node {
 public:
  /// Node `id` of `view.live.size()`, starting from numerator `x` (host
  /// memory) and weight `w`.
  gossip_node(std::size_t id, std::vector<float> x, double w, gossip_options options,
              membership_view view);
  /// The same with x in `space` (a GPU's memory, say).
  gossip_node(std::size_t id, std::unique_ptr<mass_space> space, double w, gossip_options options,
              membership_view view);

  [[nodiscard]] std::size_t id() const { return sums_.id(); }
  [[nodiscard]] std::uint64_t iteration() const { return iteration_; }
  [[nodiscard]] double w() const { return sums_.w(); }
  /// Number of parameters.
  [[nodiscard]] std::size_t size() const { return sums_.size(); }
  /// A host copy of the numerator x.
  [[nodiscard]] std::vector<double> x() const { return sums_.x(); }
  [[nodiscard]] const running_sums& sums() const { return sums_; }
  [[nodiscard]] const membership_view& view() const { return view_; }
  [[nodiscard]] const receive_counters& counters() const { return counters_; }

  /// Adopts a newer view (older epochs are ignored). Peers that died or were
  /// reborn are forgotten: their edges' state is dropped and returned, so the
  /// caller can account for the mass that was in flight.
  std::vector<forgotten_edges> set_view(const membership_view& view);

  /// Out-neighbours of the current iteration under the current view.
  [[nodiscard]] std::vector<std::size_t> out_peers() const;

  /// Finishes the current iteration: x += delta (the optimizer's step; w·delta
  /// when stepping in z space), then pushes shares to this iteration's
  /// out-neighbours and advances the iteration. Returns the envelopes to
  /// deliver. `delta` is in the space's memory.
  std::vector<gossip_envelope> step(std::span<const float> delta);

  /// Pushes a share of (x, w) to `to` without a gradient step or a new
  /// iteration: `fraction` of the mass moves (a revived peer takes half).
  gossip_envelope give(std::size_t to, double fraction);

  /// Continues at `iteration` (a revived node takes its donor's iteration).
  void set_iteration(std::uint64_t iteration) {
    iteration_ = iteration;
    heard_.clear();
    waived_through_ = -1;
  }

  /// Applies a received envelope; mass from dead peers, from an old
  /// incarnation of the sender or for an old incarnation of this node is
  /// rejected.
  apply_outcome receive(const gossip_envelope& envelope);

  /// May the next step start? (all required in-neighbour messages arrived)
  [[nodiscard]] bool ready() const { return waiting_on().empty(); }

  /// In-neighbours whose required message has not arrived yet.
  [[nodiscard]] std::vector<std::size_t> waiting_on() const;

  /// Gives up waiting for the current requirement (a timeout): the next
  /// step may start; late messages are still applied when they arrive.
  void skip_wait() { waived_through_ = required_iteration(); }

  /// z = x / w, written into `z` in the space's memory.
  void debiased(std::span<float> z) const;
  /// z = x / w as a host vector.
  [[nodiscard]] std::vector<float> debiased_host() const;

 private:
  /// The iteration whose messages the next step needs, or -1 for none.
  [[nodiscard]] std::int64_t required_iteration() const;

  running_sums sums_;
  gossip_options options_;
  membership_view view_;
  std::uint64_t iteration_ = 0;
  std::int64_t waived_through_ = -1;
  std::map<std::size_t, std::int64_t> heard_;  ///< highest iteration received per peer
  receive_counters counters_;
};

}  // namespace sgp::core
