// One node's push-sum protocol, independent of actors and transports: the
// state machine that the worker actor drives. It owns the running sums (x, w
// and every edge's cumulative mass), the node's view of the membership and
// links, and decides which pushes an iteration sends, when a received share
// is mixed in, and whether the next step may start.
//
// Every push belongs to a round: the index into the graph schedule that
// chose its peers. Blocking SGP and the bounded OSGP push once per
// iteration (round = iteration); the reference OSGP skips pushes while its
// one round is in flight, so its rounds fall behind its iterations.
//   blocking            step k waits for round k-1 from its in-neighbours;
//                       a share of a later round (an early arrival) is held
//                       and mixed in after this node's own push of that round
//                       (the paper's Algorithm 1: mix exactly this
//                       iteration's shares).
//   overlapped/bounded  every iteration pushes; shares are added on arrival;
//                       step k waits for round k-2-tau (before
//                       blocking_until: as blocking does).
//   overlapped/reference  one round in flight (the reference code's
//                       GossipDataParallel with overlap and synch_freq = tau):
//                       after a step, a round whose shares have all arrived
//                       is absorbed and a new one pushed; otherwise the push
//                       (and the peer rotation) is skipped, at most tau times
//                       in a row, then the node waits for the round.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <utility>
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

/// The overlap mechanism of OSGP.
enum class overlap_variant {
  bounded,    ///< push every iteration, up to tau + 2 rounds outstanding
  reference,  ///< one round in flight; pushes skipped until it is absorbed
};

/// Where the optimizer's step lands.
enum class step_space {
  /// x += delta: the paper's Algorithm 1 and the reference code (the
  /// optimizer steps the numerator; z then moves by delta / w).
  x,
  /// x += w * delta: z moves by exactly delta whatever w is. Not the
  /// reference's behaviour: it weighs each node's gradient by its w. Keeps
  /// AllReduce replicas equal when a revived node holds part of the weight.
  z,
  /// x += (w / w̄) * delta, w̄ this node's running mean of w at its steps
  /// (sgp's own). In z space the network's average moves by the mean of
  /// w_i * delta_i: with a round in flight at every step (OSGP) about half
  /// the mass is on the wire, and the average moves at about half the
  /// nominal rate. Dividing by w̄ restores the nominal rate on average, as
  /// x space does, while a node's z moves by delta / w̄: smooth, where x
  /// space moves it by delta / w (2^k times delta after k lost shares). With
  /// w steady at 1 (blocking SGP without loss) it equals both.
  balanced,
};

struct gossip_options {
  graph_schedule schedule;
  gossip_mode mode = gossip_mode::blocking;
  overlap_variant overlap = overlap_variant::bounded;  ///< overlapped only
  /// overlapped only. bounded: step k needs round k-2-tau (tau = 0 is one
  /// iteration of delay). reference: pushes skipped at most tau times in a
  /// row (the reference code's synch_freq, the paper's tau - 1).
  std::uint64_t tau = 1;
  /// overlapped/bounded only: before this iteration the node waits and
  /// mixes as blocking SGP does (step k needs round k-1; early shares are
  /// held), from it on it overlaps. 0: overlaps from the start. Synchronous
  /// first, then overlapped, as post-local SGD does for local steps.
  std::uint64_t blocking_until = 0;
  step_space space = step_space::z;
  /// false: nodes train alone (no pushes, no waits): the compute-only baseline.
  bool communicate = true;
  /// Push shares rounded to bfloat16 (half the bytes on the wire). The
  /// sender subtracts exactly the rounded share, so no mass is lost.
  bool bf16_shares = false;
  /// The fraction of its mass a node keeps at each push, the rest split
  /// evenly over its out-peers; 0: uniform, 1 / (peers + 1) (the paper's).
  double self_weight = 0.0;
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

/// What a donor hands a revived node besides mass: its optimizer state, so
/// that the revived node continues with the donor's momentum and batch-norm
/// statistics (ar-sgd's replicas then stay identical).
struct optimizer_state {
  std::vector<float> momentum;
  std::vector<float> running_stats;  ///< batch-norm statistics; empty without batch norm
};

/// A push message as it travels: the sender's iteration, the sender's
/// incarnation and the receiver's incarnation as the sender knew it, around a
/// shared, immutable running-sums message (no copy per hop). A message for
/// an earlier life of the receiver is refused: the running sums of that edge
/// belonged to the old incarnation.
struct gossip_envelope {
  std::uint64_t iteration = 0;
  std::uint64_t round = 0;        ///< the push's schedule index (= iteration but in reference OSGP)
  bool transfer = false;          ///< give(): mass handed over outside any round, never held
  std::uint64_t incarnation = 0;  ///< the sender's
  std::uint64_t receiver_incarnation = 0;  ///< the receiver's, in the sender's view
  std::shared_ptr<const push_message> message;
  /// Only on a transfer to a revived node: the donor's optimizer state.
  std::shared_ptr<const optimizer_state> state;
};

/// Counters of what happened to received messages.
struct receive_counters {
  std::uint64_t applied = 0;
  std::uint64_t duplicate = 0;       ///< stale: duplicate or overtaken by a newer one
  std::uint64_t rejected = 0;        ///< from a dead or old incarnation, misrouted, malformed
  std::uint64_t held = 0;            ///< arrived early, mixed in at a later round
  std::uint64_t skipped_pushes = 0;  ///< reference OSGP: iterations that pushed nothing
};

/// What a node knew of one edge to or from a peer when it forgot that peer.
struct forgotten_edges {
  std::size_t peer = 0;
  double sent_weight = 0.0;     ///< cumulative weight this node sent to the peer
  double applied_weight = 0.0;  ///< cumulative weight applied from the peer
};

class gossip_node {
 public:
  /// Balanced steps: the weight of the newest w in the running mean of w.
  static constexpr double balanced_mean_rate = 0.05;

