// Resuming a cluster from its checkpoints (docs/cluster.md, "Resuming"):
// each process loads its RUN_DIR/NAME/checkpoints/latest.ckpt (or learns
// that it wrote none), and at the start barrier, from every process's ready
// notice, takes the cluster's cut: its nodes go on from their state, start
// without mass (dead at the cut), resume from a next.ckpt of the cut that
// it died before renaming, or (ar-sgd) stay out of the run.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "actors/process_host.hpp"
#include "core/checkpoint_schedule.hpp"
#include "core/group_checkpoint.hpp"
#include "core/log.hpp"
#include "core/metrics_lines.hpp"

namespace sgp::actors {
namespace {

unsigned long long ull(std::uint64_t v) {
  return static_cast<unsigned long long>(v);
}

}  // namespace

namespace {

/// The largest iteration of a checkpoint's nodes.
std::uint64_t cut_iteration(const core::group_state& state) {
  std::uint64_t at = 0;
  for (const auto& rec : state.nodes) at = std::max(at, rec.iteration);
  return at;
}

/// A resumed process's next.ckpt beside its latest.ckpt (`path`, of
/// iteration `at`): the file of a later pause whose release this process
/// may not have renamed before it died. Kept for resume_cut, which takes
/// it if that pause is the cluster's cut; a file that does not load is
/// left alone, with a line.
void keep_pending_file(host_ptr self, const std::string& path, std::uint64_t at,
                       const std::vector<int>& mine) {
  auto& s = self->state;
  const auto next = std::filesystem::path(path).parent_path() / "next.ckpt";
  std::error_code ec;
  if (!std::filesystem::exists(next, ec)) return;
  auto loaded = core::load_group_checkpoint(next.string(), identity_of(s), mine);
  if (!loaded.ok()) {
    core::logf(core::log_level::warn, "checkpoint", {.process = my_name(s)}, "%s is not used: %s",
               next.string().c_str(), loaded.err().message.c_str());
    return;
  }
  const auto later = cut_iteration(*loaded);
  if (later <= at || loaded->cut != core::pause_cut_name(later)) return;
  s.pending_resume = std::move(loaded).value();
  s.pending_resume_path = next.string();
}

}  // namespace

core::result<std::map<int, node_resume>> load_resume(
    host_ptr self, const std::map<int, std::shared_ptr<runtime::compute_engine>>& engines) {
  auto& s = self->state;
  const std::string& path = s.setup.cfg.run.resume_from;
  std::vector<int> mine;
  for (const auto& [id, engine] : engines) mine.push_back(id);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    // The process ran in that run directory (its metrics.jsonl is there:
    // apps/cluster_commands) and died before its first checkpoint: its
    // nodes hold no state at any cut (resume_cut).
    s.resumed_at = 0.0;
    s.resumed_nodes = 0;
    s.resumed_without_state = mine;
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "%s does not exist: this process wrote no checkpoint in that run (it died before "
               "the first); its nodes hold no state at the cut",
               path.c_str());
    if (!write_metrics_line(self, core::metrics::resume_line(0, path))) {
      return core::make_error(s.setup.dir + "/metrics.jsonl: cannot be written");
    }
    return std::map<int, node_resume>{};
  }
  // Its own nodes: one dead (or without mass) at the cut has no record.
  auto loaded = core::load_group_checkpoint(path, identity_of(s), mine);
  if (!loaded.ok()) return loaded.err().with_context("--resume");
  if (is_ar_sgd(s) && !loaded->without_state.empty() && !loaded->nodes.empty()) {
    // Not written by a run: ar-sgd across processes kills no single node
    // (a process whose nodes were all out writes a file without any).
    return core::make_error("--resume: " + path + ": holds no state for node " +
                            std::to_string(loaded->without_state.front()) +
                            ", and ar-sgd across processes starts no node without one");
  }
  s.resumed_nodes = static_cast<int>(loaded->nodes.size());
  s.resumed_without_state = loaded->without_state;
  for (const int id : loaded->without_state) {
    core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
               "node %d has no state in %s (it was dead, or without mass, at the cut): it starts "
               "without mass and takes it from its in-neighbours, as after a rejoin",
               id, path.c_str());
  }
  std::map<int, node_resume> out;
  std::uint64_t at = 0;
  for (auto& rec : loaded->nodes) {
    const auto engine = engines.find(rec.node);
    auto x = std::make_shared<std::vector<float>>(rec.z.size());
    for (std::size_t k = 0; k < x->size(); ++k) {
      (*x)[k] = static_cast<float>(static_cast<double>(rec.z[k]) * rec.w);
    }
    // A fresh engine's statistics, for a node that the cut demotes.
    s.fresh_stats[rec.node] = engine->second->running_stats_copy();
    engine->second->set_momentum(rec.momentum);
    engine->second->set_running_stats(rec.running_stats);
    out[rec.node] = {std::move(x), rec.w, rec.iteration, rec.round};
    at = std::max(at, rec.iteration);
  }
  s.resumed_at = static_cast<double>(at);
  s.seconds_before = loaded->seconds;
  // A file of one process's run before cut names: its iteration's pause.
  s.resumed_cut = loaded->cut.empty() ? core::pause_cut_name(at) : loaded->cut;
  keep_pending_file(self, path, at, mine);
  core::logf(core::log_level::info, "cluster", {.process = my_name(s)},
             "resumed from %s at iteration %llu", path.c_str(), ull(at));
  if (!write_metrics_line(self, core::metrics::resume_line(at, path))) {
    return core::make_error(s.setup.dir + "/metrics.jsonl: cannot be written");
  }
  return out;
}

