// Checkpoints across processes (docs/cluster.md, "Checkpoints"). Every
// process knows the pauses from the settings (core/checkpoint_schedule.hpp):
// its nodes pause at the next one and it says so (a held notice). Once every
// live process has paused at that iteration, the coordinator flushes what is
// in flight, as the end does, then asks every process to write its nodes'
// cut (save); each writes RUN_DIR/NAME/checkpoints/next.ckpt and answers
// (saved); once all did, the coordinator releases the pause and each
// renames its file to latest.ckpt (a checkpoint given up drops them: the
// files stay one cut). A resumed run
// (`--resume RUN_DIR`) loads each process's file; the processes check at the
// start barrier that they resume from one cut.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>

#include "actors/group_measures.hpp"
#include "actors/process_host.hpp"
#include "actors/sender_actor.hpp"
#include "core/checkpoint_schedule.hpp"
#include "core/flat_ops.hpp"
#include "core/group_checkpoint.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/metrics_lines.hpp"

namespace sgp::actors {
namespace {

using net::wire::notice_topic;

/// The coordinator gives a pause up after this long; any other process
/// goes on by itself after twice as long (its coordinator stopped answering).
double checkpoint_wait_seconds(const process_host_state& s) {
  return std::max(60.0, 10.0 * s.setup.settings.algorithm.wait_timeout_seconds);
}

/// The "checkpoint" line of metrics.jsonl: latest.ckpt holds `nodes`
/// nodes' cut at `at` now. False: the line could not be written (the run ended).
bool checkpoint_line(host_ptr self, std::uint64_t at, std::size_t nodes) {
  return write_metrics_line(self, core::json_object()
                                      .add("event", "checkpoint")
                                      .add("iteration", static_cast<std::int64_t>(at))
                                      .add("nodes", static_cast<int>(nodes))
                                      .add("path", checkpoint_file(self->state))
                                      .add("unix_time", unix_seconds())
                                      .str());
}

/// What the end of a pause does with this process's file of its cut.
enum class file_fate { commit, drop, keep };

/// The release of the pause at `at`: this process's file of that cut
/// becomes its latest.ckpt (commit), is dropped, or is kept for a release
/// that may still come (this process went on by itself). False: the run
/// ended.
bool settle_file(host_ptr self, std::uint64_t at, file_fate fate) {
  auto& s = self->state;
  if (s.pending_at != at || fate == file_fate::keep) return true;
  const bool commit = fate == file_fate::commit;
  s.pending_at = 0;
  std::error_code ec;
  if (!commit) {
    std::filesystem::remove(pending_file(s), ec);
    return true;
  }
  std::filesystem::rename(pending_file(s), checkpoint_file(s), ec);
  if (ec) {
    abort_cluster(self, "checkpoint at iteration " + std::to_string(at) + ": " + pending_file(s) +
                            " cannot become " + checkpoint_file(s) + " (" + ec.message() + ")");
    return false;
  }
  if (!checkpoint_line(self, at, s.pending_nodes)) return false;
  // The lines up to the cut are the system's now: a crash after this
  // loses none that the resumed run does not write again.
  if (auto flushed = s.metrics.flush(); !flushed.ok()) {
    abort_cluster(self, flushed.err().message);
    return false;
  }
  return true;
}

unsigned long long ull(std::uint64_t v) {
  return static_cast<unsigned long long>(v);
}

/// The processes that pause: live, and not done (a process whose nodes all
/// finished or died pauses no more, though it may still coordinate).
std::vector<bool> pausing(const process_host_state& s) {
  std::vector<bool> out(s.process_live.size());
  for (std::size_t p = 0; p < out.size(); ++p) {
    out[p] = s.process_live[p] && !(p < s.process_done.size() && s.process_done[p]);
  }
  return out;
}

/// Ends this process's pause at `at` (written, or given up): its nodes go
/// on to the next pause.
void release_here(host_ptr self, std::uint64_t at, file_fate fate) {
  auto& s = self->state;
  if (!settle_file(self, at, fate)) return;
  s.last_released = std::max(s.last_released, at);
  for (auto& held : s.process_held) {
    if (held == at) held = 0;
  }
  if (s.checkpoint_at == at) {
    s.checkpoint_at = 0;
    s.checkpoint_saving = false;
  }
  if (s.hold_at == 0 || s.hold_at > at) return;  // not this pause's (or already past it)
  s.held_since = -1.0;
  if (s.phase != host_phase::training || s.stopping) return;  // the stop's hold stands
  arm_checkpoints(self, at);
}

void release_all(host_ptr self, std::uint64_t at, bool commit) {
  send_notice(self, all_processes, notice_topic::release, {},
              {static_cast<double>(at), commit ? 1.0 : 0.0});
}

/// Coordinator: every live process wrote its part of the cut at `at`.
void maybe_saved(host_ptr self) {
  auto& s = self->state;
  if (!s.checkpoint_saving) return;
  const auto waiting = pausing(s);
  for (std::size_t p = 0; p < waiting.size(); ++p) {
    if (waiting[p] && (p >= s.process_saved.size() || !s.process_saved[p])) return;
  }
  const auto at = s.checkpoint_at;
  char took[64] = "";  // how long this process's nodes were paused, when they were
  if (s.held_since >= 0.0) {
    std::snprintf(took, sizeof(took), "; the pause took %.1f s",
                  clock_seconds(self) - s.held_since);
  }
  core::logf(core::log_level::info, "checkpoint", {.process = my_name(s)},
             "iteration %llu: every live process wrote its nodes (RUN_DIR/NAME/checkpoints/"
             "latest.ckpt)%s",
             ull(at), took);
  s.checkpoint_saving = false;
  release_all(self, at, true);
}

/// Writes this process's live nodes with mass (snapshot, momentum,
/// statistics) to `path` atomically, then calls `then` with how many it
/// wrote and their iteration. A file that cannot be written ends the run,
/// naming it; so does a model that is not finite, before anything is
/// written (the previous file stays).
void write_nodes(host_ptr self, const std::string& path, double in_flight, const std::string& cut,
                 std::function<void(std::size_t, std::uint64_t)> then) {
  auto& s = self->state;
  const auto nodes = live_nodes(s);
  auto state = std::make_shared<core::group_state>();
  state->lost_weight = in_flight;
  state->cut = cut;
  state->seconds = run_seconds(s, clock_seconds(self));
  state->nodes.resize(nodes.size());
  // The snapshots (one answer for all), each node's momentum and statistics.
  auto pending = std::make_shared<std::size_t>(1 + 2 * nodes.size());
  auto write = [self, path, state, then] {
    auto& st = self->state;
    // A node without mass (revived or rejoined, waiting for its first
    // push) has no model to write: a resume starts it without mass again.
    std::erase_if(state->nodes, [](const core::node_record& r) { return r.z.empty(); });
    std::uint64_t at = 0;
    for (const auto& r : state->nodes) {
      if (!core::all_finite<float>(std::span<const float>(r.z))) {
        return abort_cluster(self, divergence_error(r.node, std::nullopt));
      }
      at = std::max(at, r.iteration);
    }
    std::error_code ec;
    std::filesystem::create_directories(st.setup.dir + "/checkpoints", ec);
    auto saved =
        ec ? core::make_error(st.setup.dir + "/checkpoints: cannot create (" + ec.message() + ")")
           : core::save_group_checkpoint(path, identity_of(st), *state);
    if (!saved.ok()) {
      // Every write is checked: a run whose checkpoint did not reach the
      // disk fails, naming the file (the previous checkpoint stays).
      return abort_cluster(self, "checkpoint: " + saved.err().message);
    }
    then(state->nodes.size(), at);
  };
  const auto one_done = [pending, write] {
    if (--*pending == 0) write();
  };
  for (std::size_t k = 0; k < nodes.size(); ++k) state->nodes[k].node = nodes[k]->id;
  collect_live_snapshots(
      self, true,
      [state](const node_snapshot& snap) {
        for (auto& rec : state->nodes) {
          if (rec.node != snap.node) continue;
          rec.iteration = snap.iteration;
          rec.round = snap.round;
          rec.w = snap.w;
          if (snap.z) rec.z = *snap.z;
        }
      },
      one_done);
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    core::node_record* rec = &state->nodes[k];
    // A node's actors that failed end the run (monitored): the errors
    // below only keep the count right.
    self->request(nodes[k]->compute, caf::infinite, momentum_atom::value)
        .then(
            [=](std::vector<float>& m) {
              rec->momentum = std::move(m);
              one_done();
            },
            [=](const caf::error&) { one_done(); });
    self->request(nodes[k]->compute, caf::infinite, final_atom::value)
        .then(
            [=](std::vector<float>& stats) {
              rec->running_stats = std::move(stats);
              one_done();
            },
            [=](const caf::error&) { one_done(); });
  }
}

/// Writes this process's nodes' cut at `at` to next.ckpt, then answers `to`.
void save_here(host_ptr self, std::uint32_t to, std::uint64_t at, double in_flight) {
  auto& s = self->state;
  const auto refuse = [&](const std::string& why) {
    send_notice(self, to, notice_topic::saved, why, {static_cast<double>(at), 0.0});
  };
  if (s.phase == host_phase::done) return;  // its nodes finished or died: not waited for
  if (s.phase != host_phase::training || s.stopping) return refuse("it is stopping");
  if (s.held_since < 0.0 || s.hold_at != at) {
    return refuse("its nodes are not paused at iteration " + std::to_string(at));
  }
  write_nodes(self, pending_file(s), in_flight, core::pause_cut_name(at),
              [self, to, at](std::size_t nodes, std::uint64_t) {
                auto& st = self->state;
                st.pending_at = at;
                st.pending_nodes = nodes;
                send_notice(self, to, notice_topic::saved, {}, {static_cast<double>(at), 1.0});
              });
}

}  // namespace

