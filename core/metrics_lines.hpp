// The lines of metrics.jsonl, one function per event, so that the
// single-node trainer and the actor runtime write the same fields
// (docs/metrics.md is the schema). Numbers carry 6 significant digits,
// except the push-sum weights of the "final" line, which are exact.
#pragma once

#include <cstdint>
#include <string>

namespace sgp::core::metrics {

/// Significant digits of the numbers in metrics lines.
inline constexpr int digits = 6;

/// One node's iteration ("event":"train").
struct train_record {
  int node = 0;
  std::uint64_t iteration = 0;  ///< iterations this node has completed
  double epoch = 0.0;           ///< iteration / iterations per epoch
  double time = 0.0;            ///< seconds since the start of the run
  double loss = 0.0;
  double lr = 0.0;
  double w = 0.0;                        ///< push-sum weight after the iteration
  double comm_wait = 0.0;                ///< seconds this iteration waited for messages
  double compute = 0.0;                  ///< seconds of forward/backward this iteration
  std::uint64_t bytes_sent = 0;          ///< cumulative
  std::uint64_t messages_late = 0;       ///< cumulative
  std::uint64_t messages_lost = 0;       ///< cumulative
  std::uint64_t messages_duplicate = 0;  ///< cumulative
};

/// A test-set evaluation ("event":"eval"); node -1 is the averaged model.
struct eval_record {
  int node = 0;
  std::uint64_t iteration = 0;
  double epoch = 0.0;
  double time = 0.0;
  double test_loss = 0.0;
  double test_accuracy = 0.0;
};

/// A scripted fault, a console command or a failure the supervisor saw
/// ("event":"fault" or "event":"command").
struct action_record {
  std::string event;   ///< "fault" or "command"
  std::string source;  ///< "config" ([[faults]]), "console", "supervisor"
  std::uint64_t iteration = 0;
  double time = 0.0;
  std::string action;   ///< link_down, kill, ... (console command names)
  std::string command;  ///< the command as typed or scripted
  std::string result;   ///< what it did, or why it did nothing
};

/// The end of the run ("event":"final").
struct final_record {
  std::uint64_t iteration = 0;
  double time = 0.0;
  double consensus_distance = 0.0;
  double total_weight = 0.0;
  double expected_total_weight = 0.0;
  /// Weight still in flight when the final evaluation began (after the drain).
  double in_flight_weight_at_eval = 0.0;
};

std::string train_line(const train_record& r);
std::string eval_line(const eval_record& r);
/// "event":"consensus": max_i |z_i - z_mean| / |z_mean| at `iteration`.
std::string consensus_line(std::uint64_t iteration, double time, double consensus_distance);
std::string action_line(const action_record& r);
/// "event":"resume": a resumed run's lines begin here, from `checkpoint`.
std::string resume_line(std::uint64_t iteration, const std::string& checkpoint);
std::string final_line(const final_record& r);

}  // namespace sgp::core::metrics
