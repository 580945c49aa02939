// The runtime as a library for CAF applications: spawn a training group in
// your own actor_system and talk to its supervisor.
//
//   auto group = sgp::actors::spawn_training_group(sys, cfg);
//   caf::scoped_actor self{sys};
//   self->request(group->supervisor, caf::infinite, sgp::actors::command_atom::value,
//                 std::string("status")).receive(...);
//   self->request(group->supervisor, caf::infinite, sgp::actors::start_atom::value)
//       .receive([](const sgp::actors::run_summary& s) { ... }, ...);
//
// apps/embed_example.cpp is a whole program that does this.
#pragma once

#include <caf/all.hpp>

#include <memory>

#include "actors/messages.hpp"
#include "actors/run_summary.hpp"
#include "actors/supervisor_actor.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "data/dataset.hpp"

namespace sgp::actors {

/// A spawned (not yet started) training group.
struct training_group {
  caf::actor supervisor;  ///< (start_atom) -> run_summary; (command_atom, line) -> text
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
