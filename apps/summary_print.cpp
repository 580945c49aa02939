// Printing a run's summary (see summary_print.hpp).
#include "apps/summary_print.hpp"

#include <cmath>
#include <cstdio>

namespace sgp::apps {

void print_run_summary(const runtime::run_summary& s, const std::string& dir) {
  std::printf("\n%-10s %s\n", "node", "test accuracy");
  for (std::size_t i = 0; i < s.test_accuracy_per_node.size(); ++i) {
    const double a = s.test_accuracy_per_node[i];
    if (a == a) {
      std::printf("%-10zu %.2f%%\n", i, 100.0 * a);
    } else {
      std::printf("%-10zu dead\n", i);
    }
  }
  if (s.live_nodes > 0) {
    std::printf("%-10s %.2f%%\n", "averaged", 100.0 * s.test_accuracy_mean_model);
  } else {
    std::printf("%-10s none (no live node)\n", "averaged");
  }
  // With every node dead nothing is expected: the error is 0, not 0/0.
  const double weight_error =
      s.expected_total_weight > 0.0
          ? std::abs(s.total_weight - s.expected_total_weight) / s.expected_total_weight
          : std::abs(s.total_weight);
  // Not measured (a cluster run): said, not printed as nan.
  char consensus[32] = "not measured";
  if (std::isfinite(s.consensus_distance)) {
    std::snprintf(consensus, sizeof(consensus), "%.3g", s.consensus_distance);
  }
  std::printf(
      "summary: %s, %d/%d nodes live, %llu iterations in %.1f s (%.0f samples/s), comm wait "
      "%.1f%%\n"
      "push-sum weight: %.12g (expected %.12g, relative error %.2e%s)\n"
      "messages: %llu lost, %llu duplicate, %llu waits timed out; consensus distance %s\n"
      "run directory: %s\n",
      s.algorithm.c_str(), s.live_nodes, s.nodes, static_cast<unsigned long long>(s.iterations),
      s.wall_seconds, s.samples_per_second, 100.0 * s.mean_comm_wait_fraction, s.total_weight,
      s.expected_total_weight, weight_error, s.weight_exact ? "" : ", a node died unaccounted",
      static_cast<unsigned long long>(s.messages_lost),
      static_cast<unsigned long long>(s.messages_duplicate),
      static_cast<unsigned long long>(s.messages_late), consensus, dir.c_str());
}

}  // namespace sgp::apps
