// The actors' typed interfaces (caf::typed_actor): the messages each accepts,
// checked by the compiler at every send. Today the sender's; the worker,
// compute and supervisor still take dynamically typed messages
// (docs/design.md §2 lists them).
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <vector>

#include "actors/messages.hpp"

namespace sgp::actors {

/// The sender: pushes from its worker, its own timer ticks
/// (actors/transport_timer.hpp), link changes, and the peers' workers
/// (index = node id; a null handle for a node it cannot reach).
using sender_handle =
    caf::typed_actor<caf::reacts_to<send_atom, std::vector<core::gossip_envelope>>,
                     caf::reacts_to<tick_atom, std::uint64_t>,
                     caf::reacts_to<links_atom, link_update>,
                     caf::reacts_to<view_atom, std::vector<caf::actor>>>;

}  // namespace sgp::actors
