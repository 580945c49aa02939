// The supervisor's lifecycle as one phase and the events that move it, so
// that every transition is written here once (docs/design.md §2).
#pragma once

namespace sgp::core {

/// Where a group's run is.
enum class run_phase {
  starting,          ///< built; the start request has not come
  running,           ///< the nodes train
  holding,           ///< every live node paused for a checkpoint: drain, then write
  stopping,          ///< the end is asked (stop, or every node done): waits for unanswered kills
  holding_stopping,  ///< the end was asked during a checkpoint pause: the pause ends first
  finishing,         ///< the final drain, the evaluation, the summary
  done,              ///< the reply is gone (summary or error); the group shuts down
};

/// What moves the phase.
enum class phase_event {
  start,        ///< the start request came
  pause,        ///< every live node paused at a checkpoint's iteration
  end_asked,    ///< the end was asked while kills are unanswered
  pause_ended,  ///< the checkpoint is written: the nodes go on
  finish,       ///< the final drain begins
  shut_down,    ///< the reply is gone
};

/// The phase after `e` in phase `p`; `p` itself where `e` does not apply
/// there (a start twice, a pause while finishing).
[[nodiscard]] constexpr run_phase next_phase(run_phase p, phase_event e) {
  switch (e) {
    case phase_event::start:
      return p == run_phase::starting ? run_phase::running : p;
    case phase_event::pause:
      if (p == run_phase::running) return run_phase::holding;
      if (p == run_phase::stopping) return run_phase::holding_stopping;
      return p;
    case phase_event::end_asked:
      if (p == run_phase::running) return run_phase::stopping;
      if (p == run_phase::holding) return run_phase::holding_stopping;
      return p;
    case phase_event::pause_ended:
      if (p == run_phase::holding) return run_phase::running;
      if (p == run_phase::holding_stopping) return run_phase::stopping;
      return p;
    case phase_event::finish:
      return p == run_phase::done ? run_phase::done : run_phase::finishing;
    case phase_event::shut_down:
      return run_phase::done;
  }
  return p;
}

/// The start request has come (the group exists).
[[nodiscard]] constexpr bool started(run_phase p) {
  return p != run_phase::starting;
}

/// Every live node is paused for a checkpoint: nobody reports.
[[nodiscard]] constexpr bool paused(run_phase p) {
  return p == run_phase::holding || p == run_phase::holding_stopping;
}

/// The end was asked: actions (kill, link, checkpoint, ...) are refused.
[[nodiscard]] constexpr bool ending(run_phase p) {
  return p == run_phase::stopping || p == run_phase::holding_stopping ||
         p == run_phase::finishing || p == run_phase::done;
}

/// The final drain has begun: reports, ticks and measurements stop.
[[nodiscard]] constexpr bool finishing(run_phase p) {
  return p == run_phase::finishing || p == run_phase::done;
}

/// The phase's name (the status page, log lines).
[[nodiscard]] constexpr const char* phase_name(run_phase p) {
  switch (p) {
    case run_phase::starting:
      return "starting";
    case run_phase::running:
      return "running";
    case run_phase::holding:
      return "holding";
    case run_phase::stopping:
      return "stopping";
    case run_phase::holding_stopping:
      return "holding_stopping";
    case run_phase::finishing:
      return "finishing";
    case run_phase::done:
      return "done";
  }
  return "?";
}

}  // namespace sgp::core
