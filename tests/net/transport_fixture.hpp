// Test doubles for node transports: a manual clock, a recording inner
// transport and push envelopes of a given size.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/host_mass_space.hpp"
#include "net/node_transport.hpp"
#include "net/transport_clock.hpp"

namespace sgp::net::testing {

/// A clock that moves only when told; callbacks due at the same time run in
/// the order they were scheduled.
class manual_clock final : public transport_clock {
 public:
  [[nodiscard]] double now() const override { return now_; }
  void schedule(double at, std::function<void()> callback) override {
    timers_.emplace(at, std::move(callback));
  }
  /// Runs every callback due by `t` (in time order), then sets the time to `t`.
  void advance_to(double t) {
    while (!timers_.empty() && timers_.begin()->first <= t) {
      auto node = timers_.extract(timers_.begin());
      now_ = node.key();
      node.mapped()();
    }
    now_ = t;
  }
  [[nodiscard]] std::size_t pending() const { return timers_.size(); }

 private:
  double now_ = 0.0;
  std::multimap<double, std::function<void()>> timers_;
};

/// What a recording transport was handed, and when.
struct arrival {
  double at = 0.0;
  core::gossip_envelope envelope;
};

/// An inner transport that records every envelope with the clock's time;
/// nodes below `nodes` are reachable.
class recording_transport final : public node_transport {
 public:
  recording_transport(const transport_clock& clock, std::size_t nodes,
                      std::shared_ptr<std::vector<arrival>> log)
      : clock_(clock), reachable_(nodes, true), log_(std::move(log)) {}

  transport_outcome deliver(core::gossip_envelope envelope) override {
    if (!reaches(envelope.message->to)) return transport_outcome::unknown_peer;
    log_->push_back({clock_.now(), std::move(envelope)});
    return transport_outcome::delivered;
  }
  void set_receiver(std::size_t node, receive_callback callback) override {
    if (node < reachable_.size()) reachable_[node] = static_cast<bool>(callback);
  }
  [[nodiscard]] bool reaches(std::size_t node) const override {
    return node < reachable_.size() && reachable_[node];
  }
  [[nodiscard]] transport_stats stats(std::size_t) const override { return {}; }
  [[nodiscard]] transport_stats totals() const override { return {}; }

 private:
  const transport_clock& clock_;
  std::vector<bool> reachable_;
  std::shared_ptr<std::vector<arrival>> log_;
};

/// A push from `from` to `to` with sequence `seq` and `values` doubles of mass.
inline core::gossip_envelope push_envelope(std::size_t from, std::size_t to, std::uint64_t seq,
                                           std::size_t values) {
  auto m = std::make_shared<core::push_message>();
  m->from = from;
  m->to = to;
  m->seq = seq;
  m->mass = std::make_shared<const core::host_mass>(std::vector<double>(values, 1.0));
  m->weight = 0.5 * static_cast<double>(seq);
  core::gossip_envelope e;
  e.iteration = seq;
  e.message = std::move(m);
  return e;
}

}  // namespace sgp::net::testing
