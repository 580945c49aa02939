// The link emulator: per directed link bandwidth, latency, jitter, loss and
// up/down state, deciding when (or whether) each message arrives. With a
// shared egress, a node's messages also take turns on its one interface
// (as a host's NIC, or a tbf-shaped veth, carries all of its links), so a
// node that sends on two links at once gets the bandwidth once. Pure logic
// over a clock the caller passes in (seconds), so it runs the same under
// CAF's real and virtual clocks. Not thread-safe: one owner (the sender side
// of a transport) at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "core/rng.hpp"

namespace sgp::net {

/// Properties of one directed link.
struct link_properties {
  double bandwidth_bits_per_second = 10e9;  ///< <= 0: infinite
  double latency_seconds = 0.0;
  double jitter_seconds = 0.0;  ///< extra delay, uniform in [0, jitter]
  double loss = 0.0;            ///< probability that a message is dropped
};

/// What happens to one message.
struct delivery {
  bool dropped = false;     ///< lost (link down or random loss)
  bool link_down = false;   ///< dropped because the link was down
  double deliver_at = 0.0;  ///< arrival time (seconds, caller's clock)
  double start = 0.0;       ///< when its first bit goes on the link (after queueing)
};

class link_emulator {
 public:
  link_emulator(int nodes, link_properties defaults, std::uint64_t seed);

  [[nodiscard]] int nodes() const { return nodes_; }

  /// Plans `bytes` from `from` to `to` sent at `now`. A link carries one
  /// message at a time: a message waits until the previous one has left
  /// (with a shared egress, the previous one from `from` on any link).
  delivery plan(int from, int to, std::size_t bytes, double now);

  /// A node's links share one interface (network.shared_egress).
  void set_shared_egress(bool shared) { shared_egress_ = shared; }
  [[nodiscard]] bool shared_egress() const { return shared_egress_; }

  /// Payload bytes per TCP segment at an MTU of 1500 (IPv4 and TCP headers
  /// with timestamps take the other 52).
  static constexpr double segment_payload = 1448.0;
  /// Bytes a link carries per segment besides its payload
  /// (network.frame_overhead): the bandwidth is then the rate at which the
  /// link carries frames, as a NIC's line rate or tbf's rate counts it.
  /// 0: the bandwidth is the payload's rate.
  void set_frame_overhead(double bytes_per_segment) { frame_overhead_ = bytes_per_segment; }
  [[nodiscard]] double frame_overhead() const { return frame_overhead_; }
  /// What `bytes` of payload occupy on a link: the payload plus
  /// `overhead` bytes for each segment it needs.
  [[nodiscard]] static double line_bytes(std::size_t bytes, double overhead);

  /// Pure transfer time of `bytes` over the link (serialisation + latency,
  /// no queueing, no jitter) — what a cost model predicts.
  [[nodiscard]] double transfer_seconds(int from, int to, std::size_t bytes) const;

  [[nodiscard]] const link_properties& properties(int from, int to) const;
  void set_defaults(const link_properties& p);
  /// Overrides one directed link (the console's `link set`).
  void set_link(int from, int to, const link_properties& p);

  /// Explicit up/down of one directed link (`link down A B`).
  void set_up(int from, int to, bool up);
  /// Splits the nodes into groups: links between groups are down until
  /// heal(); nodes in no group keep all their links.
  void partition(const std::vector<std::vector<int>>& groups);
  void heal();

  [[nodiscard]] bool up(int from, int to) const;

 private:
  using edge = std::pair<int, int>;
  /// Serialisation time of `bytes` (their frames) at p's bandwidth.
  [[nodiscard]] double wire_seconds(const link_properties& p, std::size_t bytes) const;
  int nodes_;
  link_properties defaults_;
  std::map<edge, link_properties> overrides_;
  std::set<edge> down_;
  std::vector<int> group_;  ///< partition group per node; empty = no partition
  std::map<edge, double> busy_until_;
  std::map<int, double> egress_busy_until_;  ///< by sending node, with a shared egress
  bool shared_egress_ = false;
  double frame_overhead_ = 0.0;
  core::rng rng_;
};

}  // namespace sgp::net
