// Console and scripted link commands as changes to the emulated links: the
// link updates a command makes, applying one to an emulator, the view's
// link mask from the emulator, and what each command says it did. Shared
// by the one-process supervisor, a cluster's process host, the senders and
// the AllReduce actor.
#pragma once

#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "core/command.hpp"
#include "core/link_mask.hpp"
#include "net/link_emulator.hpp"

namespace sgp::actors {

/// Applies a supervisor's link change to an emulator.
void apply_link_update(net::link_emulator& links, const link_update& update);

/// The link changes a console command makes, in order (link down and up,
/// link set, both directions when symmetric; partition; heal), given the
/// links as they are (link set keeps what the command leaves unset); none
/// for the other commands.
std::vector<link_update> link_updates_of(const core::command& c, const net::link_emulator& links);

/// Sets `mask` (n x n) from the emulator's up/down state of every link, so
/// that the schedule routes around the links that are down.
void mask_from_links(core::link_mask& mask, const net::link_emulator& links);

/// What a link down or up, partition or heal command did, e.g.
/// "link 0 <-> 3 down", "partitioned into 2 groups", "partition healed".
std::string link_state_text(const core::command& c);

/// What a link set did: the link's properties now, from `links` (after).
std::string link_set_text(const core::command& c, const net::link_emulator& links);

/// What a slow command did: "node N computes Fx slower".
std::string slow_text(const core::command& c);

}  // namespace sgp::actors
