// The transport clock of an actor (net/transport_clock.hpp over CAF): the
// actor's clock (virtual under the test coordinator), and timers as delayed
// tick messages to the actor itself. The actor's tick handler calls fire(),
// so a transport's timer callback runs in the actor's turn: no timer thread
// touches its state.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <functional>
#include <unordered_map>

#include "net/transport_clock.hpp"

namespace sgp::actors {

class transport_timer final : public net::transport_clock {
 public:
  /// How a timer's tick reaches the actor: `post(delay, id)` sends it
  /// (tick_atom, id) after `delay`.
  using post_tick = std::function<void(caf::timespan, std::uint64_t)>;

  /// Timers for `self` (its clock), which must forward its `tick_atom,
  /// std::uint64_t` messages, sent by `post`, to fire().
  transport_timer(caf::local_actor* self, post_tick post) : self_(self), post_(std::move(post)) {}

  [[nodiscard]] double now() const override;
  void schedule(double at, std::function<void()> callback) override;

  /// Runs timer `id` (once; an unknown id does nothing).
  void fire(std::uint64_t id);

 private:
  caf::local_actor* self_;
  post_tick post_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::function<void()>> pending_;
};

}  // namespace sgp::actors
