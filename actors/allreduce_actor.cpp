// Implementation of the AllReduce actor (see allreduce_actor.hpp).
#include "actors/allreduce_actor.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

#include "actors/actor_failure.hpp"
#include "actors/sender_actor.hpp"
#include "core/flat_ops.hpp"
#include "core/log.hpp"

namespace sgp::actors {
namespace {

using self_ptr = allreduce_handle::stateful_pointer<allreduce_state>;

/// Leaves the device path for the rest of the run. The gradients of pending
/// iterations that are already on the GPUs go into host sums: one download
/// (a host sync) per node, once; their compute actors wait, so the
/// buffers still hold them.
void fall_back_to_host(self_ptr self, const std::string& why) {
  auto& s = self->state;
  core::logf(core::log_level::warn, "ar-sgd", {},
             "%s: gradients averaged on the host for the rest of the run", why.c_str());
  s.device->abort();
  s.device.reset();
  s.clique.clear();
  for (auto& [iteration, p] : s.iterations) {
    p.sum.assign(s.elements, 0.0);
    p.contributions = 0;
    for (std::size_t i = 0; i < p.arrived.size(); ++i) {
      if (!p.arrived[i] || i >= s.live.size() || !s.live[i] || !s.engines[i]) continue;
      const auto g = s.engines[i]->gradient_copy();
      for (std::size_t k = 0; k < g.size() && k < p.sum.size(); ++k) p.sum[k] += g[k];
      ++p.contributions;
    }
  }
}

/// Device path: makes the clique the one over `members` (rebuilt only when
/// it is not already theirs).
core::status ensure_clique(self_ptr self, const engine_list& members) {
  auto& s = self->state;
  if (members == s.clique) return {};
  std::vector<gpu::backend*> backends;
  backends.reserve(members.size());
  for (const auto& e : members) backends.push_back(&e->backend());
  auto rebuilt = s.device->rebuild(backends);
  // Either way the old clique is gone: its engines need not stay alive.
  s.clique = rebuilt.ok() ? members : engine_list{};
  return rebuilt;
}

/// Device path: averages `p` in place on the GPUs of the live nodes whose
/// gradient is in (all the live ones, but for a node that joined during
/// the iteration and has not sent it yet).
core::status average_on_devices(self_ptr self, std::uint64_t iteration,
                                const allreduce_state::pending& p) {
  auto& s = self->state;
  engine_list members;
  for (std::size_t i = 0; i < s.live.size() && i < p.arrived.size(); ++i) {
    if (s.live[i] && p.arrived[i] && s.engines[i]) members.push_back(s.engines[i]);
  }
  if (members.empty()) return {};
  if (auto st = ensure_clique(self, members); !st.ok()) return st;
  std::vector<gpu::buffer*> grads;
  grads.reserve(members.size());
  for (const auto& e : members) grads.push_back(&e->gradient_buffer());
  return s.device->average(grads, iteration);
}

/// This actor waits for node `i`'s gradient: it is live (and, across
/// processes, one of this process's nodes).
bool waits_for(const allreduce_state& s, std::size_t i) {
  return s.live[i] && (!s.across || (i < s.across->node_process.size() &&
                                     s.across->node_process[i] == s.across->process));
}

/// Across processes: the live ones (a process with a live node), this one always.
std::vector<bool> live_processes(const allreduce_state& s) {
  std::vector<bool> out(s.across->names.size(), false);
  for (std::size_t i = 0; i < s.live.size() && i < s.across->node_process.size(); ++i) {
    if (s.live[i]) out[s.across->node_process[i]] = true;
  }
  out[s.across->process] = true;
  return out;
}

std::string error_text(const caf::error& e) {
  const auto& ctx = e.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0)) return ctx.get_as<std::string>(0);
  const auto text = actor_failure_text(e);
  return text.empty() ? "the process reducer stopped" : text;
}

void complete_ready(self_ptr self);

