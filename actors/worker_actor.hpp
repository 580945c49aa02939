// The worker actor: one per node. Owns the node's push-sum state (x, w, the
// running sums; core::gossip_node) and the mailbox that accepts pushes from
// in-neighbours at any time. It hands the de-biased model to the compute
// actor, applies the returned step, gives the outgoing shares to the sender
// and reports every iteration to the supervisor. It never blocks: waiting
// for in-neighbours is a state, ended by their messages or a timeout.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <memory>
#include <optional>

#include "actors/handles.hpp"
#include "actors/messages.hpp"
#include "config/config.hpp"
#include "config/settings.hpp"
#include "core/gossip_node.hpp"
#include "runtime/compute_engine.hpp"

namespace sgp::actors {

/// Settings that every worker of a group shares.
struct worker_setup {
  std::uint64_t total_iterations = 0;
  caf::timespan wait_timeout = std::chrono::seconds(2);  ///< then suspect, go on
  /// algorithm.resend_on_timeout: expired waits that report the suspects
  /// (whose resends the owner asks for) and wait once more, before the
  /// node goes on without them.
  int resend_waits = 0;
  /// A resumed node continues at this iteration and round (a checkpoint's).
  std::uint64_t start_iteration = 0;
  std::uint64_t start_round = 0;
  /// Pause once this many iterations are done, for a checkpoint (0: never
  /// before total_iterations); the supervisor moves it on with hold_atom.
  std::uint64_t hold_at = 0;
};

/// The waits of a group's workers from its config: algorithm.wait_timeout
/// and, with algorithm.resend_on_timeout, algorithm.resend_attempts.
void set_waits(worker_setup& setup, const config::config& cfg, const config::settings& settings);

struct worker_state {
  std::optional<core::gossip_node> node;
  std::shared_ptr<runtime::compute_engine> engine;  ///< z and delta buffers, shared with compute
  worker_setup setup;
  compute_handle compute;
  sender_handle sender;
  node_owner_handle supervisor;  ///< the supervisor, or a cluster process's host
  bool computing = false;
  bool joining = false;  ///< revived: waits for its donor's share
  /// Rejoining (a restarted cluster process): no mass, joins the rounds at
  /// the first push from an in-neighbour, at no lower an iteration than this.
  bool join_on_push = false;
  std::uint64_t join_at_least = 0;
  core::gossip_options options;  ///< to start over (a rejoin)
  bool done_reported = false;
  std::uint64_t wait_token = 0;
  bool waiting = false;
  int waits_expired = 0;  ///< of the wait in progress (resend_waits)
  double wait_started = 0.0;
  double comm_wait = 0.0;  ///< of the iteration in progress
  std::uint64_t messages_late = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t messages_lost = 0;
  double last_loss = 0.0;
  /// Pushes that arrived before the start: applied at the start, after
  /// what the owner sets up until then (a rejoin, a resume's restore),
  /// which would otherwise start the node over and lose their mass.
  std::vector<core::gossip_envelope> before_start;
  static inline const char* name = "sgp.worker";
};

/// A node's worker, starting from `x`, `w` (0 for a revived node that waits
/// for its donor). x lives in a mass space on `engine`'s backend. `compute`
/// and `sender` are attached with (start_atom, ...).
worker_handle::behavior_type worker_actor(worker_handle::stateful_pointer<worker_state> self,
                                          int node, std::shared_ptr<runtime::compute_engine> engine,
                                          std::shared_ptr<const std::vector<float>> x, double w,
                                          core::gossip_options options, core::membership_view view,
                                          worker_setup setup, node_owner_handle supervisor);

}  // namespace sgp::actors
