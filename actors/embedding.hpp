// The typed embedding API: the messages an application exchanges with a
// training group's supervisor (actors/training_group.hpp), so that it acts
// on the run and follows it without console text to parse.
//
// Requests the supervisor answers:
//   (command_atom, core::command)     -> command_outcome
//   (status_atom)                     -> core::cluster_status
//   (subscribe_atom, caf::actor)      -> (nothing): the actor gets the events below
//   (unsubscribe_atom, caf::actor)    -> (nothing): it gets no more
// Events a subscriber receives, in the order they happened:
//   iteration_event   one per node and iteration (metrics.jsonl's "train" line)
//   action_event      a fault or command carried out or refused ("fault",
//                     "command" lines): scripted, console, typed, or the
//                     supervisor's own (a silent or dead node)
//   run_end           last: the run's summary, or why it failed
// A subscriber that exits is dropped (the supervisor monitors it).
#pragma once

#include <caf/all.hpp>

#include <string>

#include "actors/messages.hpp"
#include "core/command.hpp"
#include "core/metrics_lines.hpp"
#include "runtime/run_summary.hpp"

namespace sgp::actors {

using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsubscribe_atom = caf::atom_constant<caf::atom("unsub")>;

/// What a typed command did: `applied` false when it was refused (a node id
/// out of range, killing a dead node, the run has ended), and `message` says
/// why, naming the node; when applied, what the console would print.
struct command_outcome {
  bool applied = false;
  std::string message;
};

/// One node finished an iteration: the fields of metrics.jsonl's "train"
/// line (time in seconds since the start of the run).
using iteration_event = core::metrics::train_record;

/// A fault or a command: metrics.jsonl's "fault" or "command" line (its
/// `source` is "config", "console", "api" for a typed command, or
/// "supervisor"), with the command itself and whether it was applied.
struct action_event {
  core::metrics::action_record record;
  core::command command;
  bool applied = true;
};

/// The end of the run, after every other event: `completed` with the
/// summary (also the start request's reply), or the error that ended it.
struct run_end {
  bool completed = false;
  std::string error;
  runtime::run_summary summary;
};

}  // namespace sgp::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::actors::command_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::core::metrics::train_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::actors::action_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sgp::actors::run_end)