/// Across processes: the sum of `iteration` is in (`total`), or it failed
/// (`e`): the failure waits for the view to change.
void sum_done(self_ptr self, std::uint64_t iteration, std::optional<std::vector<double>> total,
              bool on_device, const std::vector<bool>& live, const caf::error& e) {
  auto& st = self->state;
  st.reducing = false;
  if (total) {
    st.failed_live.clear();
    if (auto found = st.iterations.find(iteration); found != st.iterations.end()) {
      found->second.total = std::move(total);
      found->second.on_device = on_device;
    }
  } else {
    st.failed_live = live;
    st.failed_at = clock_seconds(self);
    st.failed_why = error_text(e);
    core::logf(core::log_level::warn, "ar-sgd", {},
               "%s; redone over the survivors once a process leaves the view",
               st.failed_why.c_str());
    if (!st.watching) {
      st.watching = true;
      self->send(self, tick_atom::value);
    }
  }
  complete_ready(self);  // after a failure: the view may have changed already
}

/// Across processes: hands [sums, count] of `iteration` to the process
/// reducer (on the device path: this process's node's gradient on its GPU
/// and its count); the answer completes it, a failure waits for the view.
void start_sum(self_ptr self, std::uint64_t iteration, const allreduce_state::pending& p) {
  auto& s = self->state;
  const auto live = live_processes(s);
  s.reducing = true;
  const auto failed = [=](caf::error& e) {
    sum_done(self, iteration, std::nullopt, false, live, e);
  };
  if (s.across->on_device) {
    // This process's live nodes whose gradient is on their GPU, in node
    // order; each gradient buffer gets the average.
    engine_list engines;
    for (std::size_t i = 0; i < p.arrived.size() && i < s.engines.size(); ++i) {
      if (p.arrived[i] && i < s.live.size() && s.live[i] && s.engines[i]) {
        engines.push_back(s.engines[i]);
      }
    }
    const auto count = static_cast<double>(engines.size());
    self->request(s.across->reducer, caf::infinite, reduce_atom::value, iteration,
                  std::move(engines), count, live)
        .then(
            [=](double count) {
              sum_done(self, iteration, std::vector<double>{count}, true, live, {});
            },
            failed);
    return;
  }
  // One allocation (a model-sized copy and then a push_back would copy twice).
  std::vector<double> values;
  values.reserve(p.sum.size() + 1);
  values.assign(p.sum.begin(), p.sum.end());
  values.push_back(static_cast<double>(p.contributions));
  self->request(s.across->reducer, caf::infinite, reduce_atom::value, iteration, std::move(values),
                live)
      .then(
          [=](std::vector<double>& total) {
            sum_done(self, iteration, std::move(total), false, live, {});
          },
          failed);
}

/// Completes every iteration whose live contributors have all arrived.
void complete_ready(self_ptr self) {
  auto& s = self->state;
  for (auto it = s.iterations.begin(); it != s.iterations.end();) {
    auto& p = it->second;
    bool complete = p.contributions > 0;
    for (std::size_t i = 0; i < s.live.size(); ++i) {
      if (waits_for(s, i) && !p.from[i]) complete = false;
    }
    if (!complete) {
      if (s.across) break;  // across processes, strictly in order
      ++it;
      continue;
    }
    if (s.across && !p.total) {
      // Redone only once the view changed since the last failure (a
      // rebuild over the survivors); nothing else can make it succeed.
      if (!s.reducing && (s.failed_live.empty() || live_processes(s) != s.failed_live)) {
        start_sum(self, it->first, p);
      }
      break;
    }
    if (s.device) {
      if (auto st = average_on_devices(self, it->first, p); !st.ok()) {
        fall_back_to_host(self, "NCCL average failed (" + st.err().message + ")");
      }
    }
    shared_floats out;  // null: averaged in place on the GPUs
    std::size_t elements = s.elements;
    if (!s.device && !p.on_device) {
      // Across processes: every process's sums and the total count, the
      // same on every process (so is the average).
      const double count = s.across ? p.total->back() : static_cast<double>(p.contributions);
      const std::size_t size = s.across ? p.total->size() - 1 : p.sum.size();
      const double* sums = s.across ? p.total->data() : p.sum.data();
      if (count == 0) {  // only after a fallback: nobody waits for this one
        it = s.iterations.erase(it);
        continue;
      }
      auto avg = std::make_shared<std::vector<float>>(size);
      // The bits of the GPU's division (a process averaging on its GPU).
      core::average_of_sum<double>(std::span<const double>(sums, size), count, *avg);
      out = std::move(avg);
      elements = size;
    }
    // The emulated links decide when the average is there, wherever it was made.
    const double seconds = ring_allreduce_seconds(s.links, s.live, elements * s.bytes_per_element);
    s.ring_seconds += seconds;
    const auto delay =
        std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(seconds));
    for (std::size_t i = 0; i < s.live.size(); ++i) {
      if (s.live[i] && s.computes[i]) {
        self->delayed_send(s.computes[i], delay, avg_grad_atom::value, out, it->first);
      }
    }
    s.completed_through = std::max(s.completed_through, static_cast<std::int64_t>(it->first));
    if (out) {
      s.recent[it->first] = out;
      while (s.recent.size() > allreduce_state::recent_kept) s.recent.erase(s.recent.begin());
    }
    it = s.iterations.erase(it);
  }
}

