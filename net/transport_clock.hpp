// The clock a transport decorator waits on: the current time and a timer.
// Abstract so that net/ has no actors in it: the actor layer implements it
// with CAF (a delayed message to the owning actor, which then runs the
// callback: the callback runs in the owner's turn, never on a timer thread),
// and tests with a manual clock.
#pragma once

#include <functional>

namespace sgp::net {

class transport_clock {
 public:
  virtual ~transport_clock() = default;

  /// Seconds on this clock.
  [[nodiscard]] virtual double now() const = 0;

  /// Runs `callback` once at `at` seconds (or as soon as possible after), on
  /// the owner's thread and never inside this call. Callbacks due at the
  /// same time run in the order they were scheduled.
  virtual void schedule(double at, std::function<void()> callback) = 0;
};

}  // namespace sgp::net
