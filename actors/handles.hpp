// The actors' typed interfaces (caf::typed_actor): the messages each accepts,
// checked by the compiler at every send. The worker, compute, sender,
// AllReduce and supervisor actors are typed; a cluster process's host and
// its bridge (process_host.hpp, bridge_actor.hpp) are not: each is cast
// where it stands in for a typed one (a worker's owner, a remote worker).
// docs/design.md §2.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/embedding.hpp"
#include "actors/messages.hpp"
#include "actors/process_reducer.hpp"
#include "core/cluster_status.hpp"
#include "core/command.hpp"
#include "core/gossip_node.hpp"
#include "runtime/run_summary.hpp"

namespace sgp::actors {

/// What a sender posts pushes to: a worker, or the bridge standing in for
/// a worker of another process.
using push_handle = caf::typed_actor<caf::reacts_to<push_atom, core::gossip_envelope>>;

/// The sender: pushes from its worker, its own timer ticks
/// (actors/transport_timer.hpp), link changes, and the peers' workers
/// (index = node id; a null handle for a node it cannot reach).
using sender_handle =
    caf::typed_actor<caf::reacts_to<send_atom, std::vector<core::gossip_envelope>>,
                     caf::reacts_to<tick_atom, std::uint64_t>,
                     caf::reacts_to<links_atom, link_update>,
                     caf::reacts_to<view_atom, std::vector<push_handle>>>;

/// The compute actor: steps from its worker, averages from the AllReduce
/// actor, the slow factor, evaluations, and the optimizer state (momentum,
/// batch-norm statistics) for checkpoints, revivals and the end.
using compute_handle = caf::typed_actor<
    caf::reacts_to<step_atom, std::uint64_t>,
    caf::reacts_to<avg_grad_atom, shared_floats, std::uint64_t>, caf::reacts_to<slow_atom, double>,
    caf::replies_to<eval_atom, shared_floats, std::vector<float>>::with<eval_result>,
    caf::replies_to<momentum_atom>::with<std::vector<float>>,
    caf::replies_to<state_atom>::with<std::shared_ptr<const core::optimizer_state>>,
    caf::replies_to<final_atom>::with<std::vector<float>>>;

/// The AllReduce actor (ar-sgd): gradients from the compute actors (node,
/// iteration, host copy or null), the live computes with their engines,
/// link changes. It answers a gradient's sender (avg_grad_atom).
using allreduce_handle = caf::typed_actor<
    caf::reacts_to<grad_atom, int, std::uint64_t, shared_floats>,
    caf::reacts_to<view_atom, std::vector<compute_handle>, std::vector<bool>, engine_list>,
    caf::reacts_to<links_atom, link_update>, caf::reacts_to<across_atom, process_reduction>,
    caf::reacts_to<tick_atom>>;

/// What a worker tells whoever runs its node (the supervisor, or a cluster
/// process's host): its reports, the end of its steps (or a pause: with
/// the node's iteration, so a late one for an earlier pause is told apart), the
/// in-neighbours it stopped waiting for, its edges to nodes that left.
using node_owner_handle =
    caf::typed_actor<caf::reacts_to<report_atom, iteration_report>,
                     caf::reacts_to<done_atom, int, std::uint64_t>,
                     caf::reacts_to<suspect_atom, int, std::vector<std::size_t>>,
                     caf::reacts_to<forgot_atom, int, std::vector<core::forgotten_edges>>>;

/// The worker: pushes (push_handle), its compute and sender, step results,
/// the sender's counters, its own wait timeouts, views, a donation to a
/// revived node, checkpoint pauses, flushes, a resend of one edge's sums (an
/// in-neighbour's wait for it expired), a rejoin of its process (start
/// over without mass), and its state when asked
/// (status, the end of the run, a kill).
using worker_handle = push_handle::extend<
    caf::reacts_to<start_atom, compute_handle, sender_handle>,
    caf::reacts_to<step_done_atom, double, double, double, double>,
    caf::reacts_to<report_atom, std::uint64_t, std::uint64_t>,
    caf::reacts_to<wait_atom, std::uint64_t>, caf::reacts_to<view_atom, core::membership_view>,
    caf::reacts_to<give_atom, int, double>, caf::reacts_to<hold_atom, std::uint64_t>,
    caf::reacts_to<flush_atom>, caf::reacts_to<resend_atom, int>,
    caf::reacts_to<rejoin_atom, core::membership_view, std::uint64_t>,
    caf::reacts_to<rejoin_atom, std::uint64_t>,
    caf::reacts_to<restore_atom, shared_floats, double, std::uint64_t, std::uint64_t>,
    caf::replies_to<status_atom>::with<node_snapshot>,
    caf::replies_to<final_atom, bool>::with<node_snapshot>,
    caf::replies_to<stop_atom>::with<node_snapshot>>;

/// A subscriber of the supervisor's typed events (actors/embedding.hpp).
using listener_handle = caf::typed_actor<caf::reacts_to<iteration_event>,
                                         caf::reacts_to<action_event>, caf::reacts_to<run_end>>;

/// The supervisor: its workers' messages (node_owner_handle), the embedding
/// API (actors/embedding.hpp, actors/supervisor_actor.hpp), and its own
/// timers (tick; flush: the final drain's next check).
using supervisor_handle = node_owner_handle::extend<
    caf::replies_to<start_atom>::with<runtime::run_summary>,
    caf::replies_to<command_atom, std::string>::with<std::string>,
    caf::replies_to<command_atom, core::command>::with<command_outcome>,
    caf::replies_to<status_atom>::with<core::cluster_status>,
    caf::reacts_to<subscribe_atom, caf::actor>, caf::reacts_to<unsubscribe_atom, caf::actor>,
    caf::reacts_to<stop_atom>, caf::reacts_to<flush_atom>, caf::reacts_to<tick_atom>>;

}  // namespace sgp::actors