/// A gradient for an iteration that was averaged without its node (a
/// revived node continues at its donor's iteration, which the others may
/// have finished before its first gradient arrives). Its compute actor
/// waits for an answer, and a fresh entry for that iteration would wait for
/// the others, who are past it: the whole group would stop. The node gets
/// the average the others applied, so that it takes its donor's step and
/// the replicas stay identical: on the host path from the last recent_kept
/// averages; on the device path the clique copies it into node `node`'s
/// gradient buffer (it keeps the last few once a membership changed), and
/// the answer is null (the average is in the device buffer). For an older
/// iteration the node steps with its own gradient and its replica then
/// differs from the others'. True when `iteration` was such a one.
bool answer_late(self_ptr self, std::size_t node, std::uint64_t iteration,
                 const shared_floats& own) {
  auto& s = self->state;
  if (static_cast<std::int64_t>(iteration) > s.completed_through ||
      s.iterations.count(iteration) > 0) {
    return false;
  }
  const auto kept = s.recent.find(iteration);
  const shared_floats answer = own && kept != s.recent.end() ? kept->second : own;
  if (!own && s.device && node < s.engines.size() && s.engines[node]) {
    auto& e = *s.engines[node];
    if (auto st = s.device->recall(iteration, e.gradient_buffer(), e.backend()); !st.ok()) {
      core::logf(core::log_level::warn, "ar-sgd", {.node = static_cast<int>(node)},
                 "%s: the node steps with its own gradient (its replica will differ)",
                 st.err().message.c_str());
    }
  }
  // Whoever sent the gradient: a compute actor (handles.hpp: compute_handle).
  if (auto to = caf::actor_cast<compute_handle>(self->current_sender())) {
    self->send(to, avg_grad_atom::value, answer, iteration);
  }
  return true;
}

