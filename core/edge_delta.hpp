// The bulk representation of robust push-sum on the wire: rounded deltas
// against the receiver's acknowledged cumulative sum, with exact mass.
//
// Running sums (core/running_sums.hpp) put the edge's whole cumulative mass
// in every message: exact under loss, duplicates and reordering, but the sums
// grow without bound and must travel as doubles (8 bytes per parameter). Here
// an edge carries at most 4 bytes per parameter (fp32) or 2 (bf16):
//
// - The sender commits shares to the edge: T += share (double), the caller
//   having taken the share out of x. T is what it owes the receiver, in all.
// - The receiver holds a cumulative C (double) and the sequence number of the
//   message that produced it. Everything it ever added to x is exactly C.
// - The sender knows the receiver's C at the last acknowledged sequence a
//   (C_a). A push s carries a base b and d = round(T - C_b) (fp32 or bf16,
//   saturating, never inf/NaN); the sender keeps d (wire bytes) until s is
//   acknowledged or made useless. The base is a, or a pending push p that
//   has left for the wire: C_p = C_{base of p} + d_p, the receiver's own
//   additions, so the sender knows C at every push it keeps. Building on p
//   (a chain) lets a push made before p's ack arrives apply after p on an
//   in-order link; with base a only, it would be refused (the receiver
//   already moved to p) and an edge used at every iteration would deliver
//   every other push whenever an ack takes longer than an iteration.
// - The receiver applies s only if it holds exactly base a: C += d, x += d,
//   held = s. Otherwise it applies nothing (stale: seq <= held; base
//   mismatch: it holds something else). Every push is answered by an ack of
//   the sequence it holds.
// - On ack(s) with s pending: C_a = C_s, computed as the receiver did (the
//   same double additions along s's chain, same bits), a = s; pending pushes
//   not built on s (directly or through a chain) can no longer apply, since
//   the receiver only moves on from s: they are dropped. An ack that repeats
//   a while pushes are pending says one was refused (a chain broke: a push
//   lost or superseded on the way): the next push starts again from a.
// - A pending push that has not left is not built on: the next push takes
//   its base, as its sibling (a newer push may supersede a queued one).
//   It has left when its frame started on the wire (the transport sets
//   the push's progress) or, with no progress reported, nothing but the
//   sender holds its payload any more (the frame was written or dropped).
//   A push its transport dropped (superseded in a queue, or a full queue)
//   never arrives: the sender forgets it, so dropped pushes never fill the
//   window.
//
// So the two ends agree on C bit for bit, the receiver's credit is C, and
// the mass in flight on the edge is exactly T - C: a lost or refused push
// loses nothing (its mass is still in T - C_a and goes out again with the
// next push), a duplicate or reordered push adds nothing, and the rounding
// residual T - (C_a + d) rides in the next push. Doubles never cross the wire.
// The weight is a scalar: it travels as the edge's cumulative weight (f64),
// applied as the running-sums difference under the same base rule.
//
// With more than `window` pushes unacknowledged, push() resends the newest
// pending one built on a (same sequence, same bytes) instead of a new one: the sender's
// memory stays bounded and it never forgets a push the receiver might still
// apply. Memory per out-edge: T and C_a (two doubles per parameter) and up to
// `window` payloads plus two kept for reuse; per in-edge: C (one double per
// parameter).
//
// Limits: a residual below the smallest subnormal of the wire type stays in
// flight (accounted in T - C, never delivered); a NaN in T is sent as 0.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/frame_progress.hpp"
#include "core/host_pinning.hpp"
#include "core/large_buffer.hpp"
#include "core/mass_space.hpp"