std::string checkpoint_file(const process_host_state& s) {
  return s.setup.dir + "/checkpoints/latest.ckpt";
}

std::string pending_file(const process_host_state& s) {
  return s.setup.dir + "/checkpoints/next.ckpt";
}

core::group_identity identity_of(const process_host_state& s) {
  return runtime::group_identity_of(s.setup.cfg, s.n, s.initial_x ? s.initial_x->size() : 0);
}

bool is_ar_sgd(const process_host_state& s) {
  return s.setup.settings.algorithm.name == config::algorithm_kind::ar_sgd;
}

void hold_node(host_ptr self, local_node& node, std::uint64_t at) {
  node.hold_to = at;
  self->send(node.worker, hold_atom::value, at);
}

std::uint64_t stop_limit(const process_host_state& s, const local_node& node) {
  const auto last = s.wsetup.total_iterations;
  return node.hold_to > 0 ? std::min(node.hold_to, last) : last;
}

void write_end_checkpoint(host_ptr self, const std::string& cut, std::function<void()> then) {
  // Also with no node to write (all dead, or without mass): the file then
  // says so for this cut, and a resume starts its nodes without mass.
  write_nodes(self, checkpoint_file(self->state), 0.0, cut,
              [self, then](std::size_t nodes, std::uint64_t at) {
                if (nodes == 0 || checkpoint_line(self, at, nodes)) then();
              });
}