  /// Node `id` of `view.live.size()`, starting from numerator `x` (host
  /// memory) and weight `w`.
  gossip_node(std::size_t id, std::vector<float> x, double w, gossip_options options,
              membership_view view);
  /// The same with x in `space` (a GPU's memory, say).
  gossip_node(std::size_t id, std::unique_ptr<mass_space> space, double w, gossip_options options,
              membership_view view);

  [[nodiscard]] std::size_t id() const { return sums_.id(); }
  [[nodiscard]] std::uint64_t iteration() const { return iteration_; }
  /// Rounds pushed so far (the schedule index of the next push).
  [[nodiscard]] std::uint64_t rounds() const { return rounds_; }
  /// Received shares held for a later round.
  [[nodiscard]] std::size_t held() const { return held_.size(); }
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

  /// Out-neighbours of the next push under the current view.
  [[nodiscard]] std::vector<std::size_t> out_peers() const;

  /// Finishes the current iteration: x += delta (the optimizer's step; w·delta
  /// when stepping in z space), then pushes shares to the round's
  /// out-neighbours (unless the reference OSGP skips the push) and advances
  /// the iteration. Returns the envelopes to deliver. `delta` is in the
  /// space's memory.
  std::vector<gossip_envelope> step(std::span<const float> delta);

  /// Reference OSGP: once the round this node waits for is complete (or
  /// waived), absorbs it and pushes the push that the last step deferred.
  /// A `finished` node (no steps left) keeps the rounds going: once its
  /// round is complete and a peer has pushed the next one, it pushes it too,
  /// so that nodes still stepping do not wait for it until they time out.
  /// Empty otherwise. Call it after receive() and skip_wait().
  std::vector<gossip_envelope> poll(bool finished = false);

  /// Mixes in every held share now (before a final evaluation) and returns a
  /// resend of the current running sums on every out-edge to a live peer,
  /// so that a lost last message is recovered (no new mass moves).
  std::vector<gossip_envelope> flush();

  /// The running sums of the edge to `to` again (no new mass moves), for an
  /// in-neighbour whose wait for this node expired: a lost push's mass then
  /// arrives now instead of with the edge's next push. Empty when `to` is
  /// not a live out-neighbour so far, or this node is dead.
  [[nodiscard]] std::vector<gossip_envelope> resend(std::size_t to);

  /// Pushes a share of (x, w) to `to` without a gradient step or a new
  /// iteration: `fraction` of the mass moves (a revived peer takes half).
  gossip_envelope give(std::size_t to, double fraction);

