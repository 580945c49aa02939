// Signals that end `sgp train`: the first SIGINT, SIGTERM or SIGHUP asks the
// run to stop cleanly (evaluation, summary); a second one exits at once.
// The handler only stores the signal number; a thread polls it.
#pragma once

#include <atomic>

namespace sgp::apps {

/// Ignores SIGPIPE: a reader that went away is a failed write (EPIPE), not
/// the end of the run.
void ignore_sigpipe();

/// Installs the handlers for SIGINT, SIGTERM and SIGHUP, except for a
/// signal that was ignored when sgp started (nohup, a background job).
void install_stop_signals();

/// 0, or the first stop signal received.
const std::atomic<int>& stop_signal();

}  // namespace sgp::apps
