// The messages between a cluster process's host actor and its bridge to the
// other processes (see bridge_actor.hpp, process_host.hpp). They stay in the
// process: the other processes are reached through the data plane's frames.
#pragma once

#include <caf/all.hpp>

#include <cstddef>
#include <cstdint>

#include "net/frame_transport.hpp"
#include "net/remote_edges.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/notice_codec.hpp"

namespace sgp::actors {

/// transport's I/O thread -> bridge: a received, checked frame.
using frame_atom = caf::atom_constant<caf::atom("frame")>;
/// host -> bridge: a notice to send (to a process, or to all: all_processes);
/// bridge -> host: a notice received.
using notice_atom = caf::atom_constant<caf::atom("notice")>;
/// bridge -> host: a process was declared dead (silent, or never joined), and why;
/// host -> bridge (process only): the process is dead in the cluster's view
/// (a welcome said so): do not wait for it to join.
using down_atom = caf::atom_constant<caf::atom("down")>;
/// bridge -> host: every other process has been heard from: training may start.
using joined_atom = caf::atom_constant<caf::atom("joined")>;
/// bridge -> host: a process may not join (its settings differ): the run cannot start.
using refused_atom = caf::atom_constant<caf::atom("refused")>;
/// bridge -> host: a dead process is back as a new incarnation (restarted),
/// with the same settings: (back_atom, process, incarnation).
using back_atom = caf::atom_constant<caf::atom("back")>;
/// host -> bridge: let the process back in as that incarnation
/// (readmit_atom, process, incarnation).
using readmit_atom = caf::atom_constant<caf::atom("readmit")>;
/// bridge -> host: a peer readmitted this process (it was restarted): it
/// rejoins a running cluster, and waits for a welcome notice.
/// Bridge -> host: a peer holds this process dead and it is the one to
/// restart (core/cut_off.hpp): (cut_off_atom, peer, why).
using cut_off_atom = caf::atom_constant<caf::atom("cutoff")>;
using rejoining_atom = caf::atom_constant<caf::atom("rejoining")>;

/// process host -> itself, while it waits at the start barrier: say ready
/// again, and check the wait's bound (on_ready_tick).
using ready_atom = caf::atom_constant<caf::atom("ready")>;

/// coordinator -> itself: the wait for a consensus round's distance notices
/// is over (consensus_atom, round: an end round, or -iteration during the
/// run).
using consensus_atom = caf::atom_constant<caf::atom("consensus")>;
/// coordinator -> itself: the wait for a measurement's model sums is over
/// (measure_atom, -iteration).
using measure_atom = caf::atom_constant<caf::atom("measure")>;

/// AllReduce actor -> process reducer: sum (iteration, values, live
/// processes) across the processes; answered with the sum or an error.
using reduce_atom = caf::atom_constant<caf::atom("reduce")>;
/// process host -> AllReduce actor: sum across processes too
/// (process_reduction).
using across_atom = caf::atom_constant<caf::atom("across")>;

inline constexpr std::uint32_t all_processes = 0xffffffffu;

/// The data plane's counters: the push-out half's answer to status_atom
/// (its edges' sending counters), and the bridge's (the same, with the
/// receiving counters of its own edges: applied_in, not_applied_in,
/// malformed_in, pushes_in).
struct data_plane_counters {
  net::remote_edge_counters edges;
  std::uint64_t dropped_to_dead = 0;  ///< pushes for a process held dead, never sent
};

}  // namespace sgp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::net::received_frame)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::actors::data_plane_counters)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::net::wire::notice)
/// bridge -> its sending half: an ack that came back for one of its out-edges.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::net::wire::ack)
