// Runs a whole training group to the end in its own actor system: what
// `sgp train` calls for more than one node. No CAF in this header.
#pragma once

#include <atomic>

#include "config/config.hpp"
#include "core/result.hpp"
#include "runtime/run_summary.hpp"

namespace sgp::actors {

struct run_options {
  bool console = false;  ///< interactive console on the terminal while training
  /// Polled while training: once it is not 0 (a signal's number) the run
  /// stops as the console's `stop` does (evaluation, summary).
  const std::atomic<int>* stop_signal = nullptr;
};

/// Trains `cfg` and returns the summary (also written to RUN_DIR/summary.json).
core::result<runtime::run_summary> run_training(const config::config& cfg,
                                                const run_options& options);

}  // namespace sgp::actors
