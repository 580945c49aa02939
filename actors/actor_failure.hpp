// Exceptions that escape an actor's handler: instead of CAF's "*** unhandled
// exception" and a run that never ends, the actor exits with an error whose
// text names it, and the supervisor ends the run with that error.
#pragma once

#include <caf/all.hpp>

#include <exception>
#include <string>

namespace sgp::actors {

/// The exit reason for an exception in actor `who` ("node 3 compute"):
/// sec::runtime_error carrying "who failed: what()".
caf::error exception_exit_reason(const std::string& who, const std::exception_ptr& x);

/// The message of an exit reason made by exception_exit_reason, or empty for
/// any other reason (a kill, a normal exit, a shutdown).
std::string actor_failure_text(const caf::error& reason);

/// Makes `self` exit with exception_exit_reason(who, ...) on an exception.
/// Call it first in the actor's function: spawn-time set-up is covered too.
template <class Self>
void exit_on_exception(Self* self, std::string who) {
  self->set_exception_handler(
      [who = std::move(who)](std::exception_ptr& x) { return exception_exit_reason(who, x); });
}

/// Makes `self` (an actor that owns a run: the supervisor, a process host)
/// end the run on an exception in one of its handlers: `end_run(text)` is
/// called with the failure's text (answering whoever waits for the run)
/// before `self` exits with exception_exit_reason(who, ...).
template <class Self, class EndRun>
void end_run_on_exception(Self* self, std::string who, EndRun end_run) {
  self->set_exception_handler([who = std::move(who), end_run](std::exception_ptr& x) {
    auto reason = exception_exit_reason(who, x);
    end_run(actor_failure_text(reason));
    return reason;
  });
}

}  // namespace sgp::actors
