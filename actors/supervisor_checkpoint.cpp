// Group checkpoints: the console's `checkpoint` and the periodic ones pause
// every live node at one iteration, drain what is in flight (drain() in
// supervisor_finish.cpp), then write one consistent cut of every node to
// RUN_DIR/checkpoints/latest.ckpt (see supervisor_state.hpp).
#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/sender_actor.hpp"
#include "actors/supervisor_state.hpp"
#include "core/checkpoint_schedule.hpp"
#include "core/group_checkpoint.hpp"

namespace sgp::actors {

std::string write_checkpoints(supervisor_ptr self) {
  auto& s = self->state;
  const std::string path = s.cfg.run.dir + "/checkpoints/latest.ckpt";
  if (core::finishing(s.phase)) return "the run is ending: its last checkpoint goes to " + path;
  if (core::paused(s.phase)) return "a checkpoint is being written to " + path;
  std::uint64_t furthest = 0;
  for (std::size_t i = 0; i < s.n; ++i) {
    if (s.view.live[i] && s.last[i]) furthest = std::max(furthest, s.last[i]->iteration);
  }
  // Two past the furthest report: a node may be one step further than its
  // last report says, and AllReduce nodes must all pause at one iteration.
  const std::uint64_t at = furthest + 2;
  if (at >= s.setup.total_iterations) {
    return "the run ends within two iterations: its last checkpoint goes to " + path;
  }
  if (s.setup.hold_at == 0 || at < s.setup.hold_at) {
    s.setup.hold_at = at;
    for (std::size_t i = 0; i < s.n; ++i) {
      if (s.view.live[i]) self->send(s.host.node(i).worker, hold_atom::value, at);
    }
  }
  return "checkpoint at iteration " + std::to_string(s.setup.hold_at) +
         ": the nodes pause there, what is in flight arrives, then " + path;
}

std::uint64_t next_hold(const supervisor_state& s, std::uint64_t after) {
  return core::next_checkpoint(s.checkpoint_every, s.setup.total_iterations, after);
}

void checkpoint_pause(supervisor_ptr self) {
  auto& s = self->state;
  if (core::paused(s.phase) || core::finishing(s.phase)) return;
  s.on(core::phase_event::pause);
  s.pause_started = clock_seconds(self);
  s.drain_deadline = clock_seconds(self) + s.settings.algorithm.wait_timeout_seconds;
  for (std::size_t i = 0; i < s.n; ++i) {
    if (s.view.live[i]) self->send(s.host.node(i).worker, flush_atom::value);
  }
  drain(self);
}

/// Writes RUN_DIR/checkpoints/latest.ckpt from the drained snapshots `all`
/// (one consistent cut: every node has stopped, nothing is in flight) and
/// each node's momentum and batch-norm statistics, then calls `then`. A
/// failed write ends the run with the error.
void save_group(supervisor_ptr self, const std::vector<node_snapshot>& all,
                std::function<void()> then) {
  auto& s = self->state;
  auto state = std::make_shared<core::group_state>();
  for (const auto& sn : all) {
    if (!sn.z) continue;
    core::node_record r;
    r.node = sn.node;
    r.iteration = sn.iteration;
    r.round = sn.round;
    r.w = sn.w;
    r.z = *sn.z;
    state->nodes.push_back(std::move(r));
  }
  // What did not arrive by the drain's deadline is lost to the resumed run.
  double held = 0.0;
  for (const auto& sn : all) held += sn.w;
  state->lost_weight = static_cast<double>(s.n) - held;
  state->seconds = run_seconds(self) + s.seconds_before;
  auto remaining = std::make_shared<int>(2 * static_cast<int>(state->nodes.size()));
  auto write = [=]() {
    auto& st = self->state;
    std::sort(state->nodes.begin(), state->nodes.end(),
              [](const auto& a, const auto& b) { return a.node < b.node; });
    const std::string dir = st.cfg.run.dir + "/checkpoints";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    auto saved =
        ec ? core::make_error(dir + ": cannot create (" + ec.message() + ")")
           : core::save_group_checkpoint(dir + "/latest.ckpt", group_identity_of(st), *state);
    if (!saved.ok()) {
      // Every write is checked: a run whose checkpoint did not reach the
      // disk fails, naming the file (the previous checkpoint stays).
      abort_run(self, saved.err().message);
      return;
    }
    then();
  };
  if (*remaining == 0) {
    write();
    return;
  }
  for (auto& r : state->nodes) {
    const auto& compute = s.host.node(static_cast<std::size_t>(r.node)).compute;
    auto* rec = &r;
    auto one_done = [=]() {
      if (--*remaining == 0) write();
    };
    self->request(compute, caf::infinite, momentum_atom::value)
        .then(
            [=](std::vector<float>& m) {
              rec->momentum = std::move(m);
              one_done();
            },
            [=](const caf::error&) { one_done(); });
    self->request(compute, caf::infinite, final_atom::value)
        .then(
            [=](std::vector<float>& stats) {
              rec->running_stats = std::move(stats);
              one_done();
            },
            [=](const caf::error&) { one_done(); });
  }
}

/// The checkpoint is written: the nodes go on to the next pause (or, if the
/// run was stopped meanwhile, to the end).
void end_pause(supervisor_ptr self) {
  auto& s = self->state;
  s.on(core::phase_event::pause_ended);
  s.paused_total += clock_seconds(self) - s.pause_started;
  if (core::finishing(s.phase)) {
    drain(self);
    return;
  }
  s.setup.hold_at = next_hold(s, s.setup.hold_at);
  s.done.assign(s.n, false);
  s.heartbeats_from = clock_seconds(self);
  for (std::size_t i = 0; i < s.n; ++i) {
    if (s.view.live[i]) self->send(s.host.node(i).worker, hold_atom::value, s.setup.hold_at);
  }
}

core::group_identity group_identity_of(const supervisor_state& s) {
  return runtime::group_identity_of(s.cfg, s.n, s.initial_x ? s.initial_x->size() : 0);
}

}  // namespace sgp::actors
