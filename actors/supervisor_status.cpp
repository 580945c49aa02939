// The supervisor's side of the status page: traffic per edge, rates over the
// last seconds, the loss/consensus history, and the snapshot the HTTP server
// asks for (see supervisor_state.hpp and core/cluster_status.hpp).
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "actors/sender_actor.hpp"
#include "actors/supervisor_state.hpp"
#include "core/connectivity.hpp"

namespace sgp::actors {
namespace {

constexpr double sample_every_seconds = 1.0;
constexpr double rate_window_seconds = 5.0;
constexpr std::size_t history_points = 600;  ///< ten minutes at one a second

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

std::string device_of(const supervisor_state& s, std::size_t node) {
  if (s.settings.backend.name != config::backend_kind::cuda) return s.cfg.backend.name;
  const auto& devices = s.cfg.backend.devices;
  const int d = devices.empty() ? 0 : devices[node % devices.size()];
  return "cuda:" + std::to_string(d);
}

traffic_sample take_sample(const supervisor_state& s, double now) {
  traffic_sample t;
  t.time = now;
  t.edge_messages = s.edge_messages;
  t.edge_bytes = s.edge_bytes;
  t.iterations.assign(s.n, 0);
  t.incarnations = s.view.incarnation;
  t.compute = s.node_compute;
  for (std::size_t i = 0; i < s.n; ++i) {
    if (s.view.live[i] && s.last[i]) t.iterations[i] = s.last[i]->iteration;
  }
  return t;
}

}  // namespace

void record_traffic(supervisor_state& s, const iteration_report& r) {
  if (s.edge_messages.size() != s.n * s.n) {
    s.edge_messages.assign(s.n * s.n, 0);
    s.edge_bytes.assign(s.n * s.n, 0);
  }
  // What each push is charged on its link (net/emulated_transport.hpp).
  const std::uint64_t bytes =
      net::wire::push_frame_size(push_wire_type(s.settings), s.initial_x ? s.initial_x->size() : 0);
  const auto from = static_cast<std::size_t>(r.node);
  if (s.node_compute.size() != s.n) s.node_compute.assign(s.n, 0.0);
  if (from < s.n) s.node_compute[from] += r.compute_seconds;
  for (const auto to : r.out_peers) {
    if (to >= s.n || from >= s.n) continue;
    ++s.edge_messages[from * s.n + to];
    s.edge_bytes[from * s.n + to] += bytes;
  }
}

void sample_status(supervisor_ptr self) {
  auto& s = self->state;
  const double now = run_seconds(self);
  if (!s.samples.empty() && now - s.samples.back().time < sample_every_seconds) return;
  if (s.edge_messages.size() != s.n * s.n) {
    s.edge_messages.assign(s.n * s.n, 0);
    s.edge_bytes.assign(s.n * s.n, 0);
  }
  s.samples.push_back(take_sample(s, now));
  while (s.samples.size() > 2 && now - s.samples[1].time >= rate_window_seconds) {
    s.samples.pop_front();
  }
  double loss = 0.0;
  int count = 0;
  for (std::size_t i = 0; i < s.n; ++i) {
    if (!s.view.live[i] || !s.last[i]) continue;
    loss += s.last[i]->loss;
    ++count;
  }
  if (count == 0) return;
  core::history_point h;
  h.time = now;
  h.loss = loss / count;
  if (auto d = s.reporter.consensus()) h.consensus_distance = *d;
  s.history.push_back(h);
  if (s.history.size() > history_points) s.history.pop_front();
}

core::cluster_status cluster_status_of(supervisor_ptr self) {
  auto& s = self->state;
  core::cluster_status out;
  out.algorithm = s.cfg.algorithm.name;
  out.topology = std::string(core::topology_name(s.gossip.schedule.kind));
  out.finishing = core::finishing(s.phase);
  out.total_iterations = s.setup.total_iterations;
  if (!core::started(s.phase) || s.host.empty()) return out;
  const double now = run_seconds(self);
  out.time = now;
  out.iteration = global_iteration(s);
  out.view_epoch = s.view.epoch;
  if (auto d = s.reporter.consensus()) out.consensus_distance = *d;
  out.history.assign(s.history.begin(), s.history.end());
  if (s.edge_messages.size() != s.n * s.n) {
    s.edge_messages.assign(s.n * s.n, 0);
    s.edge_bytes.assign(s.n * s.n, 0);
  }

  // Rates: now against the oldest sample of the window.
  const traffic_sample current = take_sample(s, now);
  const traffic_sample* base = s.samples.empty() ? nullptr : &s.samples.front();
  const double dt = base != nullptr ? now - base->time : 0.0;
  out.window_seconds = dt;

  static const std::string host = host_name();
  const int pid = static_cast<int>(::getpid());
  for (std::size_t i = 0; i < s.n; ++i) {
    core::node_status n;
    n.id = static_cast<int>(i);
    n.incarnation = s.view.incarnation[i];
    n.host = host;
    n.process = pid;
    n.device = device_of(s, i);
    if (!s.view.live[i]) {
      n.state = "dead";
    } else if (s.last[i]) {
      const auto& r = *s.last[i];
      // Done before the end: paused for a group checkpoint.
      const bool finished = s.last[i] && s.last[i]->iteration >= s.setup.total_iterations;
      n.state = !s.done[i] ? "train" : finished ? "done" : "paused";
      n.iteration = r.iteration;
      n.lag = out.iteration - std::min(out.iteration, r.iteration);
      n.loss = r.loss;
      n.w = r.w;
      n.comm_wait = r.comm_wait;
      n.compute_seconds = r.compute_seconds;
      n.messages_late = r.messages_late;
      n.messages_lost = r.messages_lost;
      n.messages_duplicate = r.messages_duplicate;
      n.out_peers = r.out_peers;
      if (base != nullptr && dt > 0.0 && base->incarnations[i] == n.incarnation &&
          current.iterations[i] >= base->iterations[i]) {
        const auto done = current.iterations[i] - base->iterations[i];
        n.iterations_per_second = static_cast<double>(done) / dt;
        // The mean step over the window: one slow step is not a straggler.
        if (done > 0 && base->compute.size() == s.n && current.compute.size() == s.n) {
          n.compute_seconds = (current.compute[i] - base->compute[i]) / static_cast<double>(done);
        }
      }
    }
    if (s.view.live[i]) ++out.live_nodes;
    out.nodes.push_back(std::move(n));
  }
  // A node more than a window of outstanding iterations behind is late.
  const std::uint64_t max_lag = 2 * (s.gossip.tau + 1) + 1;
  core::mark_stragglers(out, max_lag);

  // Edges: the schedule over its period, links that are down, and traffic.
  const auto window = s.gossip.schedule.period(out.live_nodes);
  std::vector<std::uint8_t> in_topology(s.n * s.n, 0);
  std::vector<std::uint8_t> active(s.n * s.n, 0);
  if (s.gossip.communicate) {
    for (std::size_t k = 0; k < window; ++k) {
      for (const auto& e : s.gossip.schedule.edges(s.view.live, s.view.links, out.iteration + k)) {
        in_topology[e.from * s.n + e.to] = 1;
        if (k == 0) active[e.from * s.n + e.to] = 1;
      }
    }
  }
  out.connected = core::strongly_connected_over_window(s.gossip.schedule, s.view.live, s.view.links,
                                                       out.iteration, window);
  for (std::size_t a = 0; a < s.n; ++a) {
    for (std::size_t b = 0; b < s.n; ++b) {
      if (a == b) continue;
      const std::size_t k = a * s.n + b;
      core::edge_status e;
      e.from = a;
      e.to = b;
      e.up = s.view.links.up(a, b);
      e.in_topology = in_topology[k] != 0;
      e.active = active[k] != 0;
      e.bytes = s.edge_bytes[k];
      e.messages = s.edge_messages[k];
      if (base != nullptr && dt > 0.0 && base->edge_messages.size() == s.n * s.n) {
        e.bytes_per_second = static_cast<double>(e.bytes - base->edge_bytes[k]) / dt;
        e.messages_per_second = static_cast<double>(e.messages - base->edge_messages[k]) / dt;
      }
      if (e.in_topology || !e.up || e.messages_per_second > 0.0) out.edges.push_back(e);
    }
  }
  return out;
}

}  // namespace sgp::actors
