// The messages of the actor runtime: atoms and payloads. Control-plane
// payloads (views, commands, reports, link updates, evaluation results,
// forgotten edges, status) are serializable: they have inspect() overloads
// (here and in actors/message_inspect.hpp) and type names
// (actors/message_types.hpp). Bulk payloads (gossip envelopes, shared model
// and gradient buffers, snapshots with a model, optimizer state, engines,
// the run summary) stay in one process and are allowed as "unsafe" message
// types; between processes the data plane carries bulk data as wire frames
// (net/wire), never CAF.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/message_inspect.hpp"
#include "core/cluster_status.hpp"
#include "core/command.hpp"
#include "core/gossip_node.hpp"
#include "net/link_emulator.hpp"
#include "runtime/run_summary.hpp"

namespace sgp::runtime {
class compute_engine;
}  // namespace sgp::runtime

namespace sgp::actors {

/// Each node's compute engine by node id (null for dead nodes): the view that
/// the AllReduce actor gets, so that it can average gradients on the devices.
using engine_list = std::vector<std::shared_ptr<runtime::compute_engine>>;

// compute <-> worker
using step_atom = caf::atom_constant<caf::atom("step")>;  ///< worker -> compute: z, iteration
using step_done_atom = caf::atom_constant<caf::atom("stepdone")>;  ///< compute -> worker
/// compute -> allreduce: node, iteration and a host copy of the gradient,
/// or null when it stays on the device for gpu::device_allreduce.
using grad_atom = caf::atom_constant<caf::atom("grad")>;
/// allreduce -> compute: the average, or null when it was averaged in place
/// on the device (gpu::device_allreduce).
using avg_grad_atom = caf::atom_constant<caf::atom("avggrad")>;
using slow_atom = caf::atom_constant<caf::atom("slow")>;  ///< supervisor -> compute
using eval_atom = caf::atom_constant<caf::atom("eval")>;  ///< evaluate a model
// worker <-> sender <-> peers
using push_atom = caf::atom_constant<caf::atom("push")>;    ///< an envelope for a worker
using send_atom = caf::atom_constant<caf::atom("send")>;    ///< worker -> sender
using links_atom = caf::atom_constant<caf::atom("links")>;  ///< link settings for senders
using give_atom = caf::atom_constant<caf::atom("give")>;    ///< supervisor -> donor worker
// supervision
using view_atom = caf::atom_constant<caf::atom("view")>;        ///< a membership view
using report_atom = caf::atom_constant<caf::atom("report")>;    ///< worker -> supervisor
using suspect_atom = caf::atom_constant<caf::atom("suspect")>;  ///< worker -> supervisor
/// supervisor -> worker: send the edge to node N its running sums again
using resend_atom = caf::atom_constant<caf::atom("resend")>;
using forgot_atom = caf::atom_constant<caf::atom("forgot")>;  ///< worker -> supervisor
using done_atom = caf::atom_constant<caf::atom("done")>;      ///< worker -> supervisor
using final_atom = caf::atom_constant<caf::atom("final")>;    ///< supervisor -> worker: state?
using tick_atom = caf::atom_constant<caf::atom("tick")>;      ///< timers
/// supervisor -> worker: mix in held shares, resend the running sums (before
/// the final evaluation); supervisor -> itself: check that they arrived.
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using wait_atom = caf::atom_constant<caf::atom("wait")>;  ///< worker's wait timeout
/// supervisor: -> core::cluster_status (the status page); worker: -> node_snapshot
using status_atom = caf::atom_constant<caf::atom("status")>;
using command_atom = caf::atom_constant<caf::atom("command")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using result_atom = caf::atom_constant<caf::atom("result")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
/// supervisor -> worker: pause once this many iterations are done (for a
/// checkpoint; 0: no pause); the pause is reported as done_atom.
using hold_atom = caf::atom_constant<caf::atom("hold")>;
/// supervisor -> compute: the node's momentum (for a checkpoint)
using momentum_atom = caf::atom_constant<caf::atom("momentum")>;
/// worker -> compute: the node's optimizer state, for a revived node
/// (answered between two steps; see worker_actor.cpp's give)
using state_atom = caf::atom_constant<caf::atom("optstate")>;
/// cluster host -> worker: this process rejoins a running cluster: start
/// over without mass (x = 0, w = 0) in this view, and join the rounds at
/// the first push (at an iteration no lower than the one given). With the
/// iteration alone: a node still waiting for its first push joins no lower
/// than that (a later welcome of a cluster further on); a node that joined
/// already ignores it.
using rejoin_atom = caf::atom_constant<caf::atom("rejoin")>;

/// A flat float vector shared between actors without copying.
using shared_floats = std::shared_ptr<const std::vector<float>>;

/// cluster host -> worker, before the start: the node's state is a
/// checkpoint's record after all (x = z * w, w, iteration, round): a
/// resumed process whose latest.ckpt is a cut behind the cluster's, while
/// its next.ckpt holds that cut (it crashed before its rename).
using restore_atom = caf::atom_constant<caf::atom("restore")>;

/// What a worker reports after each iteration (metrics and progress).
struct iteration_report {
  int node = 0;
  std::uint64_t iteration = 0;  ///< completed iterations
  double time = 0.0;            ///< seconds since the start
  double loss = 0.0;
  double lr = 0.0;
  double w = 0.0;
  double comm_wait = 0.0;  ///< seconds this iteration waited for in-neighbours
  double compute_seconds = 0.0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t messages_late = 0;       ///< waits that timed out (cumulative)
  std::uint64_t messages_lost = 0;       ///< dropped by the links (cumulative, as sender)
  std::uint64_t messages_duplicate = 0;  ///< received twice or overtaken (cumulative)
  std::vector<std::size_t> out_peers;
  /// Seconds the group had paused for checkpoints before this report (set by
  /// the supervisor; time per iteration leaves them out).
  double paused = 0.0;
};

/// A worker's state when asked (status, the end of a run, a kill).
struct node_snapshot {
  int node = 0;
  bool live = true;
  std::uint64_t iteration = 0;
  std::uint64_t round = 0;  ///< the next round to push (reference OSGP)
  double w = 0.0;
  double loss = 0.0;
  shared_floats z;                     ///< de-biased model (only when asked for)
  std::vector<double> sent_weight;     ///< cumulative weight sent to each node
  std::vector<double> applied_weight;  ///< cumulative weight applied from each node
  std::vector<float> running_stats;
};

/// Link settings that the supervisor sends to every sender.
struct link_update {
  enum class what { defaults, link, up, down, partition, heal } kind = what::defaults;
  int from = -1;
  int to = -1;
  net::link_properties properties;
  std::vector<std::vector<int>> groups;
};

/// Evaluation result of one model.
struct eval_result {
  int node = -1;  ///< -1 for the averaged model
  double accuracy = 0.0;
  double loss = 0.0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, iteration_report& x) {
  return f(caf::meta::type_name("iteration_report"), x.node, x.iteration, x.time, x.loss, x.lr, x.w,
           x.comm_wait, x.compute_seconds, x.bytes_sent, x.messages_late, x.messages_lost,
           x.messages_duplicate, x.out_peers, x.paused);
}

/// For CAF's stringification of a message.
inline std::string to_string(link_update::what k) {
  switch (k) {
    case link_update::what::defaults:
      return "defaults";
    case link_update::what::link:
      return "link";
    case link_update::what::up:
      return "up";
    case link_update::what::down:
      return "down";
    case link_update::what::partition:
      return "partition";
    case link_update::what::heal:
      return "heal";
  }
  return "?";
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, link_update& x) {
  return f(caf::meta::type_name("link_update"), x.kind, x.from, x.to, x.properties, x.groups);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, eval_result& x) {
  return f(caf::meta::type_name("eval_result"), x.node, x.accuracy, x.loss);
}

}  // namespace sgp::actors

// In-process only (see the top of this file).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::actors::shared_floats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::actors::engine_list)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::core::gossip_envelope)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<sgp::core::gossip_envelope>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::actors::node_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::runtime::run_summary)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const sgp::core::optimizer_state>)
