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
  /// Timers for `self`, which must forward its `tick_atom, std::uint64_t`
  /// messages to fire().
  explicit transport_timer(caf::event_based_actor* self) : self_(self) {}

  [[nodiscard]] double now() const override;
  void schedule(double at, std::function<void()> callback) override;

  /// Runs timer `id` (once; an unknown id does nothing).
  void fire(std::uint64_t id);

 private:
  caf::event_based_actor* self_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::function<void()>> pending_;
};

}  // namespace sgp::actors
