// The supervisor's lifecycle: every transition of core/run_phase.hpp and
// what each phase allows.
#include <catch2/catch.hpp>

#include <string>

#include "core/run_phase.hpp"

using namespace sgp::core;

TEST_CASE("a run goes from start through a checkpoint pause to the end", "[core]") {
  auto p = run_phase::starting;
  CHECK_FALSE(started(p));
  p = next_phase(p, phase_event::start);
  CHECK(p == run_phase::running);
  CHECK(next_phase(p, phase_event::start) == run_phase::running);
  p = next_phase(p, phase_event::pause);
  CHECK(p == run_phase::holding);
  CHECK(paused(p));
  CHECK_FALSE(ending(p));
  p = next_phase(p, phase_event::pause_ended);
  CHECK(p == run_phase::running);
  p = next_phase(p, phase_event::finish);
  CHECK(p == run_phase::finishing);
  CHECK(ending(p));
  CHECK(finishing(p));
  CHECK(next_phase(p, phase_event::pause) == run_phase::finishing);
  CHECK(next_phase(p, phase_event::end_asked) == run_phase::finishing);
  p = next_phase(p, phase_event::shut_down);
  CHECK(p == run_phase::done);
  CHECK(next_phase(p, phase_event::finish) == run_phase::done);
}

TEST_CASE("an end asked during a checkpoint pause waits for the pause", "[core]") {
  auto p = next_phase(run_phase::holding, phase_event::end_asked);
  CHECK(p == run_phase::holding_stopping);
  CHECK(paused(p));
  CHECK(ending(p));
  CHECK_FALSE(finishing(p));
  CHECK(next_phase(p, phase_event::pause_ended) == run_phase::stopping);
  // Every node done while the end waits for kills: a pause may still come.
  CHECK(next_phase(run_phase::stopping, phase_event::pause) == run_phase::holding_stopping);
  CHECK(next_phase(run_phase::running, phase_event::end_asked) == run_phase::stopping);
  CHECK(ending(run_phase::stopping));
  CHECK_FALSE(paused(run_phase::stopping));
}

TEST_CASE("a start before anything else, and a failure at any time", "[core]") {
  for (const auto p : {run_phase::starting, run_phase::running, run_phase::holding,
                       run_phase::stopping, run_phase::holding_stopping, run_phase::finishing}) {
    CHECK(next_phase(p, phase_event::shut_down) == run_phase::done);
    CHECK(std::string(phase_name(p)).size() > 0);
  }
  CHECK(next_phase(run_phase::starting, phase_event::pause) == run_phase::starting);
  CHECK(next_phase(run_phase::starting, phase_event::end_asked) == run_phase::starting);
  CHECK_FALSE(ending(run_phase::running));
}
