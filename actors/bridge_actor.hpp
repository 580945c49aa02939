// The bridge: this process's door to the others. Local senders address a
// node of another process as they would a local worker (push_atom with a
// gossip envelope) to the bridge's sending half (actors/push_out_actor.hpp,
// a thread of its own), which turns the running sum into an acknowledged
// delta (net/remote_edges.hpp) and hands the frame to the data plane. Frames
// from other processes come back as messages (frame_atom): pushes go on to
// the local workers as running sums, acks to the edges, notices to the host.
// It sends heartbeats and declares a process dead after process_timeout of
// silence with its connection closed (five times that while the connection
// stays open: a process starved of CPU is slow, not dead; silence is not
// counted while this process itself did not run), or sooner when the
// connection to it broke and it went silent
// (a killed process: the kernel closes its sockets), or after join_timeout
// without ever being heard; its edges are forgotten. A peer's frames reach
// no actor until it has sent the same settings as this process's. Store
// notices (ar-sgd's rendezvous) go to the rendezvous store, which may
// answer the sender.
//
// Rejoining: every settings notice carries this process's incarnation (its
// start time), the incarnation it knows of the receiver (0: none yet; a
// notice for an earlier life of the receiver, queued while it was down, is
// dropped) and whether it readmitted the receiver. A dead process heard
// again as a new incarnation with the same settings is offered to the host
// (back_atom); the host readmits it (readmit_atom) or keeps it out. A
// process that a peer readmitted tells its host it is rejoining.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "actors/cluster_messages.hpp"
#include "actors/handles.hpp"
#include "actors/messages.hpp"
#include "core/process_rejoin.hpp"
#include "net/frame_transport.hpp"
#include "net/remote_edges.hpp"
#include "net/rendezvous_store.hpp"
#include "net/wire/frame.hpp"

namespace sgp::actors {

struct bridge_setup {
  std::uint32_t process = 0;
  std::vector<std::string> process_names;   ///< by process index (for messages)
  std::vector<std::uint32_t> node_process;  ///< the process of each node
  core::delta_precision precision = core::delta_precision::f32;
  /// The backend's (gpu::host_pinning_of): the sums forwarded to local
  /// workers are pinned, a GPU uploads them by DMA. Null: none.
  std::shared_ptr<const core::host_pinning> pinning;
  double process_timeout = 1.0;  ///< seconds of silence: dead
  double join_timeout = 60.0;    ///< seconds to hear from every process at start
  std::chrono::milliseconds heartbeat_every{100};
  /// This process's settings (config/settings_text.hpp): a peer joins only
  /// once it sent the same.
  std::string settings;
  /// ar-sgd's rendezvous (net/rendezvous_store.hpp): store notices go
  /// there, not to the host; null: none.
  std::shared_ptr<net::rendezvous_store> store;
  /// This process's incarnation (its start time in microseconds): a
  /// restarted process has a new one.
  std::uint64_t incarnation = 1;
};

struct bridge_state {
  bridge_setup setup;
  net::frame_transport* transport = nullptr;  ///< owned by the runner, outlives the bridge
  caf::actor host;
  /// The sending half (actors/push_out_actor.hpp): out-edges, on a thread of its own.
  caf::actor out;
  /// In-edges only; made at the first push received (its size is the model's).
  std::unique_ptr<net::remote_edges> edges;
  std::vector<push_handle> workers;  ///< local workers by node id (null elsewhere)
  net::wire::frame_decoder decoder;
  double started = 0.0;
  std::vector<double> last_heard;  ///< seconds, per process (-1: never)
  double tick_due = 0.0;           ///< when the next heartbeat tick is due
  std::vector<bool> dead;
  std::vector<bool> said_back;             ///< "came back" was logged for a dead process
  std::vector<double> back_heard;          ///< when a dead process was first heard again (-1: not)
  core::process_lives lives{0};            ///< the peers' incarnations
  std::vector<std::uint64_t> readmitted;   ///< the incarnation this process readmitted (0: none)
  std::vector<double> settings_until;      ///< our settings go to it until then (a readmitted peer)
  bool told_rejoining = false;             ///< the host knows a peer readmitted this process
  bool told_cut_off = false;               ///< the host knows this process is to restart
  std::uint64_t stale_settings = 0;        ///< settings notices for an earlier life of this process
  std::vector<bool> verified;              ///< sent the same settings: its frames are taken
  std::vector<std::uint64_t> disconnects;  ///< the transport's count, last seen
  std::vector<double> broken_at;           ///< when our connection to it broke (-1: not)
  std::uint64_t unverified_frames = 0;     ///< dropped: from a peer not verified yet
  std::vector<std::uint64_t> earlier_said;  ///< the earlier life last logged, per peer
  bool all_joined = false;
  std::uint64_t heartbeat_seq = 0;
  std::uint64_t unroutable = 0;  ///< pushes for nodes without a worker here
  static inline const char* name = "sgp.bridge";
};

/// `out` is the sending half (push_out_actor), linked to the bridge: pushes
/// that local senders address to the bridge go on to it.
caf::behavior bridge_actor(caf::stateful_actor<bridge_state>* self, bridge_setup setup,
                           net::frame_transport* transport, caf::actor host, caf::actor out);

}  // namespace sgp::actors
