// Implementation of the actor's transport clock (see transport_timer.hpp).
#include "actors/transport_timer.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "actors/messages.hpp"
#include "actors/sender_actor.hpp"

namespace sgp::actors {

double transport_timer::now() const {
  return clock_seconds(self_);
}

void transport_timer::schedule(double at, std::function<void()> callback) {
  const std::uint64_t id = ++next_id_;
  pending_.emplace(id, std::move(callback));
  const auto delay = std::chrono::duration_cast<caf::timespan>(
      std::chrono::duration<double>(std::max(0.0, at - now())));
  post_(delay, id);
}

void transport_timer::fire(std::uint64_t id) {
  const auto it = pending_.find(id);
  if (it == pending_.end()) return;
  auto callback = std::move(it->second);
  pending_.erase(it);
  callback();
}

}  // namespace sgp::actors
