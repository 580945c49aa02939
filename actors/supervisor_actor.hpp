// The supervisor: one per training group. Spawns the nodes, keeps the
// membership view and the link states, detects failures (monitors and
// heartbeats), runs scripted faults and console commands, aggregates metrics
// and progress, and ends the run with an evaluation and a summary.
//
// Messages it answers (its typed interface: handles.hpp, supervisor_handle,
// which also takes its workers' reports):
//   (start_atom)              -> run_summary when the run ends (or an error)
//   (command_atom, string)    -> the console's reply text
//   (command_atom, command)   -> command_outcome (typed: actors/embedding.hpp)
//   (subscribe_atom, actor)   the actor gets the typed events (unsubscribe_atom)
//   (stop_atom)               -> ends the run early (the start reply follows)
//   (status_atom)             -> core::cluster_status (the status page)
#pragma once

#include <caf/all.hpp>

#include <memory>

#include "actors/supervisor_state.hpp"

namespace sgp::actors {

supervisor_handle::behavior_type supervisor_actor(supervisor_ptr self, config::config cfg,
                                                  std::shared_ptr<const data::dataset> train,
                                                  std::shared_ptr<const data::dataset> test);

}  // namespace sgp::actors