namespace {

/// A resumed node that starts without mass at the cut (`at`): it waits
/// for its first push there.
void start_without_mass(host_ptr self, local_node& node, std::uint64_t at) {
  node.initial_weight = 0.0;
  self->send(node.worker, rejoin_atom::value, self->state.view, at);
}

}  // namespace

namespace {

/// The cluster's cut is this process's next.ckpt's: every process wrote
/// its part and the cut was released, but this one died before its
/// rename. Its nodes start from that file instead of its latest.ckpt
/// (nothing computes yet: the start message orders these writes before
/// the first step), and the file becomes its latest.ckpt.
void take_pending_file(host_ptr self) {
  auto& s = self->state;
  auto& state = *s.pending_resume;
  const auto at = cut_iteration(state);
  std::vector<int> without;
  for (auto& node : s.nodes) {
    const auto rec = std::find_if(state.nodes.begin(), state.nodes.end(),
                                  [&](const core::node_record& r) { return r.node == node.id; });
    if (rec == state.nodes.end()) {
      // Without mass at that cut: no optimizer state of latest.ckpt's.
      without.push_back(node.id);
      if (const auto fresh = s.fresh_stats.find(node.id); fresh != s.fresh_stats.end()) {
        node.engine->set_momentum(std::vector<float>(node.engine->parameters(), 0.0f));
        node.engine->set_running_stats(fresh->second);
      }
      continue;
    }
    auto x = std::make_shared<std::vector<float>>(rec->z.size());
    for (std::size_t k = 0; k < x->size(); ++k) {
      (*x)[k] = static_cast<float>(static_cast<double>(rec->z[k]) * rec->w);
    }
    node.engine->set_momentum(rec->momentum);
    node.engine->set_running_stats(rec->running_stats);
    node.initial_weight = rec->w;
    self->send(node.worker, restore_atom::value, shared_floats(std::move(x)), rec->w,
               rec->iteration, rec->round);
  }
  const std::string& from = s.pending_resume_path;
  core::logf(core::log_level::warn, "checkpoint", {.process = my_name(s)},
             "%s is of iteration %llu, the cluster's cut (%s) is this process's %s: that cut was "
             "released, and this process died before its rename; its nodes resume from %s",
             s.setup.cfg.run.resume_from.c_str(), ull(static_cast<std::uint64_t>(s.resumed_at)),
             state.cut.c_str(), from.c_str(), from.c_str());
  // Resumed in its own run directory: the rename it missed, now.
  std::error_code ec;
  if (std::filesystem::equivalent(from, pending_file(s), ec)) {
    std::filesystem::rename(from, checkpoint_file(s), ec);
    if (ec) {
      core::logf(core::log_level::warn, "checkpoint", {.process = my_name(s)},
                 "%s cannot become %s (%s): the next cut's release replaces it", from.c_str(),
                 checkpoint_file(s).c_str(), ec.message().c_str());
    }
  }
  s.resumed_at = static_cast<double>(at);
  s.resumed_cut = state.cut;
  s.seconds_before = state.seconds;
  s.resumed_without_state = std::move(without);
  s.fresh_stats.clear();
  // The resume line again, for the file the nodes resume from.
  (void)write_metrics_line(self, core::metrics::resume_line(at, from));
}

/// A next.ckpt of a cut the cluster did not take (given up, or never
/// released): removed from this process's own run directory, so that a
/// later resume whose cut bears the same name cannot take this older life's file.
void drop_pending_file(host_ptr self) {
  auto& s = self->state;
  std::error_code ec;
  if (!std::filesystem::equivalent(s.pending_resume_path, pending_file(s), ec)) return;
  std::filesystem::remove(s.pending_resume_path, ec);
  core::logf(core::log_level::info, "checkpoint", {.process = my_name(s)},
             "%s (%s) is not the cluster's cut: removed", s.pending_resume_path.c_str(),
             s.pending_resume->cut.c_str());
}

/// ar-sgd at a resume: the nodes of the processes in `out`
/// (core::out_at_resume, the same on every process) leave the view before
/// any node starts; this process's own, if it is among them, stop, and it
/// stays in the cluster without nodes (begin_training: it is done at once).
void leave_out_at_resume(host_ptr self, const std::vector<bool>& out,
                         const std::vector<core::resumed_file>& files,
                         const core::cut_choice& cut) {
  auto& s = self->state;
  bool any = false;
  for (std::uint32_t p = 0; p < out.size(); ++p) {
    if (!out[p]) continue;
    any = true;
    std::string ids;
    for (std::size_t i = 0; i < s.n; ++i) {
      if (s.setup.node_process[i] != p) continue;
      s.view.live[i] = false;
      ids += (ids.empty() ? "" : ", ") + std::to_string(i);
    }
    const auto& f = files[p];
    std::string held;
    if (f.cut.empty()) {
      held = "process " + s.setup.names[p] + " wrote no checkpoint in that run";
    } else if (f.cut == cut.cut) {
      held = "process " + s.setup.names[p] + "'s checkpoint holds no node's state at the cut (" +
             cut.cut + ")";
    } else {
      held = "process " + s.setup.names[p] + "'s checkpoint is of iteration " +
             std::to_string(static_cast<std::uint64_t>(f.at)) + " (" + f.cut + "), the cut's is " +
             std::to_string(cut.iteration) + " (" + cut.cut + "): it was dead at the cut";
    }
    core::logf(core::log_level::warn, "checkpoint", {.process = my_name(s)},
               "%s; ar-sgd starts no node without state, so its nodes %s stay out of the resumed "
               "run%s",
               held.c_str(), ids.c_str(),
               p == s.setup.process ? " (this process stays in the cluster without them)" : "");
  }
  if (!any) return;
  if (out[s.setup.process]) {
    // Spawned, not started: nothing of theirs is needed.
    for (const auto& node : s.nodes) {
      self->demonitor(node.worker.address());
      self->demonitor(node.compute.address());
      self->demonitor(node.sender.address());
      self->send_exit(node.worker, caf::exit_reason::kill);
      self->send_exit(node.compute, caf::exit_reason::kill);
      self->send_exit(node.sender, caf::exit_reason::kill);
    }
    s.nodes.clear();
  }
  ++s.view.epoch;
  broadcast_view(self);
}

}  // namespace

