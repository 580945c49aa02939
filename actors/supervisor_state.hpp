// The supervisor's state and the functions that act on it, shared by the
// files that implement the supervisor's control plane (lifecycle, commands,
// checkpoints, finishing). Its node host (node_host.hpp) and reporter
// (run_reporter.hpp) are members; its phase moves only through
// core::next_phase (docs/design.md §2).
#pragma once

#include <caf/all.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/embedding.hpp"
#include "actors/handles.hpp"
#include "actors/messages.hpp"
#include "actors/node_host.hpp"
#include "actors/run_reporter.hpp"
#include "actors/worker_actor.hpp"
#include "config/config.hpp"
#include "config/settings.hpp"
#include "core/cluster_status.hpp"
#include "core/command.hpp"
#include "core/gossip_node.hpp"
#include "core/group_checkpoint.hpp"
#include "core/run_phase.hpp"
#include "data/dataset.hpp"
#include "net/link_emulator.hpp"
#include "runtime/compute_engine.hpp"
#include "runtime/group_plan.hpp"
#include "runtime/run_summary.hpp"

namespace sgp::actors {

/// The traffic and progress counters at one time, for rates over a window.
struct traffic_sample {
  double time = 0.0;  ///< run seconds
  std::vector<std::uint64_t> edge_messages;
  std::vector<std::uint64_t> edge_bytes;
  std::vector<std::uint64_t> iterations;    ///< per node (0 for dead nodes)
  std::vector<std::uint64_t> incarnations;  ///< per node, to skip a revival
  std::vector<double> compute;              ///< per node, seconds computed
};

struct supervisor_state {
  config::config cfg;
  config::settings settings;  ///< cfg resolved when the group starts
  std::shared_ptr<const data::dataset> train;
  std::shared_ptr<const data::dataset> test;
  std::size_t n = 0;
  bool allreduce_mode = false;
  core::gossip_options gossip;
  worker_setup setup;
  net::link_emulator links{1, {}, 0};  ///< the configured links (senders hold copies)
  core::membership_view view;
  node_host host;  ///< the engines, the nodes' actors, the AllReduce actor
  std::shared_ptr<const std::vector<float>> initial_x;
  std::int64_t per_epoch = 1;

  node_reports last;  ///< latest report per node
  std::vector<bool> done;
  std::vector<double> spawned_at;  ///< clock seconds when each node's current incarnation started
  std::vector<runtime::scripted_fault> faults;
  std::vector<std::uint64_t> suspected;  ///< times each node was reported suspect
  double start_time = 0.0;
  /// The run's seconds before this start (a resume's cut): the clock of
  /// [[faults]]' at_seconds goes on from there.
  double seconds_before = 0.0;
  double heartbeat_timeout = 30.0;  ///< seconds (cluster.heartbeat_timeout)
  double tick_due = 0.0;            ///< clock seconds when the next tick is due
  /// Silence is counted from here at the earliest: the last time the whole
  /// process was found paused (SIGSTOP, a frozen VM).
  double heartbeats_from = 0.0;
  double lost_weight = 0.0;  ///< what dead nodes took with them
  /// Where each node starts (a resumed run: its checkpoint's iteration and
  /// round); cleared once spawned, so a revived node joins as usual.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> start_at;
  /// Periodic checkpoints: every this many iterations (0: only at the end).
  std::uint64_t checkpoint_every = 0;
  double pause_started = 0.0;  ///< clock seconds
  double paused_total = 0.0;   ///< seconds paused for checkpoints so far
  bool weight_exact = true;
  /// Where the run is; moved only by next_phase (core/run_phase.hpp).
  core::run_phase phase = core::run_phase::starting;
  double drain_deadline = 0.0;          ///< clock seconds: the final drain gives up then
  double final_in_flight_weight = 0.0;  ///< weight still in flight at the final evaluation
  /// The averaged model and its batch-norm statistics at the final
  /// evaluation (saved as RUN_DIR/model.safetensors).
  std::shared_ptr<const std::vector<float>> final_mean;
  std::vector<float> final_stats;
  std::vector<std::vector<float>> final_node_stats;  ///< per node, at the final evaluation
  int pending_kills = 0;                             ///< kills whose last state has not arrived
  caf::response_promise finished;
  /// metrics.jsonl, the progress line, consensus bookkeeping, the summary.
  run_reporter reporter;
  std::uint64_t late_total = 0;
  /// Pushes and their payload bytes per directed edge (from * n + to), over
  /// the run, counted from the senders' reports (the status page's traffic).
  std::vector<std::uint64_t> edge_messages;
  std::vector<std::uint64_t> edge_bytes;
  std::vector<double> node_compute;          ///< seconds each node computed
  std::deque<traffic_sample> samples;        ///< the last few seconds, one a second
  std::deque<core::history_point> history;   ///< loss and consensus, one a second
  std::vector<listener_handle> subscribers;  ///< the typed event stream's (embedding.hpp)
  static inline const char* name = "sgp.supervisor";

