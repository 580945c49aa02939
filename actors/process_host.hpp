// One process of a cluster (`sgp node`): hosts this process's nodes (worker,
// compute and sender actors, as in one process) and reaches the other
// processes' nodes through the bridge (bridge_actor.hpp). There is no
// central supervisor: every process keeps its own membership view, built
// from the bridge's verdicts (a silent process is dead: its nodes leave the
// view and every edge to them is forgotten, with its weight accounted).
//
// The end of a run is coordinated by the coordinator: the live process with
// the lowest index (process 0 unless it died). Each process announces when
// its nodes are done; once every live process is, the coordinator asks for
// flushes until no weight is in flight between live nodes (or ten rounds
// passed), then for results: each process evaluates its nodes and sends
// the sum of their models; the coordinator evaluates the averaged model,
// writes RUN_DIR/summary.json and tells everyone to finish. If the
// coordinator dies on the way, the next one starts the end over.
#pragma once

#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/cluster_messages.hpp"
#include "actors/handles.hpp"
#include "actors/messages.hpp"
#include "actors/process_reducer.hpp"
#include "actors/worker_actor.hpp"
#include "config/config.hpp"
#include "config/settings.hpp"
#include "core/checkpoint_schedule.hpp"
#include "core/cluster_status.hpp"
#include "core/collapse_watch.hpp"
#include "core/command.hpp"
#include "core/gossip_node.hpp"
#include "core/group_checkpoint.hpp"
#include "core/process_rejoin.hpp"
#include "core/result.hpp"
#include "core/start_barrier.hpp"
#include "data/dataset.hpp"
#include "net/link_emulator.hpp"
#include "runtime/compute_engine.hpp"
#include "runtime/group_plan.hpp"
#include "runtime/metrics_writer.hpp"
#include "runtime/run_summary.hpp"

