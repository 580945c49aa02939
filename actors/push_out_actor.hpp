// The bridge's sending half: pushes from this process's nodes to nodes of
// other processes. Each becomes an acknowledged delta (net::remote_edges'
// out-edges: a download of a GPU's running sum, a pass that rounds
// T - C_a) and goes to the data plane. It runs on a thread of its own
// (spawned detached), beside the bridge, which receives: a process sends
// and receives a model-sized push per iteration, and on one actor the two
// waited for each other. Local senders address it as the remote nodes'
// worker (push_handle); the bridge hands it the acks that come back and
// tells it which processes are dead and which edges to forget.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/cluster_messages.hpp"
#include "actors/messages.hpp"
#include "core/edge_delta.hpp"
#include "net/frame_transport.hpp"
#include "net/remote_edges.hpp"
#include "net/wire/control_codec.hpp"

namespace sgp::actors {

struct push_out_setup {
  std::uint32_t process = 0;                ///< this one
  std::size_t processes = 1;                ///< in the cluster
  std::vector<std::uint32_t> node_process;  ///< the process of each node
  core::delta_precision precision = core::delta_precision::f32;
  /// The backend's (gpu::host_pinning_of): T of each out-edge is pinned. Null: none.
  std::shared_ptr<const core::host_pinning> pinning;
};

struct push_out_state {
  push_out_setup setup;
  net::frame_transport* transport = nullptr;  ///< owned by the runner, outlives the actor
  std::unique_ptr<net::remote_edges> edges;   ///< out-edges only; made at the first push
  std::vector<bool> dead;                     ///< by process
  std::uint64_t dropped_to_dead = 0;          ///< pushes for a dead process's nodes
  static inline const char* name = "sgp.push_out";
};

/// Messages: (push_atom, envelope) from local senders; from the bridge
/// (frame_atom, ack), (forgot_atom, node), (down_atom, process),
/// (readmit_atom, process, incarnation); (status_atom) ->
/// data_plane_counters (its edges' sending counters, pushes dropped for
/// dead processes).
caf::behavior push_out_actor(caf::stateful_actor<push_out_state>* self, push_out_setup setup,
                             net::frame_transport* transport);

}  // namespace sgp::actors