std::optional<std::uint64_t> resume_cut(host_ptr self) {
  auto& s = self->state;
  if (s.resumed_at < 0.0) return 0;
  auto files = s.resumed_by;
  files.resize(s.process_live.size());
  files[s.setup.process] = {s.resumed_at, s.resumed_cut, s.resumed_nodes,
                            s.pending_resume ? s.pending_resume->cut : std::string()};
  const auto cut = core::choose_cut(files);
  const auto iteration = cut.iteration;
  if (iteration == 0) {
    const bool none_written = std::all_of(
        files.begin(), files.end(), [](const core::resumed_file& f) { return f.cut.empty(); });
    abort_cluster(self, none_written
                            ? "--resume: no process wrote a checkpoint in that run (did it set "
                              "output.checkpoint_every_epochs, and pass a checkpoint before it "
                              "stopped?): nothing to resume from"
                            : "--resume: no process's checkpoint holds a node's state (every node "
                              "was dead at the cut): nothing to resume from");
    return std::nullopt;
  }
  if (cut.cut != s.resumed_cut && s.pending_resume && s.pending_resume->cut == cut.cut) {
    take_pending_file(self);
  } else if (s.pending_resume) {
    drop_pending_file(self);
  }
  s.pending_resume.reset();
  if (is_ar_sgd(s)) {
    leave_out_at_resume(self, core::out_at_resume(files, cut), files, cut);
    return iteration;
  }
  // The same cut (its nodes may stand at other iterations than the
  // latest's after a stop): each node goes on from its own.
  if (cut.cut == s.resumed_cut) {
    s.fresh_stats.clear();
    for (auto& node : s.nodes) {
      const auto& without = s.resumed_without_state;
      if (std::find(without.begin(), without.end(), node.id) != without.end()) {
        start_without_mass(self, node, iteration);
      }
    }
    return iteration;
  }
  std::string ahead;
  for (std::size_t p = 0; p < files.size(); ++p) {
    if (p != s.setup.process && files[p].cut == cut.cut) {
      ahead += (ahead.empty() ? "" : ", ") + s.setup.names[p];
    }
  }
  const std::string mine = s.resumed_cut.empty()
                               ? "this process wrote no checkpoint"
                               : "this process's checkpoint is of iteration " +
                                     std::to_string(static_cast<std::uint64_t>(s.resumed_at));
  core::logf(core::log_level::warn, "checkpoint", {.process = my_name(s)},
             "%s, %s's of iteration %llu (this process was dead at that cut): its nodes start "
             "without mass at iteration %llu, with fresh momentum and statistics, and take mass "
             "from their in-neighbours, as after a rejoin",
             mine.c_str(), ahead.c_str(), ull(iteration), ull(iteration));
  for (auto& node : s.nodes) {
    // As a rejoined process's nodes do: no optimizer state of an older
    // life (nothing computes yet; the start message orders these writes
    // before the first step).
    if (const auto fresh = s.fresh_stats.find(node.id); fresh != s.fresh_stats.end()) {
      node.engine->set_momentum(std::vector<float>(node.engine->parameters(), 0.0f));
      node.engine->set_running_stats(fresh->second);
    }
    start_without_mass(self, node, iteration);
  }
  s.fresh_stats.clear();
  return iteration;
}

}  // namespace sgp::actors
