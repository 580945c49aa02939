// The runtime as a library for CAF applications: spawn a training group in
// your own actor_system and talk to its supervisor by typed messages
// (actors/embedding.hpp lists them all).
//
//   auto group = sgp::actors::spawn_training_group(sys, cfg);
//   caf::scoped_actor self{sys};
//   // events: iteration_event per node iteration, action_event per fault or
//   // command, run_end last (subscribe before the start, from the same sender)
//   self->send(group->supervisor, sgp::actors::subscribe_atom::value, listener);
//   self->request(group->supervisor, caf::infinite, sgp::actors::start_atom::value)
//       .receive([](const sgp::runtime::run_summary& s) { ... }, ...);
//
//   // while it trains (an actor of yours, or a scoped_actor): a fault as a typed command
//   sgp::core::command kill;
//   kill.kind = sgp::core::command_kind::kill;
//   kill.node = 3;
//   self->request(group->supervisor, caf::infinite, sgp::actors::command_atom::value, kill)
//       .receive([](const sgp::actors::command_outcome& o) { /* o.applied, o.message */ }, ...);
//   // (status_atom) -> core::cluster_status: every node, edge and rate
//
// apps/embed_example.cpp is a whole program that does this.
#pragma once

#include <caf/all.hpp>

#include <memory>

#include "actors/embedding.hpp"
#include "actors/handles.hpp"
#include "actors/messages.hpp"
#include "actors/supervisor_actor.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "data/dataset.hpp"
#include "runtime/run_summary.hpp"

namespace sgp::actors {

/// A spawned (not yet started) training group.
struct training_group {
  /// Typed (actors/handles.hpp): a message it does not take is a compile error.
  /// (start_atom) -> run_summary; (command_atom, core::command) -> command_outcome;
  /// (status_atom) -> core::cluster_status; (subscribe_atom, actor): typed
  /// events (actors/embedding.hpp); (command_atom, line) -> console text.
  supervisor_handle supervisor;
  std::shared_ptr<const data::dataset> train;
  std::shared_ptr<const data::dataset> test;
};

/// Loads the config's datasets and spawns the group's supervisor in `sys`.
/// Nothing trains until the supervisor gets (start_atom).
core::result<training_group> spawn_training_group(caf::actor_system& sys,
                                                  const config::config& cfg);

/// Same, with datasets already in memory (tests, embedding applications).
training_group spawn_training_group(caf::actor_system& sys, const config::config& cfg,
                                    std::shared_ptr<const data::dataset> train,
                                    std::shared_ptr<const data::dataset> test);

}  // namespace sgp::actors