std::uint64_t schedule_checkpoint(host_ptr self, std::uint64_t at) {
  auto& s = self->state;
  if (s.phase != host_phase::training || s.stopping || at >= s.wsetup.total_iterations) return 0;
  // A pause comes first, or this process is paused already (and said where).
  if ((s.hold_at != 0 && s.hold_at <= at) || s.held_since >= 0.0) return s.hold_at;
  s.hold_at = at;
  s.wsetup.hold_at = at;
  for (auto& node : s.nodes) hold_node(self, node, at);
  return at;
}

void pause_nodes_at(host_ptr self, std::uint64_t at) {
  auto& s = self->state;
  s.hold_at = at;
  s.wsetup.hold_at = at;  // a node spawned later (revived) pauses there too
  for (auto& node : s.nodes) {
    node.done = false;
    hold_node(self, node, at);
  }
}

void arm_checkpoints(host_ptr self, std::uint64_t after) {
  auto& s = self->state;
  pause_nodes_at(self, core::next_checkpoint(s.checkpoint_every, s.wsetup.total_iterations, after));
}

void nodes_done(host_ptr self) {
  auto& s = self->state;
  if (s.phase != host_phase::training) return;
  // A process whose nodes all died has nothing to pause: it is done (it
  // would never say it paused at a later checkpoint).
  if (!s.nodes.empty() && !s.stopping && s.hold_at > 0 && s.hold_at < s.wsetup.total_iterations) {
    if (s.held_since >= 0.0) return;  // paused already (a node killed meanwhile)
    s.held_since = clock_seconds(self);
    core::logf(core::log_level::info, "checkpoint", {.process = my_name(s)},
               "its nodes paused at iteration %llu for a checkpoint", ull(s.hold_at));
    send_notice(self, all_processes, notice_topic::held, {}, {static_cast<double>(s.hold_at)});
    return;
  }
  local_done(self);
}

void maybe_start_checkpoint(host_ptr self, bool process_died) {
  auto& s = self->state;
  // A coordinator whose own nodes are done still coordinates the others.
  if (!is_coordinator(s) || s.stopping) return;
  if (s.phase != host_phase::training && s.phase != host_phase::done) return;
  if (s.checkpoint_at != 0) {
    if (s.checkpoint_saving) return maybe_saved(self);
    // Flushing: a process that died will not answer; the round starts over.
    if (!process_died) return;
    s.checkpoint_at = 0;
  }
  const auto waiting = pausing(s);
  std::uint64_t at = 0;
  for (std::size_t p = 0; p < waiting.size() && p < s.process_held.size() && at == 0; ++p) {
    if (waiting[p]) at = s.process_held[p];
  }
  if (!core::all_held(waiting, s.process_held, at)) return;
  s.checkpoint_at = at;
  s.checkpoint_saving = false;
  s.process_saved.assign(s.process_live.size(), false);
  s.flush_rounds = 0;
  request_flush(self);
}

