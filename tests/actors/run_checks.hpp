// Checks and builders shared by the actor tests: the weight invariant of a
// finished run and a scripted fault at an iteration.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include "actors/run_summary.hpp"
#include "config/config.hpp"

namespace sgp::test {

/// Live weight plus in flight equals what is expected, to 1e-9 relative.
inline void check_weight(const actors::run_summary& s) {
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

}  // namespace sgp::test
