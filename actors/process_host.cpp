// The lifecycle of a cluster process: its nodes, the start barrier, reports,
// progress and dead processes (see process_host.hpp; the end of the run is in
// process_host_finish.cpp).
#include "actors/process_host.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "actors/actor_failure.hpp"
#include "actors/allreduce_actor.hpp"
#include "actors/compute_actor.hpp"
#include "actors/group_measures.hpp"
#include "actors/sender_actor.hpp"
#include "core/checkpoint_schedule.hpp"
#include "core/clock_text.hpp"
#include "core/json.hpp"
#include "core/log.hpp"
#include "core/metrics_lines.hpp"
#include "core/rng.hpp"
#include "gpu/backend_factory.hpp"
#include "runtime/group_plan.hpp"
#include "runtime/run_limits.hpp"

namespace sgp::actors {
namespace {

constexpr auto progress_every = std::chrono::seconds(2);

}  // namespace

core::status spawn_local_node(host_ptr self, int id, int device,
                              std::shared_ptr<runtime::compute_engine> engine,
                              const node_resume* from) {
  auto& s = self->state;
  const auto& cfg = s.setup.cfg;
  if (!engine) {
    auto setup = runtime::compute_setup_of(cfg, s.setup.settings, s.n);
    setup.node = id;
    setup.device = device;
    auto made = runtime::compute_engine::create(setup, s.train);
    if (!made.ok()) return made.err().with_context("node " + std::to_string(id));
    engine = std::move(made).value();
  }
  // The host is dynamically typed but answers everything a worker tells
  // its owner (the report, done, suspect and forgot handlers below).
  const auto me = caf::actor_cast<node_owner_handle>(self);
  const auto i = static_cast<std::size_t>(id);
  auto wsetup = s.wsetup;
  if (from) {
    wsetup.start_iteration = from->iteration;
    wsetup.start_round = from->round;
  }
  const double w = from ? from->w : 1.0;
  auto worker = self->spawn(worker_actor, id, engine, from ? from->x : s.initial_x, w, s.gossip,
                            s.view, wsetup, me);
  compute_handle comp =
      s.setup.settings.backend.name == config::backend_kind::cpu &&
              s.setup.settings.backend.compute_threads != config::compute_threads::own
          ? self->spawn(compute_actor, engine, s.test, worker, s.allreduce, id, s.sum_on_device)
          : self->spawn<caf::detached>(compute_actor, engine, s.test, worker, s.allreduce, id,
                                       s.sum_on_device);
  // A revived node's sender draws other link noise than its earlier life's.
  const auto seed =
      core::mix_seed(cfg.run.seed + 7919 * static_cast<std::uint64_t>(i) + s.view.incarnation[i]);
  auto sender = self->spawn(sender_actor, id, s.links, cfg.network.duplicate, worker, seed,
                            push_wire_type(s.setup.settings));
  self->monitor(worker);
  self->monitor(comp);
  self->monitor(sender);
  s.node_device.resize(s.n, 0);
  s.node_device[i] = device;
  s.nodes.push_back({id, worker, comp, sender, std::move(engine), std::nullopt});
  s.nodes.back().hold_to = wsetup.hold_at;  // where it pauses first
  // The summary's expected weight counts what each node started with.
  s.nodes.back().initial_weight = w;
  std::sort(s.nodes.begin(), s.nodes.end(),
            [](const local_node& a, const local_node& b) { return a.id < b.id; });
  return {};
}

namespace {

core::status spawn_nodes(host_ptr self) {
  auto& s = self->state;
  const auto& cfg = s.setup.cfg;
  auto compute = runtime::compute_setup_of(cfg, s.setup.settings, s.n);
  const auto memory = core::physical_memory_bytes();
  if (auto st = runtime::check_datasets(cfg, s.setup.settings, *s.train, *s.test); !st.ok()) {
    return st;
  }
  if (auto st = runtime::check_batch_memory(cfg, s.train->sample_elements(), memory); !st.ok()) {
    return st;
  }
  const auto& devices = s.setup.devices.empty() ? cfg.backend.devices : s.setup.devices;
  if (s.setup.settings.algorithm.name == config::algorithm_kind::ar_sgd) {
    if (!s.setup.sum_across) {
      return core::make_error(
          "algorithm.name = \"ar-sgd\" across processes needs Gloo (CPUs) or NCCL (GPUs)");
    }
    // NCCL's device path: the process's gradients are summed on its first
    // GPU, then across processes; none goes through host memory.
    s.sum_on_device = static_cast<bool>(s.setup.sum_across_device);
    if (s.sum_on_device && s.local_nodes > 1) {
      core::logf(core::log_level::info, "ar-sgd", {.process = my_name(s)},
                 "%d nodes in this process: their gradients are summed on one GPU first, then "
                 "across processes (%s)",
                 static_cast<int>(s.local_nodes), s.setup.sum_across_engine.c_str());
    }
    // The sums across processes block: on a thread of their own.
    s.reducer = self->spawn<caf::detached>(
        process_reducer, s.setup.sum_across,
        s.sum_on_device ? s.setup.sum_across_device : process_device_sum_fn{});
    s.allreduce = self->spawn(allreduce_actor, s.links, std::uint64_t{4},
                              std::shared_ptr<gpu::device_allreduce>{}, engine_list{});
    process_reduction across{s.reducer,     s.setup.node_process,      s.setup.process,
                             s.setup.names, s.setup.view_wait_seconds, s.setup.sum_across_engine};
    across.on_device = s.sum_on_device;
    self->send(s.allreduce, across_atom::value, across);
    self->monitor(s.reducer);
    self->monitor(s.allreduce);
  }
  // Pushes between this process's GPUs are copied peer to peer (only the
  // GPUs its nodes use: enabling access makes a context on each).
  std::vector<int> used;
  for (std::size_t i = 0, local = 0; i < s.n && !devices.empty(); ++i) {
    if (s.setup.node_process[i] == s.setup.process)
      used.push_back(devices[local++ % devices.size()]);
  }
  auto peers = gpu::enable_peer_access(compute.backend, used);
  if (!peers.ok()) return peers.err();
  if (!peers.value().empty()) core::log(core::log_level::info, "gpu", peers.value());
  std::size_t k = 0;
  std::map<int, std::shared_ptr<runtime::compute_engine>> engines;
  std::map<int, int> device_of;
  for (std::size_t i = 0; i < s.n; ++i) {
    if (s.setup.node_process[i] != s.setup.process) continue;
    auto setup = compute;
    setup.node = static_cast<int>(i);
    setup.device = devices.empty() ? 0 : devices[k % devices.size()];
    ++k;
    auto made = runtime::compute_engine::create(setup, s.train);
    if (!made.ok()) return made.err().with_context("node " + std::to_string(i));
    std::shared_ptr<runtime::compute_engine> engine = std::move(made).value();
    if (!s.initial_x) {
      // The same seed on every process: the same start everywhere.
      s.initial_x = std::make_shared<const std::vector<float>>(engine->initial_parameters());
      s.per_epoch = engine->iterations_per_epoch();
      runtime::set_overlap_start(s.gossip, cfg, s.per_epoch);
      s.wsetup.total_iterations = static_cast<std::uint64_t>(s.per_epoch * cfg.schedule.epochs);
      if (cfg.schedule.max_iterations > 0) {
        s.wsetup.total_iterations = std::min(
            s.wsetup.total_iterations, static_cast<std::uint64_t>(cfg.schedule.max_iterations));
      }
      if (auto st = runtime::check_node_memory(cfg, s.setup.settings, engine->parameters(), memory);
          !st.ok())
        return st;
    }
    if (!s.model_layout) s.model_layout = engine->layout();
    engines[static_cast<int>(i)] = std::move(engine);
    device_of[static_cast<int>(i)] = setup.device;
  }
  // A resumed run: each node where the checkpoint's cut left it.
  std::map<int, node_resume> resumed;
  if (!cfg.run.resume_from.empty()) {
    auto loaded = load_resume(self, engines);
    if (!loaded.ok()) return loaded.err();
    resumed = std::move(loaded).value();
  }
  s.checkpoint_every =
      static_cast<std::uint64_t>(s.per_epoch * std::max(0, cfg.output.checkpoint_every_epochs));
  s.hold_at =
      core::next_checkpoint(s.checkpoint_every, s.wsetup.total_iterations,
                            s.resumed_at > 0.0 ? static_cast<std::uint64_t>(s.resumed_at) : 0);
  s.wsetup.hold_at = s.hold_at;
  for (auto& [id, engine] : engines) {
    const auto r = resumed.find(id);
    if (auto st = spawn_local_node(self, id, device_of[id], std::move(engine),
                                   r == resumed.end() ? nullptr : &r->second);
        !st.ok())
      return st;
  }
  return {};
}

bool start(host_ptr self) {
  auto& s = self->state;
  const auto& cfg = s.setup.cfg;
  s.gossip = runtime::gossip_options_of(cfg, s.setup.settings);
  s.links = runtime::cluster_links(cfg, s.setup.settings);
  s.faults = runtime::scripted_faults(cfg, s.setup.settings);
  s.view = core::membership_view::all_up(s.n);
  s.process_live.assign(s.setup.names.size(), true);
  s.process_done.assign(s.setup.names.size(), false);
  s.process_held.assign(s.setup.names.size(), 0);
  set_waits(s.wsetup, cfg, s.setup.settings);
  std::error_code ec;
  std::filesystem::create_directories(s.setup.dir, ec);
  if (ec) {
    abort_cluster(self, s.setup.dir + ": cannot create the directory (" + ec.message() + ")");
    return false;
  }
  if (auto opened = s.metrics.open_in(s.setup.dir); !opened.ok()) {
    abort_cluster(self, opened.err().message);
    return false;
  }
  if (auto st = spawn_nodes(self); !st.ok()) {
    abort_cluster(self, st.err().message);
    return false;
  }
  broadcast_view(self);
  core::logf(core::log_level::info, "cluster", {.process = my_name(s)},
             "nodes %d..%d of %zu; waiting for the other %zu processes", s.nodes.front().id,
             s.nodes.back().id, s.n, s.setup.names.size() - 1);
  return true;
}

}  // namespace

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool write_metrics_line(host_ptr self, const std::string& line) {
  auto& s = self->state;
  if (auto st = s.metrics.line(line); !st.ok()) {
    abort_cluster(self, st.err().message);
    return false;
  }
  return true;
}

void begin_training(host_ptr self) {
  auto& s = self->state;
  if (s.phase != host_phase::joining) return;
  s.phase = host_phase::training;
  s.start_time = clock_seconds(self);
  // The coordinator measures the consensus distance this often (whichever
  // process is the coordinator when it is due).
  s.next_consensus = static_cast<std::uint64_t>(s.setup.cfg.output.consensus_every_iterations);
  core::log(core::log_level::info, "cluster", "every process joined: training",
            {.process = my_name(s)});
  const auto resumed = s.rejoining ? std::optional<std::uint64_t>{0} : resume_cut(self);
  if (!resumed) return;  // the resume was refused: the run ended
  const std::uint64_t cut = *resumed;
  // Faults at or before where these nodes start happened already. At a
  // resume, the kills and revives are in the checkpoint (run again, a kill
  // would throw a resumed node's state away); the links fire again. At a
  // rejoin none runs again: the welcome replayed the links, the view has
  // the other nodes' kills and revives, and this process's own nodes all
  // came back with it (docs/config.md, "At a resume").
  const bool rejoined = s.rejoining && s.welcome;
  const std::uint64_t from = rejoined ? s.welcome->iteration : cut;
  if (rejoined) s.seconds_before = static_cast<double>(s.welcome->run_milliseconds) / 1000.0;
  if (from > 0) {
    const auto settled = runtime::settle_faults_before(s.faults, from, rejoined, s.seconds_before);
    const auto where =
        (rejoined ? "the rejoin at iteration " : "the cut at iteration ") + std::to_string(from);
    for (const auto& line : runtime::resume_fault_lines(settled, where)) {
      core::log(core::log_level::info, "cluster", line, {.process = my_name(s)});
    }
    // Those that fire again (links, speed) fire now, before its nodes
    // start: no push goes out on a link that was down at the cut.
    if (!rejoined) fire_due_faults(self, from);
  }
  for (const auto& node : s.nodes) {
    self->send(node.worker, start_atom::value, node.compute, node.sender);
  }
  // No node to run (ar-sgd's nodes out at a resume): done at once; it
  // still takes part in the checkpoints and the end.
  if (s.nodes.empty()) nodes_done(self);
  // A rejoined process's nodes start at the cluster's iteration: their
  // next pause is the cluster's next one after it (so for a resumed
  // process that was dead at the cut).
  if (s.rejoining && s.welcome) {
    // Welcomed during a pause: its nodes pause there at once (they join at
    // the cluster's iteration, at or past it) and it writes its part of
    // that cut (with what mass the cut's flush brings them, maybe none).
    const auto paused = s.welcome->paused_at;
    const auto joined_at = std::max(s.welcome->iteration, s.join_floor);
    if (paused > 0 && paused < s.wsetup.total_iterations && paused <= joined_at) {
      pause_nodes_at(self, paused);
    } else {
      arm_checkpoints(self, joined_at);
    }
  }
  if (cut > 0) arm_checkpoints(self, cut);
  self->delayed_send(self, progress_every, tick_atom::value);
}

namespace {

void print_progress(host_ptr self) {
  auto& s = self->state;
  if (!s.setup.cfg.output.progress) return;
  std::uint64_t slowest = ~0ULL;
  double loss = 0.0;
  double wait = 0.0;
  double busy = 0.0;
  int count = 0;
  for (const auto& node : s.nodes) {
    if (!node.last) continue;
    slowest = std::min(slowest, node.last->iteration);
    loss += node.last->loss;
    wait += node.last->comm_wait;
    busy += node.last->comm_wait + node.last->compute_seconds;
    ++count;
  }
  if (count == 0) return;
  const int live = static_cast<int>(std::count(s.process_live.begin(), s.process_live.end(), true));
  const double now = clock_seconds(self) - s.start_time;
  std::fprintf(stderr,
               "process %s: it %llu/%llu  epoch %.2f/%d  elapsed %s  loss %.4f  comm wait %.0f%%  "
               "processes live %d/%zu\n",
               my_name(s).c_str(), static_cast<unsigned long long>(slowest),
               static_cast<unsigned long long>(s.wsetup.total_iterations),
               static_cast<double>(slowest) / static_cast<double>(s.per_epoch),
               s.setup.cfg.schedule.epochs, core::clock_text(now).c_str(), loss / count,
               busy > 0 ? 100.0 * wait / busy : 0.0, live, s.process_live.size());
}

void on_report(host_ptr self, const iteration_report& r) {
  auto& s = self->state;
  auto it = std::find_if(s.nodes.begin(), s.nodes.end(),
                         [&](const local_node& n) { return n.id == r.node; });
  if (it == s.nodes.end()) return;
  if (!std::isfinite(r.loss)) {
    abort_cluster(self, divergence_error(r.node, r.iteration));
    return;
  }
  it->last = r;
  s.collapse.add(r.iteration, r.loss);
  it->comm_wait += r.comm_wait;
  it->compute_seconds += r.compute_seconds;
  (void)write_metrics_line(
      self,
      core::metrics::train_line(
          {r.node, r.iteration, static_cast<double>(r.iteration) / static_cast<double>(s.per_epoch),
           r.time - s.start_time, r.loss, r.lr, r.w, r.comm_wait, r.compute_seconds, r.bytes_sent,
           r.messages_late, r.messages_lost, r.messages_duplicate}));
  fire_due_faults(self);
  maybe_measure_consensus(self);
}

void on_down(host_ptr self, std::uint32_t process, const std::string& why) {
  auto& s = self->state;
  if (process >= s.process_live.size() || !s.process_live[process] ||
      s.phase == host_phase::finished)
    return;
  if (s.phase == host_phase::joining) {
    // A cluster starts whole: training without a process that never came
    // would be a different run than the one configured.
    abort_cluster(self, "process " + s.setup.names[process] + " " + why +
                            " (is it running, with the same cluster secret and program version?)");
    return;
  }
  s.process_live[process] = false;
  int nodes = 0;
  for (std::size_t i = 0; i < s.n; ++i) {
    if (s.setup.node_process[i] != process || !s.view.live[i]) continue;
    s.view.live[i] = false;
    ++nodes;
  }
  ++s.view.epoch;
  broadcast_view(self);
  (void)write_metrics_line(self, core::json_object()
                                     .add("event", "process_down")
                                     .add("process", s.setup.names[process])
                                     .add("nodes", nodes)
                                     .add("time", clock_seconds(self) - s.start_time)
                                     .add("unix_time", unix_seconds())
                                     .str());
  core::logf(core::log_level::warn, "cluster", {.process = my_name(s)},
             "%d nodes of process %s left the view; training goes on", nodes,
             s.setup.names[process].c_str());
  // A process that died before answering the consensus notice is not waited for.
  on_distance(self, nullptr);
  on_model_sum(self, nullptr);
  maybe_start_checkpoint(self, true);
  maybe_start_end(self);
}

}  // namespace

/// Senders' peers: local workers, the bridge for live remote nodes, nothing for dead ones.
void broadcast_view(host_ptr self) {
  auto& s = self->state;
  std::vector<push_handle> peers(s.n);
  std::vector<push_handle> local(s.n);
  // The bridge's sending half is dynamically typed; it stands in for the
  // remote workers, and takes their pushes (push_handle).
  const auto bridge = caf::actor_cast<push_handle>(s.push_out ? s.push_out : s.bridge);
  for (std::size_t i = 0; i < s.n; ++i) {
    if (s.view.live[i] && s.setup.node_process[i] != s.setup.process) peers[i] = bridge;
  }
  for (const auto& node : s.nodes) {
    peers[static_cast<std::size_t>(node.id)] = node.worker;
    local[static_cast<std::size_t>(node.id)] = node.worker;
  }
  for (const auto& node : s.nodes) {
    self->send(node.worker, view_atom::value, s.view);
    self->send(node.sender, view_atom::value, peers);
  }
  self->send(s.bridge, view_atom::value, local);
  if (s.allreduce) {
    std::vector<compute_handle> computes(s.n);
    // The engines only where the sum takes the gradient on the GPU.
    engine_list engines(s.sum_on_device ? s.n : 0);
    for (const auto& node : s.nodes) {
      computes[static_cast<std::size_t>(node.id)] = node.compute;
      if (s.sum_on_device) engines[static_cast<std::size_t>(node.id)] = node.engine;
    }
    self->send(s.allreduce, view_atom::value, computes, s.view.live, engines);
  }
}

caf::behavior process_host(host_ptr self, process_host_setup setup,
                           std::shared_ptr<const data::dataset> train,
                           std::shared_ptr<const data::dataset> test) {
  // An exception in a handler, or an error answer that no handler takes (a
  // request's `then` without one), ends the run in every process and
  // answers start_atom: quitting alone would leave this process's nodes
  // running and its caller waiting for ever.
  end_run_on_exception(self, "process host",
                       [self](const std::string& why) { abort_cluster(self, why); });
  self->set_error_handler([=](caf::error& e) {
    abort_cluster(self,
                  "process host: an answer it waited for failed: " + self->system().render(e));
  });
  auto& s = self->state;
  s.setup = std::move(setup);
  s.train = std::move(train);
  s.test = std::move(test);
  s.n = s.setup.node_process.size();
  s.local_nodes = static_cast<std::size_t>(
      std::count(s.setup.node_process.begin(), s.setup.node_process.end(), s.setup.process));
  s.collapse = core::collapse_watch(s.train ? s.train->classes : 0, s.local_nodes);
  s.barrier = core::start_barrier(s.setup.names.size(), s.setup.process);
  self->set_down_handler([=](const caf::down_msg& m) {
    auto& st = self->state;
    if (st.phase == host_phase::finished) return;
    const auto text = actor_failure_text(m.reason);
    abort_cluster(self, text.empty() ? "a node's actor stopped unexpectedly" : text);
  });
  return {
      [=](start_atom, const caf::actor& bridge,
          const caf::actor& push_out) -> caf::result<runtime::run_summary> {
        auto& st = self->state;
        st.bridge = bridge;
        st.push_out = push_out;
        // Either half of the door to the other processes stopping is the
        // end of the run here (the down handler says why).
        if (bridge) self->monitor(bridge);
        if (push_out) self->monitor(push_out);
        if (st.phase == host_phase::finished) {
          // Ended before it started (refused by a peer's settings, say):
          // no promise was there to answer then.
          return caf::make_error(caf::sec::runtime_error, st.ended_before_start);
        }
        st.finished = self->make_response_promise();
        if (start(self)) {
          st.nodes_spawned = true;
          maybe_begin_training(self);
        }
        return st.finished;
      },
      [=](joined_atom) {
        // Possibly before start_atom: nothing to start yet then (a CI run
        // hung here, with the nodes spawned after this message and never
        // started); maybe_begin_training waits for both.
        self->state.joined = true;
        maybe_begin_training(self);
      },
      [=](back_atom, std::uint32_t process, std::uint64_t incarnation) {
        on_back(self, process, incarnation);
      },
      [=](rejoining_atom, std::uint32_t peer) { on_rejoining(self, peer); },
      [=](cut_off_atom, std::uint32_t peer, const std::string& why) {
        on_cut_off(self, peer, why);
      },
      [=](report_atom, const iteration_report& r) { on_report(self, r); },
      [=](done_atom, int id, std::uint64_t iteration) {
        auto& st = self->state;
        bool all = true;
        for (auto& node : st.nodes) {
          // A done for an earlier pause (sent before a release moved the
          // node on) is not this pause's.
          if (node.id == id && iteration >= stop_limit(st, node)) node.done = true;
          all = all && node.done;
        }
        if (all) nodes_done(self);
      },
      [=](suspect_atom, int node, const std::vector<std::size_t>& suspects) {
        ++self->state.suspects;
        if (self->state.setup.cfg.algorithm.resend_on_timeout) {
          request_resends(self, node, suspects);
        }
      },
      [=](forgot_atom, int, const std::vector<core::forgotten_edges>& edges) {
        auto& st = self->state;
        for (const auto& e : edges) {
          st.sent_to_dead += e.sent_weight;
          st.applied_from_dead += e.applied_weight;
        }
      },
      [=](down_atom, std::uint32_t process, const std::string& why) {
        on_down(self, process, why);
      },
      [=](refused_atom, const std::string& why) { abort_cluster(self, why); },
      [=](notice_atom, const net::wire::notice& n) { on_notice(self, n); },
      [=](flush_atom, std::uint32_t to, double round) { send_weights(self, to, round); },
      [=](ready_atom) { on_ready_tick(self); },
      [=](consensus_atom, std::uint64_t round) {
        if (round == self->state.end_round) on_distance(self, nullptr, true);
      },
      [=](consensus_atom, double round) {
        // A measurement during the run (-iteration): its distances waited long enough.
        auto& st = self->state;
        if (st.after_consensus && round == st.consensus_round) on_distance(self, nullptr, true);
      },
      [=](measure_atom, double round) {
        // The same, for its model sums (before its consensus round opened).
        auto& st = self->state;
        if (!st.after_consensus && round == st.measuring) on_model_sum(self, nullptr, true);
      },
      [=](tick_atom) {
        auto& st = self->state;
        if (st.phase == host_phase::finished) return;
        if (st.phase == host_phase::training) print_progress(self);
        check_checkpoint_wait(self);
        // The end must not hang on a process that stopped answering
        // without dying (or a lost notice): bounded like the start.
        const double limit = std::max(300.0, st.setup.settings.cluster.join_timeout_seconds);
        if (st.done_at >= 0.0 && clock_seconds(self) - st.done_at > limit) {
          char why[160];
          std::snprintf(why, sizeof(why),
                        "the end of the run did not complete within %.0f s of this process's "
                        "nodes being done (waiting for the other processes)",
                        limit);
          return abort_cluster(self, why);
        }
        self->delayed_send(self, progress_every, tick_atom::value);
      },
      [=](status_atom) -> core::cluster_status { return process_status(self); },
      [=](command_atom, const std::string& line) -> std::string {
        return process_command(self, line);
      },
      [=](stop_atom) {
        // A signal: the whole cluster stops where it is and ends as usual
        // (flush, evaluation, summary); a second signal exits at once.
        auto& st = self->state;
        if (st.phase == host_phase::joining) return abort_cluster(self, "stopped by a signal");
        // ar-sgd: every node must stop at the same iteration (a process
        // that went one further would wait in a sum the others never
        // join). The processes are within an iteration of each other; the
        // reports lag a little: three past this process's last one.
        std::vector<double> at;
        if (st.allreduce) {
          std::uint64_t last = 0;
          for (const auto& node : st.nodes) {
            if (node.last) last = std::max(last, node.last->iteration);
          }
          at.push_back(static_cast<double>(last + 3));
        }
        send_notice(self, all_processes, net::wire::notice_topic::stop, {}, std::move(at));
      },
  };
}

}  // namespace sgp::actors
