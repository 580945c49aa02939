// Implementation of run_summary::json (see run_summary.hpp).
#include "runtime/run_summary.hpp"

#include "core/json.hpp"

namespace sgp::runtime {

std::string run_summary::json() const {
  core::json_object j;
  j.add("run", run)
      .add("algorithm", algorithm)
      .add("model", model)
      .add("backend", backend)
      .add("epochs", epochs)
      .add("nodes", nodes)
      .add("live_nodes", live_nodes)
      .add("iterations", static_cast<std::int64_t>(iterations))
      .add("wall_seconds", wall_seconds)
      .add("samples_per_second", samples_per_second)
      .add("seconds_per_iteration", seconds_per_iteration)
      .add("seconds_per_iteration_whole", seconds_per_iteration_whole)
      .add("seconds_per_iteration_mean", seconds_per_iteration_mean)
      .add("train_loss", train_loss)
      .add("test_accuracy_mean_model", test_accuracy_mean_model)
      .add("test_loss_mean_model", test_loss_mean_model)
      .add("test_accuracy_per_node", std::span<const double>(test_accuracy_per_node))
      .add("total_weight", total_weight)
      .add("expected_total_weight", expected_total_weight)
      .add("weight_exact", weight_exact)
      .add("bytes_sent", static_cast<std::int64_t>(bytes_sent))
      .add("messages_lost", static_cast<std::int64_t>(messages_lost))
      .add("messages_duplicate", static_cast<std::int64_t>(messages_duplicate))
      .add("messages_late", static_cast<std::int64_t>(messages_late))
      .add("consensus_distance", consensus_distance)
      .add("mean_comm_wait_fraction", mean_comm_wait_fraction)
      .add("collapsed", !collapse.empty());
  return j.str();
}

}  // namespace sgp::runtime
