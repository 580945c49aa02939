// Implementation of the AllReduce actor (see allreduce_actor.hpp).
#include "actors/allreduce_actor.hpp"

#include <algorithm>
#include <chrono>

#include "actors/sender_actor.hpp"

namespace sgp::actors {
namespace {

using self_ptr = caf::stateful_actor<allreduce_state>*;

/// Completes every iteration whose live contributors have all arrived.
void complete_ready(self_ptr self) {
  auto& s = self->state;
  for (auto it = s.iterations.begin(); it != s.iterations.end();) {
    auto& p = it->second;
    bool complete = p.contributions > 0;
    for (std::size_t i = 0; i < s.live.size(); ++i) {
      if (s.live[i] && !p.from[i]) complete = false;
    }
    if (!complete) {
      ++it;
      continue;
    }
    const int count = p.contributions;
    auto avg = std::make_shared<std::vector<float>>(p.sum.size());
    for (std::size_t k = 0; k < p.sum.size(); ++k) {
      (*avg)[k] = static_cast<float>(p.sum[k] / count);
    }
    const double seconds =
        ring_allreduce_seconds(s.links, s.live, p.sum.size() * s.bytes_per_element);
    s.ring_seconds += seconds;
    const auto delay =
        std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(seconds));
    const shared_floats out = std::move(avg);
    for (std::size_t i = 0; i < s.live.size(); ++i) {
      if (s.live[i] && s.computes[i]) {
        self->delayed_send(s.computes[i], delay, avg_grad_atom::value, out, it->first);
      }
    }
    it = s.iterations.erase(it);
  }
}

}  // namespace

double ring_allreduce_seconds(const net::link_emulator& links, const std::vector<bool>& live,
                              std::uint64_t bytes) {
  std::vector<int> ring;
  for (std::size_t i = 0; i < live.size(); ++i) {
    if (live[i]) ring.push_back(static_cast<int>(i));
  }
  const auto m = ring.size();
  if (m < 2) return 0.0;
  const std::uint64_t chunk = (bytes + m - 1) / m;
  double slowest = 0.0;
  for (std::size_t r = 0; r < m; ++r) {
    slowest = std::max(slowest, links.transfer_seconds(ring[r], ring[(r + 1) % m], chunk));
  }
  // Reduce-scatter then all-gather: 2(m-1) steps, each waits for its slowest link.
  return static_cast<double>(2 * (m - 1)) * slowest;
}

caf::behavior allreduce_actor(caf::stateful_actor<allreduce_state>* self, net::link_emulator links,
                              std::uint64_t bytes_per_element) {
  self->state.links = std::move(links);
  self->state.bytes_per_element = bytes_per_element;
  return {
      [=](grad_atom, int node, std::uint64_t iteration, const shared_floats& g) {
        auto& s = self->state;
        auto& p = s.iterations[iteration];
        if (p.sum.empty()) {
          p.sum.assign(g->size(), 0.0);
          p.from.assign(s.live.size(), false);
        }
        if (p.from[static_cast<std::size_t>(node)] || g->size() != p.sum.size()) return;
        p.from[static_cast<std::size_t>(node)] = true;
        ++p.contributions;
        for (std::size_t k = 0; k < g->size(); ++k) p.sum[k] += (*g)[k];
        complete_ready(self);
      },
      [=](view_atom, const std::vector<caf::actor>& computes, const std::vector<bool>& live) {
        auto& s = self->state;
        // A node that (re)joins continues at its donor's iteration: it owes
        // nothing to the iterations already under way.
        for (auto& [iteration, p] : s.iterations) {
          for (std::size_t i = 0; i < live.size(); ++i) {
            if (live[i] && (i >= s.live.size() || !s.live[i])) p.from[i] = true;
          }
        }
        s.computes = computes;
        s.live = live;
        complete_ready(self);
      },
      [=](links_atom, const link_update& update) { apply_link_update(self->state.links, update); },
  };
}

}  // namespace sgp::actors