  /// Moves the phase on `e` (core::next_phase: the transitions are there).
  void on(core::phase_event e) { phase = core::next_phase(phase, e); }
};

using supervisor_ptr = supervisor_handle::stateful_pointer<supervisor_state>;

/// Builds and starts every node; false (with the promise answered) on error.
bool start_group(supervisor_ptr self);

/// Spawns node `id` (a new incarnation when revived) with x, w, on
/// `engine` (made by the host when null), from the current view and links.
core::status spawn_node(supervisor_ptr self, int id, std::shared_ptr<const std::vector<float>> x,
                        double w, std::shared_ptr<runtime::compute_engine> engine = nullptr);

/// Lets node `id`'s worker start (after its sender knows the peers).
void start_node(supervisor_ptr self, int id);

/// Appends a line to metrics.jsonl; a failed write (a full disk) ends the
/// run with an error naming the file, and false is returned.
bool write_metrics(supervisor_ptr self, const std::string& line);

/// Ends the run with an error (the start request gets it) and stops every actor.
void abort_run(supervisor_ptr self, const std::string& message);

/// Sends the view to every live worker, the peers to every sender, and the
/// computes and live set to the AllReduce actor (node_host::send_view).
void broadcast_view(supervisor_ptr self);

/// Executes a console command or a fault (checked already); the message is
/// what the console prints, `applied` false when it did nothing (a dead node).
command_outcome execute(supervisor_ptr self, const core::command& c);

/// A command from outside (console line, HTTP, typed API): checks it against
/// the group size (check_command), refuses actions once the run has ended,
/// executes it, and logs an action (metrics.jsonl, subscribers) with
/// `source` and `text`, the command as the user gave it.
command_outcome run_command(supervisor_ptr self, const core::command& c, const std::string& source,
                            const std::string& text);

/// Adds `listener` to the typed event stream (held as a listener_handle)
/// and monitors it; twice is once.
void subscribe(supervisor_ptr self, const caf::actor& listener);

/// Removes `listener` from the event stream; true if it was subscribed.
bool unsubscribe(supervisor_ptr self, const caf::actor_addr& listener);

/// Sends `event` to every subscriber.
template <class Event>
void publish(supervisor_ptr self, const Event& event) {
  for (const auto& listener : self->state.subscribers) self->send(listener, event);
}

/// Answers the start request with the summary and tells the subscribers
/// (run_end); nothing if the request was answered already.
void deliver_summary(supervisor_ptr self, runtime::run_summary summary);

/// Answers the start request with an error and tells the subscribers.
void deliver_error(supervisor_ptr self, const std::string& message);

/// The `status` table and the `topology` text.
std::string status_text(supervisor_ptr self);
std::string topology_text(supervisor_ptr self);

/// A worker's iteration report: metrics, progress, faults, consensus.
void on_report(supervisor_ptr self, iteration_report r);

/// Measures the consensus distance (asks every live worker for z).
void measure_consensus(supervisor_ptr self);

/// Every live node is done (or stop was asked): absorb what is in flight
/// (drain), evaluate, summarize, reply.
void finish(supervisor_ptr self);

/// One step of the final drain: evaluates once nothing is in flight between
/// live nodes or the deadline passed; else flushes again and checks later.
void drain(supervisor_ptr self);

/// The first periodic pause after iteration `after` (0: none before the end).
std::uint64_t next_hold(const supervisor_state& s, std::uint64_t after);

/// Every live node has paused at setup.hold_at: drains what is in flight,
/// writes the group checkpoint, and lets the nodes go on to the next pause.
void checkpoint_pause(supervisor_ptr self);

/// The group checkpoint's identity for this run.
core::group_identity group_identity_of(const supervisor_state& s);

/// The console's `checkpoint`: every live node pauses two iterations past the
/// furthest one, then as checkpoint_pause (RUN_DIR/checkpoints/latest.ckpt).
std::string write_checkpoints(supervisor_ptr self);

/// Writes RUN_DIR/checkpoints/latest.ckpt from the drained snapshots `all`
/// and each node's momentum and statistics, then calls `then`; a failed
/// write ends the run (abort_run).
void save_group(supervisor_ptr self, const std::vector<node_snapshot>& all,
                std::function<void()> then);

/// The checkpoint is written: the nodes go on to the next pause (or, if the
/// run was stopped meanwhile, to the end).
void end_pause(supervisor_ptr self);

/// Counts a report's pushes per edge (before it becomes the node's last).
void record_traffic(supervisor_state& s, const iteration_report& r);

/// Once a second: a traffic sample and a history point (from the tick).
void sample_status(supervisor_ptr self);

/// What the status page shows (answer to status_atom).
core::cluster_status cluster_status_of(supervisor_ptr self);

/// Writes a "fault" or "command" line to metrics.jsonl (core/metrics_lines.hpp)
/// and sends it to the subscribers (action_event): `event` "fault" or
/// "command", `source` "config", "console", "api" or "supervisor".
/// `iteration` is the global iteration when it happened (before a kill).
void log_action(supervisor_ptr self, const std::string& event, const std::string& source,
                std::uint64_t iteration, const core::command& c, const std::string& command_text,
                const command_outcome& outcome);

/// Draws the progress line (at most twice a second unless `force`).
void print_progress(supervisor_ptr self, bool force);

/// The highest iteration any live node has completed.
std::uint64_t global_iteration(const supervisor_state& s);

/// Seconds since the run started (the actor clock).
double run_seconds(supervisor_ptr self);

}  // namespace sgp::actors