namespace sgp::core {

/// Wire precision of a delta (numerically the same as net::wire::dtype).
enum class delta_precision : std::uint8_t { f32 = 1, bf16 = 2 };

/// Bytes per value on the wire: 4 or 2.
[[nodiscard]] inline std::size_t delta_bytes(delta_precision p) {
  return p == delta_precision::f32 ? 4 : 2;
}

/// One push on an edge, as the wire carries it.
struct delta_push {
  std::uint64_t seq = 0;   ///< >= 1, increasing per edge
  std::uint64_t base = 0;  ///< the sequence the receiver must hold (0: nothing applied yet)
  double weight = 0.0;     ///< cumulative weight committed on the edge when sent
  delta_precision precision = delta_precision::f32;
  std::size_t count = 0;  ///< number of values
  /// count values, little-endian fp32 or bf16; shared by resends.
  std::shared_ptr<const std::vector<std::uint8_t>> values;
  bool resent = false;  ///< the window was full: a pending push again
  /// Set by a transport as the push's frame starts on the wire (the next
  /// push is then built on this one) or is dropped (it is then forgotten).
  progress_flag progress{};
  /// Instead of `values` (when that is null): the values read in place,
  /// valid for one call (a received frame's payload).
  std::span<const std::uint8_t> borrowed{};

  /// The values, owned or borrowed.
  [[nodiscard]] std::span<const std::uint8_t> bytes() const {
    return values ? std::span<const std::uint8_t>(*values) : borrowed;
  }
};

/// What an ack did at the sender.
enum class ack_outcome {
  advanced,  ///< the receiver holds a newer push: C_a moved
  stale,     ///< an old or duplicate ack
  unknown,   ///< a sequence the sender never had pending (hostile or a bug)
};

/// What a push did at the receiver.
enum class delta_outcome {
  applied,        ///< C += d, x += d
  stale,          ///< seq <= held (duplicate or overtaken)
  base_mismatch,  ///< built on a state the receiver does not hold
  malformed,      ///< wrong size, or a non-finite value or weight
};

/// How many pushes a receiver end saw, by outcome.
struct delta_counters {
  std::uint64_t applied = 0;
  std::uint64_t stale = 0;
  std::uint64_t base_mismatch = 0;
  std::uint64_t malformed = 0;
};

/// Sender end of one edge.
class delta_sender {
 public:
  /// With `pinning`, T is pinned for the sender's life: a GPU's running
  /// sum is downloaded into it (set_committed) by DMA.
  delta_sender(std::size_t size, delta_precision precision, std::size_t window = 4,
               std::shared_ptr<const host_pinning> pinning = nullptr);
  delta_sender(delta_sender&&) noexcept = default;
  /// Not assignable: T's pin must go before T's memory, and members are
  /// assigned in order.
  delta_sender& operator=(delta_sender&&) = delete;

  /// T += share, T_w += weight (the caller took them out of x and w).
  void commit(std::span<const double> share, double weight);
  void commit(std::span<const float> share, double weight);
  /// T = total, T_w = weight: the edge's whole cumulative mass as running
  /// sums hold it (a process boundary: core::push_message carries totals).
  void set_committed(std::span<const double> total, double weight);
  /// The same from a running sum's block (a GPU's: downloaded into T).
  void set_committed(const mass_block& total, double weight);

  /// The next push: d = round(T - C_b) against its base b (the newest
  /// pending push if it has left for the wire, else that push's base, or a
  /// after a refusal), or the newest pending push again when `window` are
  /// unacknowledged (the newest one built on a).
  [[nodiscard]] delta_push push();

  /// The receiver says it holds `held`.
  ack_outcome on_ack(std::uint64_t held);

  [[nodiscard]] std::size_t size() const { return committed_.size(); }
  [[nodiscard]] delta_precision precision() const { return precision_; }
  [[nodiscard]] std::span<const double> committed() const { return committed_; }
  [[nodiscard]] double committed_weight() const { return committed_w_; }
  [[nodiscard]] std::span<const double> acked() const { return acked_; }
  [[nodiscard]] double acked_weight() const { return acked_w_; }
  [[nodiscard]] std::uint64_t acked_seq() const { return acked_seq_; }
  [[nodiscard]] std::size_t pending() const { return pending_.size(); }