namespace sgp::actors {

struct process_host_setup {
  config::config cfg;
  std::uint32_t process = 0;
  std::vector<std::string> names;           ///< process names by index
  std::vector<std::uint32_t> node_process;  ///< the process of each node
  std::vector<int> devices;                 ///< this process's GPUs (empty: backend.devices)
  std::string dir;                          ///< this process's files (RUN_DIR/NAME)
  config::settings settings;                ///< cfg resolved (config/settings.hpp)
  /// ar-sgd: the blocking sum across processes (gpu::process_sum over NCCL
  /// on GPUs, else net::gloo_allreduce), run on the process reducer's
  /// thread; null: neither is built in.
  process_sum_fn sum_across;
  std::string sum_across_engine = "Gloo";  ///< which (for the log)
  /// The same sum with the gradient on this process's GPU (NCCL only; null
  /// otherwise): used when the process has one node, whose gradient then
  /// never leaves the GPU.
  process_device_sum_fn sum_across_device;
  /// ar-sgd: how long a failed sum waits for the view to change.
  double view_wait_seconds = 20.0;
  /// This process's incarnation (its start time in microseconds): its
  /// nodes' incarnation when it rejoins a running cluster.
  std::uint64_t incarnation = 1;
  /// Set when the run here ended because this process must restart to
  /// rejoin (on_cut_off); null: never set.
  std::shared_ptr<std::atomic<bool>> restart;
};

/// The end of the run, as this process sees it.
enum class host_phase { joining, training, done, finishing, finished };

struct local_node {
  int id = 0;
  worker_handle worker;
  compute_handle compute;
  sender_handle sender;
  std::shared_ptr<runtime::compute_engine> engine;
  std::optional<iteration_report> last;
  double comm_wait = 0.0;        ///< seconds waited for in-neighbours, summed
  double compute_seconds = 0.0;  ///< seconds computed, summed
  bool done = false;
  /// The last pause (or stop) iteration it was told to hold at (0: none).
  std::uint64_t hold_to = 0;
  /// The weight it started with: 1, or 0 when its process rejoined (the
  /// summary's expected weight counts what the live nodes started with).
  double initial_weight = 1.0;
};

struct process_host_state {
  process_host_setup setup;
  std::shared_ptr<const data::dataset> train;
  std::shared_ptr<const data::dataset> test;
  std::size_t n = 0;
  std::size_t local_nodes = 0;  ///< this process's (setup.node_process)
  core::gossip_options gossip;
  worker_setup wsetup;
  net::link_emulator links{1, {}, 0};
  core::membership_view view;
  std::vector<local_node> nodes;  ///< this process's nodes
  std::vector<int> node_device;   ///< by node id: its GPU (a revived node gets the same one)
  caf::actor bridge;
  caf::actor push_out;         ///< the bridge's sending half: the remote nodes' worker for senders
  allreduce_handle allreduce;  ///< ar-sgd: this process's AllReduce actor
  caf::actor reducer;          ///< ar-sgd: its process reducer (detached)
  /// ar-sgd: the sum across processes takes the one node's gradient on its
  /// GPU (process_reduction::on_device).
  bool sum_on_device = false;
  std::shared_ptr<const std::vector<float>> initial_x;
  std::int64_t per_epoch = 1;
  host_phase phase = host_phase::joining;
  /// start() has spawned this process's nodes.
  bool nodes_spawned = false;
  /// The bridge said every process joined. It may say so before
  /// start_atom came (the bridge is spawned, and may connect, before the
  /// host is started): the nodes are started as soon as they exist.
  bool joined = false;
  /// A peer readmitted this restarted process: it rejoins a running
  /// cluster, and its nodes start once a welcome came.
  bool rejoining = false;
  std::optional<core::welcome> welcome;  ///< the first welcome received
  /// Every link, partition, heal and slow command this process applied,
  /// as console lines in order: a welcome carries them (its text), and the
  /// rejoined process applies them again, so its links, its view's link
  /// mask and its slow nodes are the cluster's.
  std::vector<std::string> applied_commands;
  std::string welcome_from;  ///< the process whose welcome was taken
  /// Where its nodes join no lower than: the taken welcome's iteration, or
  /// a later welcome's from further on (later_welcome). The taken
  /// welcome's own iteration still settles the faults (its commands are
  /// what was applied).
  std::uint64_t join_floor = 0;
  std::string welcome_commands;  ///< that welcome's commands, one per line
  bool welcome_applied = false;
  /// Every process starts training together (core/start_barrier.hpp; a
  /// rejoining process skips it: the others are training).
  core::start_barrier barrier{1, 0};
  double barrier_logged = -1.0;  ///< clock seconds of the last "waiting for" line
  /// Why the run ended before start_atom came (a peer's different
  /// settings can arrive first): start_atom is answered with it.
  std::string ended_before_start;
  double done_at = -1.0;  ///< clock seconds when this process's nodes were done
  double start_time = 0.0;
  /// The run's seconds before this start (a resume's cut, or a rejoin's
  /// welcome; -1: unknown, a file of an earlier version): the clock of
  /// [[faults]]' at_seconds goes on from there.
  double seconds_before = -1.0;
  double last_progress = 0.0;
  /// [[faults]]: every process fires each one itself, when its fastest node
  /// reaches the iteration (or the time), on its own senders, view and nodes
  /// (no coordinator: gossip never waits on another process).
  std::vector<runtime::scripted_fault> faults;
  runtime::metrics_writer metrics;  ///< DIR/metrics.jsonl
  /// This process's nodes' training loss, watched for a collapse (its
  /// verdict travels with the process's result to the coordinator).
  core::collapse_watch collapse;
  std::vector<bool> process_live;
  std::vector<bool> process_done;
  double sent_to_dead = 0.0;       ///< weight this process's nodes sent to dead nodes
  double applied_from_dead = 0.0;  ///< weight they applied from dead nodes
  std::uint64_t suspects = 0;
  /// algorithm.resend_on_timeout: resends asked of other processes' nodes,
  /// and made here for theirs (logged when the nodes finish).
  std::uint64_t resends_asked = 0;
  std::uint64_t resends_made = 0;
  // Coordinator only: the end's rounds.
  std::uint64_t end_round = 0;  ///< tags flush/weights and final/result notices
  int flush_rounds = 0;
  std::map<std::uint32_t, std::vector<double>> weights;  ///< per process, this round
  std::map<std::uint32_t, std::pair<std::string, std::vector<double>>> results;
  double final_in_flight = 0.0;
  /// The final consensus distance (coordinator): the largest distance each
  /// process reported for this end round, and what continues the summary
  /// (null: no round open; called once, with NaN when a process did not
  /// answer within consensus_wait).
  std::map<std::uint32_t, double> distances;
  std::function<void(double)> after_consensus;
  /// The round the open consensus round waits for: the end round, or
  /// -iteration for one during the run.
  double consensus_round = 0.0;
  /// output.consensus_every_iterations across processes
  /// (process_host_consensus.cpp). Coordinator: its nodes' iteration at
  /// which the next measurement is due (0: never), the open measurement
  /// (-iteration; 0: none) and every process's answered model sums.
  std::uint64_t next_consensus = 0;
  double measuring = 0.0;
  std::map<std::uint32_t, std::vector<double>> model_sums;
  /// Every process: its live nodes' models of the last measure notice
  /// (`measured`, its -iteration), which that measurement's consensus
  /// notice measures.
  double measured = 0.0;
  std::vector<shared_floats> measured_models;
  double last_consensus = -1.0;  ///< the last distance measured during the run (-1: none)
  /// Every process: its live nodes' final models of the last result it
  /// sent (the coordinator's consensus notice measures them).
  std::vector<shared_floats> final_models;
  /// The model's parameter layout (of its first engine): the averaged
  /// model's file is written with it, also when no local node is live.
  std::optional<gpu::param_layout> model_layout;
  /// output.checkpoint_every_epochs across processes
  /// (process_host_checkpoint.cpp): every this many iterations (0: never)
  /// the nodes pause, at `hold_at` next (0: no more pauses).
  std::uint64_t checkpoint_every = 0;
  std::uint64_t hold_at = 0;
  /// A stop notice came: the nodes' last hold is the stop's, no pause follows.
  bool stopping = false;
  double held_since = -1.0;  ///< clock seconds since this process's nodes paused (-1: not paused)
  /// By process: the iteration its nodes paused at (held notices; 0: not paused).
  std::vector<std::uint64_t> process_held;
  /// Coordinator: the checkpoint being taken (its iteration; 0: none),
  /// whether its cut was asked for (save notices sent), and who wrote theirs.
  std::uint64_t checkpoint_at = 0;
  bool checkpoint_saving = false;
  std::vector<bool> process_saved;
  /// Every process: the cut its checkpoints/next.ckpt holds (0: none), of
  /// how many nodes; it becomes latest.ckpt at the release.
  std::uint64_t pending_at = 0;
  std::size_t pending_nodes = 0;
  /// The latest cut released (written or given up), as every process heard
  /// it: a process that says it paused at or before it is released at once.
  std::uint64_t last_released = 0;
  /// A resumed run: the iteration of this process's checkpoint (-1: not
  /// resumed); every process must resume from the same cut (ready notices).
  double resumed_at = -1.0;
  /// The name of its checkpoint's cut (core::pause_cut_name, or an end's).
  std::string resumed_cut;
  /// How many nodes' states that checkpoint holds (-1: not resumed).
  int resumed_nodes = -1;
  /// By process: the iteration it resumes at and its cut, from its ready
  /// notices (-1: not heard).
  std::vector<core::resumed_file> resumed_by;
  /// Its nodes without state in its checkpoint (dead, or without mass, at
  /// the cut): they start without mass at the cut.
  std::vector<int> resumed_without_state;
  /// Until the cut is known: a fresh engine's batch-norm statistics of
  /// each resumed node, for a process that the cut demotes.
  std::map<int, std::vector<float>> fresh_stats;
  /// A resumed process's checkpoints/next.ckpt of a later pause than its
  /// latest.ckpt (it crashed between the release and its rename): taken
  /// if that pause is the cluster's cut (resume_cut).
  std::optional<core::group_state> pending_resume;
  std::string pending_resume_path;
  caf::response_promise finished;
  std::optional<runtime::run_summary> summary;  ///< the coordinator's
  static inline const char* name = "sgp.process";
};

using host_ptr = caf::stateful_actor<process_host_state>*;

/// Spawn with the set-up and the data sets; then (start_atom, bridge, push_out;
/// push_out null: the pushes for remote nodes go to the bridge, as with
/// the tests' stand-in bridges) starts
/// it and is answered at the end with the run's summary (the coordinator's;
/// other processes answer with their part).
caf::behavior process_host(host_ptr self, process_host_setup setup,
                           std::shared_ptr<const data::dataset> train,
                           std::shared_ptr<const data::dataset> test);

/// This process's name, as logs and notices give it.
inline const std::string& my_name(const process_host_state& s) {
  return s.setup.names[s.setup.process];
}

// process_host_finish.cpp: the end of the run.

/// The coordinator: the live process with the lowest index.
bool is_coordinator(const process_host_state& s);

/// This process's nodes that are live in its view.
std::vector<const local_node*> live_nodes(const process_host_state& s);

/// How long the coordinator waits for every process's answer to a
/// consensus or measure notice.
inline constexpr auto consensus_wait = std::chrono::seconds(30);

/// Every local node is done: say so to every process.
void local_done(host_ptr self);

/// A notice from a process (or this one).
void on_notice(host_ptr self, const net::wire::notice& n);

/// The coordinator checks whether the end can start (or start over).
void maybe_start_end(host_ptr self);

/// Ends the run with an error (every process is told).
void abort_cluster(host_ptr self, const std::string& why);

/// Asks every live local node's worker for its snapshot (with its z when
/// `with_z`): `each` takes every answer, then `then` runs once all came
/// (at once when no node is live).
void collect_live_snapshots(host_ptr self, bool with_z,
                            std::function<void(const node_snapshot&)> each,
                            std::function<void()> then);

/// After a flush settled: this process's weights to process `to`.
void send_weights(host_ptr self, std::uint32_t to, double round);

/// The run is over here: the nodes' actors stop.
void stop_nodes(host_ptr self);

/// Delivers the run's end to the start request.
void finish_here(host_ptr self, runtime::run_summary summary);

/// Values in front of a result notice's per-node records, and per record:
/// head: round, live nodes, sent to dead, applied from dead, iterations,
/// loss sum, bytes sent, waits timed out, suspicions, comm wait, compute
/// seconds, pushes to other processes, their wire bytes, the weight the
/// live nodes started with, messages lost, messages duplicated, pushes dropped because their
/// node's process was dead; record: node, accuracy (-1: not evaluated), loss, w, iteration. Then
/// the sum of the evaluated nodes' z (one value per parameter) and the sum of their batch-norm
/// statistics (none without batch norm).
inline constexpr std::size_t result_head = 17;
inline constexpr std::size_t result_record = 5;

/// Every process joined (and is ready): this process's nodes start training.
void begin_training(host_ptr self);

// process_host_start.cpp: every process starts together.

/// This process joined and its nodes exist: it is ready (said to every
/// process once), and its nodes start once every live process is ready.
void at_start_barrier(host_ptr self);

/// A ready notice from a process (core/start_barrier.hpp).
void on_ready_notice(host_ptr self, const net::wire::notice& n);

/// While this process waits at the start barrier (ready_atom, every
/// ready_every): says it is ready again, logs whom it waits for, and
/// starts anyway once the wait ran past cluster.join_timeout.
void on_ready_tick(host_ptr self);

// process_host_rejoin.cpp: a restarted process rejoins.

/// Starts the nodes once they exist and every process joined and is ready
/// (at_start_barrier) or, when this process rejoins, the welcome was
/// applied.
void maybe_begin_training(host_ptr self);

/// (Survivor) a dead process is back as a new incarnation: readmitted while
/// this process trains (SGP, OSGP), kept out otherwise.
void on_back(host_ptr self, std::uint32_t process, std::uint64_t incarnation);

/// (Restarted process) a peer readmitted it: it waits for a welcome.
void on_rejoining(host_ptr self, std::uint32_t peer);

/// (Restarted process) a survivor's welcome: the cluster's view and iteration.
void on_welcome(host_ptr self, const net::wire::notice& n);

/// The bridge judged that this process, held dead by `peer`, is the one to
/// restart (core/cut_off.hpp): while training with SGP or OSGP the run here
/// ends with setup.restart set, and `sgp node` starts again to rejoin;
/// otherwise it ends with an error (ar-sgd lets no process rejoin).
void on_cut_off(host_ptr self, std::uint32_t peer, const std::string& why);

/// Writes a line to this process's metrics.jsonl (false: the run is aborted).
bool write_metrics_line(host_ptr self, const std::string& line);

/// Wall-clock seconds since the epoch (comparable across processes of a host).
double unix_seconds();

/// The run's seconds at `now` (this process's clock): since its start,
/// plus what the run had trained before it (a resume, a rejoin).
inline double run_seconds(const process_host_state& s, double now) {
  return now - s.start_time + std::max(0.0, s.seconds_before);
}

/// The highest iteration a local node reported.
std::uint64_t local_iteration(const process_host_state& s);

/// Spawns node `id`'s worker, compute and sender actors on `device` (with
/// `engine`, made here when null) and adds it to the local nodes; started
/// later (start_atom). `from`: where a resumed node starts (null: the
/// initial model, weight 1, iteration 0).
struct node_resume;
core::status spawn_local_node(host_ptr self, int id, int device,
                              std::shared_ptr<runtime::compute_engine> engine,
                              const node_resume* from = nullptr);

// process_host_nodes.cpp: node-level kill and revive (core/node_life.hpp).

/// A kill or revive command (the console's, a forwarded one, a fault's):
/// the node's process applies it and tells every process; another process
/// forwards a console's to it (`forward`) or leaves a fault to it. Returns
/// what happened, or "error: ..." when refused.
std::string node_command(host_ptr self, const core::command& c, const std::string& origin,
                         bool forward);

/// A node notice from the node's process: applied to this process's view once.
void on_node_notice(host_ptr self, const net::wire::notice& n);

/// algorithm.resend_on_timeout: local node `node`'s wait for `suspects`
/// expired; each live suspect sends its edge's running sums to `node`
/// again: a local one is asked here, another process's by a resend notice.
void request_resends(host_ptr self, int node, const std::vector<std::size_t>& suspects);

/// A resend notice: this process's node `from` sends its sums to `to` again.
void on_resend_notice(host_ptr self, const net::wire::notice& n);

// process_host_summary.cpp: the coordinator's summary.

/// Every live process's result is in: asks every process for its nodes'
/// distance to the averaged model (the consensus distance), evaluates the
/// averaged model, writes RUN_DIR/summary.json, tells the others to finish
/// and finishes.
void write_cluster_summary(host_ptr self);

/// A consensus notice (from the coordinator): this process's nodes'
/// largest distance to the averaged model goes back in a distance notice.
void on_consensus_notice(host_ptr self, const net::wire::notice& n);

/// A distance notice (coordinator), or the wait for them running out
/// (`timed_out`, after consensus_wait): the summary goes on once every
/// live process answered.
void on_distance(host_ptr self, const net::wire::notice* n, bool timed_out = false);

// process_host_consensus.cpp: the consensus distance during the run.

/// Coordinator, after each of its nodes' reports: when its nodes reached
/// the next multiple of output.consensus_every_iterations, asks every
/// process for the sum of its live nodes' models (a measure notice).
void maybe_measure_consensus(host_ptr self);

/// A measure notice: this process's live nodes' models are kept for the
/// measurement, and their sum goes back in a model_sum notice.
void on_measure_notice(host_ptr self, const net::wire::notice& n);

/// A model_sum notice (coordinator), or the wait for them running out or a
/// process dying (`n` null): once every live process answered, the
/// averaged model goes out in a consensus notice, and the distance comes
/// back as at the end; it is written to metrics.jsonl as a consensus line.
void on_model_sum(host_ptr self, const net::wire::notice* n, bool timed_out = false);

// process_host_checkpoint.cpp: checkpoints across processes.

/// Where a resumed node starts (a checkpoint's record).
struct node_resume {
  std::shared_ptr<const std::vector<float>> x;  ///< x = z * w
  double w = 1.0;
  std::uint64_t iteration = 0;
  std::uint64_t round = 0;
};

/// This process's checkpoint of the latest cut released (RUN_DIR/NAME/checkpoints/latest.ckpt).
std::string checkpoint_file(const process_host_state& s);
/// Written at the save, renamed to latest.ckpt only once every process
/// wrote its part (the release says so): a checkpoint given up leaves
/// every process's latest.ckpt at the one cut before.
std::string pending_file(const process_host_state& s);
/// What a checkpoint of this run must match (node count, model, seed, ...).
core::group_identity identity_of(const process_host_state& s);
bool is_ar_sgd(const process_host_state& s);

/// A resumed run (cfg.run.resume_from): this process's nodes' records from
/// its checkpoint, by node id, with their momentum and statistics set on
/// `engines` (by node id); an error names the file and what is wrong.
core::result<std::map<int, node_resume>> load_resume(
    host_ptr self, const std::map<int, std::shared_ptr<runtime::compute_engine>>& engines);

/// A resumed run, as training begins: the cut is the latest checkpoint of
/// any process (resumed_by, core::choose_cut). A process whose file is of
/// another cut was dead at it: its nodes start without mass at the cut's iteration and take it
/// from their in-neighbours, as a rejoined process's do; so do its nodes
/// without state in its file. Returns the cut (0: not resumed), or nothing
/// when the resume is refused and the run ends (no process held mass at
/// the cut). With ar-sgd, which starts no node without state, the nodes
/// of every process without state at the cut (core::out_at_resume) stay
/// out of the resumed run instead: every process takes them out of its
/// view, and such a process stays in the cluster without nodes.
std::optional<std::uint64_t> resume_cut(host_ptr self);

/// Tells `node` to stop after iteration `at` (a pause, or the stop's; 0:
/// none), and keeps it.
void hold_node(host_ptr self, local_node& node, std::uint64_t at);

/// Where `node` stops now: its hold (hold_node), or the run's last iteration.
std::uint64_t stop_limit(const process_host_state& s, const local_node& node);

/// The end (the final notice, nothing in flight): this process's live
/// nodes' state becomes its checkpoints/latest.ckpt (and a "checkpoint"
/// line), then `then` runs. A file that cannot be written, or a model that
/// is not finite, ends the run instead, naming it.
void write_end_checkpoint(host_ptr self, const std::string& cut, std::function<void()> then);

/// The console's `checkpoint`: the local nodes pause at `at` unless a
/// pause comes sooner (or the run is ending). Returns the pause they will
/// take (0: none).
std::uint64_t schedule_checkpoint(host_ptr self, std::uint64_t at);

/// After the nodes start (or a rejoin, or the end of a pause at `after`):
/// the local nodes' next pause, sent to them.
void arm_checkpoints(host_ptr self, std::uint64_t after);

/// The local nodes' next pause is `at` (0: none), sent to them.
void pause_nodes_at(host_ptr self, std::uint64_t at);

/// Every local node is done: paused for a checkpoint (a held notice to
/// every process) or finished (local_done).
void nodes_done(host_ptr self);

/// A held, save, saved or release notice.
void on_checkpoint_notice(host_ptr self, const net::wire::notice& n);

/// The coordinator starts the checkpoint once every live process paused
/// (a flush first, as the end does); after a process died, a flush under
/// way starts over and a save no longer waits for it.
void maybe_start_checkpoint(host_ptr self, bool process_died = false);

/// Coordinator: process `process` was readmitted (a restart). Its held and
/// saved marks are of its old life; a round in progress starts over, so
/// that it is flushed and asked for its part too.
void forget_process_round(host_ptr self, std::uint32_t process);

/// The coordinator's flushes of a checkpoint settled with `in_flight`
/// weight between nodes: every process writes its nodes' cut.
void checkpoint_cut(host_ptr self, double in_flight);

/// A pause that did not complete within checkpoint_wait is given up (on
/// the progress tick).
void check_checkpoint_wait(host_ptr self);

/// Asks the live processes to flush (a new round of the end's protocol).
void request_flush(host_ptr self);

// process_host_status.cpp: the status page and the console.

/// This process's view for the status page.
core::cluster_status process_status(host_ptr self);

/// A console line: status, stop and help; link down, up and set, partition,
/// heal and slow, applied here and sent to every process (the answer says
/// so); the rest refused by name.
std::string process_command(host_ptr self, const std::string& line);

/// Applies a link, partition, heal or slow command to this process's part
/// of the cluster (its senders' links, its view's link mask, its nodes'
/// compute); `origin` says who asked ("process p0", "[[faults]]"). Returns
/// what it did.
std::string apply_cluster_command(host_ptr self, const core::command& c, const std::string& origin);

/// Fires the scripted faults that are due (apply_cluster_command) at its
/// nodes' fastest iteration, or at `at` (a resume's cut, before its nodes start).
void fire_due_faults(host_ptr self, std::optional<std::uint64_t> at = std::nullopt);

/// Sends the view to the local workers and the peers to the local senders
/// and the bridge.
void broadcast_view(host_ptr self);

/// Sends an edge message (forgot, down, readmit) to the bridge and to its
/// sending half, each directly: the sending half must have it before the
/// pushes of the view that follows (a forget that reached it late, through
/// the bridge's mailbox, could erase a revived node's new edge).
template <class... Ts>
void tell_both_halves(host_ptr self, const Ts&... xs) {
  self->send(self->state.bridge, xs...);
  if (self->state.push_out) self->send(self->state.push_out, xs...);
}

/// Sends a notice through the bridge (to a process or all_processes).
void send_notice(host_ptr self, std::uint32_t to, net::wire::notice_topic topic,
                 std::string text = {}, std::vector<double> values = {});

}  // namespace sgp::actors