  /// Continues at `iteration` (a revived node takes its donor's iteration).
  /// `round`: the next round to push (the donor's); shares held for an
  /// earlier round are mixed in.
  void set_iteration(std::uint64_t iteration, std::uint64_t round);

  /// A node that starts with no mass (x = 0, w = 0: a rejoining process's)
  /// joins the rounds at the first push it gets: it continues after the
  /// push's iteration and round (at least at `at_least`), so the push is
  /// mixed in now rather than held as early, then applies it. Its model
  /// is then its in-neighbours' shares; no mass is created.
  apply_outcome join_from(const gossip_envelope& envelope, std::uint64_t at_least);

  /// Continues a resumed run at `iteration` and `round` (a checkpoint's,
  /// taken with nothing in flight): every in-neighbour's message of the
  /// earlier rounds was applied before the cut, so none is awaited.
  void resume_at(std::uint64_t iteration, std::uint64_t round);

  /// Applies a received envelope; mass from dead peers, from an old
  /// incarnation of the sender or for an old incarnation of this node is
  /// rejected.
  apply_outcome receive(const gossip_envelope& envelope);

  /// May the next step start? (all required in-neighbour messages arrived)
  [[nodiscard]] bool ready() const { return waiting_on().empty(); }

  /// In-neighbours whose required message has not arrived yet.
  [[nodiscard]] std::vector<std::size_t> waiting_on() const;

  /// Gives up waiting for the current requirement (a timeout): the next
  /// step may start (reference OSGP: poll() pushes); late messages are
  /// still applied when they arrive.
  void skip_wait() { waived_through_ = required_iteration(); }

  /// z = x / w, written into `z` in the space's memory.
  void debiased(std::span<float> z) const;
  /// z = x / w as a host vector.
  [[nodiscard]] std::vector<float> debiased_host() const;

 private:
  /// The round whose messages the next step needs, or -1 for none.
  [[nodiscard]] std::int64_t required_iteration() const;
  /// In-neighbours of round j that have not been heard from for it.
  [[nodiscard]] std::vector<std::size_t> missing(std::int64_t j) const;
  [[nodiscard]] bool reference_overlap() const {
    return options_.mode == gossip_mode::overlapped &&
           options_.overlap == overlap_variant::reference;
  }
  /// Bounded OSGP before options_.blocking_until: it waits and mixes as blocking SGP.
  [[nodiscard]] bool blocking_phase() const {
    return options_.mode == gossip_mode::overlapped &&
           options_.overlap == overlap_variant::bounded && iteration_ < options_.blocking_until;
  }
  /// Blocking and reference OSGP mix a share only after their own push of its round.
  [[nodiscard]] bool holds_early() const {
    return !(options_.mode == gossip_mode::overlapped &&
             options_.overlap == overlap_variant::bounded) ||
           blocking_phase();
  }
  [[nodiscard]] bool accepts(const gossip_envelope& envelope) const;
  apply_outcome apply(const gossip_envelope& envelope);
  /// The edge's running sums to `to` again, tagged with the last round.
  [[nodiscard]] gossip_envelope resend_envelope(std::size_t to);
  /// Pushes round rounds_ (with the step `first`, if any) and mixes in what was held for it.
  std::vector<gossip_envelope> push_round(const running_sums::step* first);
  /// The factor of the step's delta on x (see step_space); balanced
  /// steps also update their running mean of w.
  double step_scale();
  void release_held();

  running_sums sums_;
  gossip_options options_;
  membership_view view_;
  std::uint64_t iteration_ = 0;
  std::uint64_t rounds_ = 0;
  std::int64_t waived_through_ = -1;
  std::map<std::size_t, std::int64_t> heard_;  ///< highest round received per peer (held too)
  std::vector<gossip_envelope> held_;          ///< early shares, in arrival order
  /// (iteration, round) of the last push to each peer: a resend's tag.
  std::map<std::size_t, std::pair<std::uint64_t, std::uint64_t>> last_push_;
  // Reference OSGP: a round (rounds_ - 1) is in flight; iterations in a row
  // that skipped their push; a push waits for the round to complete.
  bool in_flight_ = false;
  std::uint64_t misses_ = 0;
  /// Balanced steps: the running mean of w at this node's steps.
  double mean_w_ = 1.0;
  bool awaiting_ = false;
  receive_counters counters_;
};

}  // namespace sgp::core