 private:
  struct sent {
    std::uint64_t seq = 0;
    std::uint64_t base = 0;  ///< acked_seq_ or an earlier pending push
    double weight = 0.0;
    std::shared_ptr<std::vector<std::uint8_t>> values;  ///< shared, read-only, with pushes
    progress_flag progress;                             ///< shared with the push's frame
  };

  /// A payload buffer of `bytes`: a spare nothing else holds, or a new one.
  std::shared_ptr<std::vector<std::uint8_t>> payload_buffer(std::size_t bytes);
  /// Keeps an acknowledged or dropped push's payload for a later push.
  void recycle(std::shared_ptr<std::vector<std::uint8_t>> values);
  /// The pending pushes from acked_seq_ out to `seq`, in the order the
  /// receiver applies them; empty if `seq` is not pending or not reached
  /// from acked_seq_.
  [[nodiscard]] std::vector<const sent*> chain_to(std::uint64_t seq) const;
  /// The receiver's C[i] after `chain`: C_a[i] plus the chain's deltas, the
  /// same double additions in the same order as it makes them.
  [[nodiscard]] double c_after(const std::vector<const sent*>& chain, std::size_t i) const;
  /// The base for the next new push (see push()).
  [[nodiscard]] std::uint64_t next_base() const;
  /// Forgets pushes their transport dropped (and any built on them).
  void forget_dropped();

  delta_precision precision_;
  std::size_t window_;
  large_doubles committed_;
  pinned_range committed_pin_;  ///< after committed_: unpinned before it is freed
  large_doubles acked_;
  double committed_w_ = 0.0;
  double acked_w_ = 0.0;
  std::uint64_t last_seq_ = 0;
  std::uint64_t acked_seq_ = 0;
  std::vector<sent> pending_;  ///< oldest first; each one's base is acked_seq_ or a pending push
  bool restart_ = false;       ///< a push was refused: the next one has base acked_seq_
  /// Payloads of acknowledged pushes kept for reuse, at most max_spares: one
  /// still in a queued frame and one to write the next push into.
  static constexpr std::size_t max_spares = 2;
  std::vector<std::shared_ptr<std::vector<std::uint8_t>>> spare_;
};

/// Receiver end of one edge.
class delta_receiver {
 public:
  explicit delta_receiver(std::size_t size);

  /// Applies `p` if it is built on what this end holds: C += d, x += d,
  /// w += p.weight - held weight. Nothing changes otherwise.
  delta_outcome apply(const delta_push& p, std::span<double> x, double& w);
  /// As apply, for an end that keeps no x of its own: only C (and the held
  /// weight and sequence) move, and C as it is after the push is written to
  /// `out` (size() doubles) in the same pass; `out` is untouched when the
  /// push does not apply. A process boundary hands `out` on as a running
  /// sum (core::push_message), whose receiver adds the difference to its x.
  delta_outcome accept_into(const delta_push& p, std::span<double> out);

  [[nodiscard]] std::uint64_t held_seq() const { return held_seq_; }
  [[nodiscard]] std::span<const double> held() const { return held_; }
  [[nodiscard]] double held_weight() const { return held_w_; }
  [[nodiscard]] const delta_counters& counters() const { return counters_; }

 private:
  delta_outcome check(const delta_push& p, std::size_t x_size);
  /// Counts `outcome`; true when it is applied.
  bool count(delta_outcome outcome);

  large_doubles held_;
  double held_w_ = 0.0;
  std::uint64_t held_seq_ = 0;
  delta_counters counters_;
};

/// The value of wire element `i` of `values` (fp32 or bf16) as a double.
[[nodiscard]] double delta_value(std::span<const std::uint8_t> values, delta_precision p,
                                 std::size_t i);

}  // namespace sgp::core
