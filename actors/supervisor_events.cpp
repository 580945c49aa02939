// The supervisor's typed event stream (actors/embedding.hpp): subscribers,
// and the end of the run, which answers the start request and tells them.
#include <algorithm>

#include "actors/supervisor_state.hpp"

namespace sgp::actors {

void subscribe(supervisor_ptr self, const caf::actor& listener) {
  auto& subs = self->state.subscribers;
  if (!listener) return;
  // The embedding API takes any actor (an application's listener is
  // usually dynamically typed); it is sent only the events of
  // listener_handle, so it is held as one.
  const auto typed = caf::actor_cast<listener_handle>(listener);
  if (std::find(subs.begin(), subs.end(), typed) != subs.end()) return;
  self->monitor(typed);
  subs.push_back(typed);
}

bool unsubscribe(supervisor_ptr self, const caf::actor_addr& listener) {
  auto& subs = self->state.subscribers;
  const auto it = std::find_if(subs.begin(), subs.end(),
                               [&](const listener_handle& a) { return a.address() == listener; });
  if (it == subs.end()) return false;
  self->demonitor(listener);
  subs.erase(it);
  return true;
}

void deliver_summary(supervisor_ptr self, runtime::run_summary summary) {
  auto& s = self->state;
  if (!s.finished.pending()) return;
  publish(self, run_end{true, "", summary});
  s.finished.deliver(std::move(summary));
}

void deliver_error(supervisor_ptr self, const std::string& message) {
  auto& s = self->state;
  if (!s.finished.pending()) return;
  publish(self, run_end{false, message, {}});
  s.finished.deliver(caf::make_error(caf::sec::runtime_error, message));
}

}  // namespace sgp::actors
