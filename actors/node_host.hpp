// The node host: the nodes a process runs, their compute engines (each on
// its GPU), each node's worker, compute and sender actors, and the local
// AllReduce actor (ar-sgd). The supervisor owns one and spawns through it,
// so that it monitors what is spawned; which nodes are live is the
// supervisor's (the membership view): the host builds and wires.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/handles.hpp"
#include "actors/messages.hpp"
#include "actors/worker_actor.hpp"
#include "core/gossip_node.hpp"
#include "core/result.hpp"
#include "data/dataset.hpp"
#include "net/link_emulator.hpp"
#include "net/wire/push_codec.hpp"
#include "runtime/compute_engine.hpp"

namespace sgp::actors {

/// The three actors of one node, and its compute engine (for the AllReduce
/// actor, which averages on the node's device when it can).
struct node_actors {
  worker_handle worker;
  compute_handle compute;
  sender_handle sender;
  std::shared_ptr<runtime::compute_engine> engine;
};

/// What a node's actors start from besides its model and weight.
struct node_start {
  core::gossip_options gossip;
  core::membership_view view;
  worker_setup setup;  ///< with the node's start iteration and round
  net::link_emulator links{1, {}, 0};
  double duplicate = 0.0;                              ///< network.duplicate
  std::uint64_t seed = 0;                              ///< the sender's
  net::wire::dtype wire_type = net::wire::dtype::f32;  ///< how a push travels (push_wire_type)
};

class node_host {
 public:
  /// What every node is built from: node i's engine on devices[i % size];
  /// `own_compute_threads`: compute actors on threads of their own
  /// (backend.compute_threads, resolved by the supervisor).
  void configure(std::shared_ptr<const data::dataset> train,
                 std::shared_ptr<const data::dataset> test, runtime::compute_setup compute,
                 std::vector<int> devices, bool own_compute_threads, std::size_t n);

  /// Node `id`'s compute engine, on its GPU.
  [[nodiscard]] core::result<std::shared_ptr<runtime::compute_engine>> make_engine(int id) const;

  /// Every node's compute engine.
  [[nodiscard]] core::result<engine_list> make_engines() const;

  /// Spawns the AllReduce actor, on the GPUs with NCCL when every node's
  /// backend can take part, else on the host (given no engine: gradients
  /// come by message); says which and why.
  void start_allreduce(supervisor_handle::pointer self, const net::link_emulator& links,
                       const engine_list& engines);

  /// Spawns node `id`'s actors (a new incarnation replaces the old) with x,
  /// w on `engine` (made here when null), monitored by `self`.
  [[nodiscard]] core::status spawn(supervisor_handle::pointer self, int id,
                                   std::shared_ptr<const std::vector<float>> x, double w,
                                   std::shared_ptr<runtime::compute_engine> engine,
                                   node_start start);

  /// Lets node `id`'s worker start (after its sender knows the peers).
  void start(supervisor_handle::pointer self, int id) const;

  /// Sends `view` to every live worker, the live workers to every live
  /// sender, and the live computes (with their engines on the device path)
  /// to the AllReduce actor. A dead node's engine is let go here.
  void send_view(supervisor_handle::pointer self, const core::membership_view& view);

  /// Sends a link change to every live sender and to the AllReduce actor.
  void send_links(supervisor_handle::pointer self, const std::vector<bool>& live,
                  const link_update& u) const;

  /// Ends every node's actors and the AllReduce actor.
  void stop_all(supervisor_handle::pointer self) const;

  /// Node `i`'s actors (of its current incarnation).
  [[nodiscard]] const node_actors& node(std::size_t i) const { return nodes_[i]; }
  [[nodiscard]] const std::vector<node_actors>& nodes() const { return nodes_; }
  [[nodiscard]] bool empty() const { return nodes_.empty(); }
  [[nodiscard]] const allreduce_handle& allreduce() const { return allreduce_; }

 private:
  std::shared_ptr<const data::dataset> train_;
  std::shared_ptr<const data::dataset> test_;
  runtime::compute_setup compute_;
  std::vector<int> devices_;
  bool own_compute_threads_ = false;
  std::vector<node_actors> nodes_;
  allreduce_handle allreduce_;
  bool device_grads_ = false;  ///< ar-sgd averages gradients on the GPUs (NCCL)
};

}  // namespace sgp::actors