void forget_process_round(host_ptr self, std::uint32_t process) {
  auto& s = self->state;
  if (process < s.process_held.size()) s.process_held[process] = 0;
  if (process < s.process_saved.size()) s.process_saved[process] = false;
  if (!is_coordinator(s) || s.checkpoint_at == 0) return;
  core::logf(core::log_level::info, "checkpoint", {.process = my_name(s)},
             "iteration %llu: process %s was readmitted during the cut, which starts over with it",
             ull(s.checkpoint_at), s.setup.names[process].c_str());
  s.checkpoint_at = 0;
  s.checkpoint_saving = false;
  maybe_start_checkpoint(self);
}

void checkpoint_cut(host_ptr self, double in_flight) {
  auto& s = self->state;
  s.checkpoint_saving = true;
  send_notice(self, all_processes, notice_topic::save, {},
              {static_cast<double>(s.checkpoint_at), in_flight});
}

void on_checkpoint_notice(host_ptr self, const net::wire::notice& n) {
  auto& s = self->state;
  const double v = n.values.empty() ? 0.0 : n.values.front();
  if (!(v >= 1.0) || v >= core::max_exact_double) return;  // no iteration a run pauses at
  const auto at = static_cast<std::uint64_t>(v);
  switch (n.topic) {
    case notice_topic::held:
      // A process welcomed during a pause that ended before it said so
      // (its welcome came from a survivor still paused there): that cut
      // was released already, so it goes on at once (every process hears
      // it, and forgets the mark).
      if (is_coordinator(s) && at <= s.last_released && at != s.checkpoint_at) {
        core::logf(core::log_level::info, "checkpoint", {.process = my_name(s)},
                   "process %s paused at iteration %llu, a cut already released: released",
                   s.setup.names[n.process].c_str(), ull(at));
        release_all(self, at, false);
        break;
      }
      s.process_held.resize(s.process_live.size(), 0);
      s.process_held[n.process] = at;
      maybe_start_checkpoint(self);
      break;
    case notice_topic::save:
      save_here(self, n.process, at, n.values.size() > 1 ? n.values[1] : 0.0);
      break;
    case notice_topic::saved:
      if (!is_coordinator(s) || at != s.checkpoint_at || !s.checkpoint_saving) break;
      if (n.values.size() < 2 || n.values[1] == 0.0) {
        core::logf(core::log_level::warn, "checkpoint", {.process = my_name(s)},
                   "iteration %llu given up: process %s did not write its nodes (%s); the "
                   "previous checkpoint stays",
                   ull(at), s.setup.names[n.process].c_str(), n.text.c_str());
        s.checkpoint_saving = false;
        release_all(self, at, false);
        break;
      }
      s.process_saved.resize(s.process_live.size(), false);
      s.process_saved[n.process] = true;
      maybe_saved(self);
      break;
    case notice_topic::release:
      release_here(self, at,
                   n.values.size() > 1 && n.values[1] != 0.0 ? file_fate::commit : file_fate::drop);
      break;
    default:
      break;
  }
}

void check_checkpoint_wait(host_ptr self) {
  auto& s = self->state;
  if (s.held_since < 0.0 || s.phase != host_phase::training || s.stopping) return;
  const double waited = clock_seconds(self) - s.held_since;
  const double bound = checkpoint_wait_seconds(s);
  if (is_coordinator(s) && waited > bound) {
    const auto missing =
        core::process_list(core::not_held(pausing(s), s.process_held, s.hold_at), s.setup.names);
    core::logf(core::log_level::warn, "checkpoint", {.process = my_name(s)},
               "iteration %llu given up after %.0f s: %s; training goes on (the previous "
               "checkpoint stays)",
               ull(s.hold_at), waited,
               missing.empty() ? "the cut was not written in time"
                               : ("not paused there: " + missing).c_str());
    s.held_since = clock_seconds(self);  // once per bound, until the release loops back
    release_all(self, s.hold_at, false);
  } else if (waited > 2.0 * bound) {
    core::logf(core::log_level::warn, "checkpoint", {.process = my_name(s)},
               "iteration %llu: no word from the coordinator for %.0f s; this process goes on",
               ull(s.hold_at), waited);
    // Its file stays pending: a commit that still comes renames it.
    release_here(self, s.hold_at, file_fate::keep);
  }
}

}  // namespace sgp::actors