/// Device path: node `i`'s gradient for `iteration` is on its GPU.
void on_device_gradient(self_ptr self, std::size_t i, std::uint64_t iteration) {
  auto& s = self->state;
  if (answer_late(self, i, iteration, nullptr)) return;
  auto& p = s.iterations[iteration];
  if (p.from.empty()) {
    p.from.assign(s.live.size(), false);
    p.arrived.assign(s.live.size(), false);
  }
  if (i >= p.arrived.size() || p.arrived[i]) return;
  p.arrived[i] = true;
  // A node excused from this iteration (it joined during it) that sends it
  // anyway is averaged in: only a rank of the collective gets the average
  // in its buffer.
  if (!p.from[i]) {
    p.from[i] = true;
    ++p.contributions;
  }
  complete_ready(self);
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

allreduce_handle::behavior_type allreduce_actor(
    allreduce_handle::stateful_pointer<allreduce_state> self, net::link_emulator links,
    std::uint64_t bytes_per_element, std::shared_ptr<gpu::device_allreduce> device,
    engine_list engines) {
  exit_on_exception(self, "the AllReduce actor");
  auto& st = self->state;
  st.links = std::move(links);
  st.bytes_per_element = bytes_per_element;
  // The host path takes the gradients from the messages alone: only the
  // device path (and its fallback, which downloads what is already on the
  // GPUs) keeps the nodes' engines, whose buffers live in this process.
  st.device_path = device != nullptr;
  st.device = std::move(device);
  if (st.device_path) {
    for (const auto& e : engines) {
      if (e) st.elements = e->parameters();
    }
    st.clique = engines;
    st.engines = std::move(engines);
  }
  return {
      [=](grad_atom, int node, std::uint64_t iteration, const shared_floats& g) {
        auto& s = self->state;
        const auto i = static_cast<std::size_t>(node);
        // Null across processes: on this process's GPU (process_reduction::on_device).
        if (s.device || (!g && s.across && s.across->on_device)) {
          on_device_gradient(self, i, iteration);
          return;
        }
        shared_floats host = g;
        if (!host) {
          // Sent before the compute actor learnt (from the reply) that the
          // device path ended: fetch it; the actor waits, the buffer holds it.
          // (Never on the host path, which holds no engine.)
          if (i >= s.engines.size() || !s.engines[i]) return;
          host = std::make_shared<const std::vector<float>>(s.engines[i]->gradient_copy());
        }
        if (answer_late(self, i, iteration, host)) return;
        auto& p = s.iterations[iteration];
        if (p.sum.empty()) {
          p.sum.assign(host->size(), 0.0);
          p.from.assign(s.live.size(), false);
        }
        if (p.from[i] || host->size() != p.sum.size()) return;
        p.from[i] = true;
        ++p.contributions;
        for (std::size_t k = 0; k < host->size(); ++k) p.sum[k] += (*host)[k];
        complete_ready(self);
      },
      [=](view_atom, const std::vector<compute_handle>& computes, const std::vector<bool>& live,
          const engine_list& node_engines) {
        auto& s = self->state;
        // A node that (re)joins continues at its donor's iteration: it owes
        // nothing to the iterations already under way.
        for (auto& [iteration, p] : s.iterations) {
          for (std::size_t i = 0; i < live.size(); ++i) {
            if (live[i] && (i >= s.live.size() || !s.live[i])) {
              p.from[i] = true;
              // A new incarnation: what the old one left on its GPU is not its gradient.
              if (i < p.arrived.size()) p.arrived[i] = false;
            }
          }
        }
        s.computes = computes;
        s.live = live;
        if (s.device_path || (s.across && s.across->on_device)) {
          s.engines = node_engines;
          for (const auto& e : node_engines) {
            if (e) s.elements = e->parameters();
          }
        }
        if (s.device) {
          // Abort the clique and rebuild it over the live nodes, so that no
          // collective ever waits for a dead peer. (s.clique keeps the old
          // engines' streams alive until the abort is done.)
          engine_list members;
          for (std::size_t i = 0; i < live.size() && i < node_engines.size(); ++i) {
            if (live[i] && node_engines[i]) members.push_back(node_engines[i]);
          }
          if (members.empty()) {
            s.device->abort();
            s.clique.clear();
          } else if (members != s.clique) {
            if (auto rebuilt = ensure_clique(self, members); !rebuilt.ok()) {
              fall_back_to_host(self, "NCCL rebuild after a membership change failed (" +
                                          rebuilt.err().message + ")");
            } else {
              core::logf(core::log_level::info, "ar-sgd", {}, "membership changed: %s",
                         s.device->describe().c_str());
            }
          }
        }
        complete_ready(self);
      },
      [=](links_atom, const link_update& update) { apply_link_update(self->state.links, update); },
      [=](across_atom, const process_reduction& across) {
        self->state.across = across;
        core::logf(core::log_level::info, "ar-sgd", {},
                   "gradients summed across processes with %s (each process's nodes first)",
                   across.engine.c_str());
      },
      [=](tick_atom) {
        // A failed sum waits for the view to change; not for ever.
        auto& s = self->state;
        if (s.failed_live.empty() || !s.across) {
          s.watching = false;
          return;
        }
        if (!s.reducing && live_processes(s) == s.failed_live &&
            clock_seconds(self) - s.failed_at > s.across->view_wait_seconds) {
          char limit[64];
          std::snprintf(limit, sizeof(limit), " (no process left the view within %.0f s)",
                        s.across->view_wait_seconds);
          self->quit(exception_exit_reason(
              "ar-sgd across processes",
              std::make_exception_ptr(std::runtime_error(s.failed_why + limit))));
          return;
        }
        self->delayed_send(self, std::chrono::milliseconds(250), tick_atom::value);
      },
  };
}

}  // namespace sgp::actors
