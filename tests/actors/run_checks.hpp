// Checks and builders shared by the actor tests: the weight invariant of a
// finished run, a scripted fault at an iteration, and a kill-and-revive run.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include "config/config.hpp"
#include "runtime/run_summary.hpp"
#include "tests/actors/group_fixture.hpp"

namespace sgp::test {

/// Live weight plus in flight equals what is expected, to 1e-9 relative.
inline void check_weight(const runtime::run_summary& s) {
  INFO("total " << s.total_weight << " expected " << s.expected_total_weight);
  CHECK(s.weight_exact);
  CHECK(std::abs(s.total_weight - s.expected_total_weight) <= 1e-9 * s.expected_total_weight);
}

/// A [[faults]] entry: `action` at iteration `at`.
inline config::fault_section fault(std::int64_t at, const std::string& action) {
  config::fault_section f;
  f.at_iteration = at;
  f.action = action;
  return f;
}

/// Runs `c` on 4 nodes with node 1 killed at iteration 4 and revived at 10:
/// it rejoins past iteration 10 as a new incarnation, all 4 nodes end live,
/// the revived one learned, and the weight is exact.
inline void check_kill_and_revive(config::config c) {
  group_fixture f;
  auto kill = fault(4, "kill");
  kill.node = 1;
  auto revive = fault(10, "revive");
  revive.node = 1;
  c.faults = {kill, revive};
  f.spawn(c);
  bool rejoined = false;
  const auto s = f.run([&](actors::supervisor_state& st) {
    if (st.view.incarnation[1] == 1 && st.last[1] && st.last[1]->iteration > 10) rejoined = true;
    return false;
  });
  INFO(f.error);
  REQUIRE(s);
  CHECK(rejoined);
  CHECK(s->live_nodes == 4);
  CHECK(s->test_accuracy_per_node[1] > 0.5);
  check_weight(*s);
  // The revived node took its donor's z, momentum and batch-norm statistics
  // between two steps: with the same averaged gradients the replicas stay
  // identical (with a fresh momentum they drift apart for good).
  if (c.algorithm.name == "ar-sgd") CHECK(s->consensus_distance == 0.0);
}

}  // namespace sgp::test
