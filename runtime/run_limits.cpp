// Implementation of the start-up checks (see run_limits.hpp).
#include "runtime/run_limits.hpp"

#include <string>

namespace sgp::runtime {
namespace {

using core::bytes_text;
using core::check_memory;

/// Model-sized vectors one node holds at once on the host, at least: z, the
/// step, gradients, momentum, x and the push-sum buffers in flight.
constexpr double vectors_per_node = 10.0;

std::string shape_text(const config::data_section& d) {
  return std::to_string(d.channels) + "x" + std::to_string(d.height) + "x" +
         std::to_string(d.width);
}

}  // namespace

core::status check_synthetic_memory(const config::data_section& d, std::uint64_t memory) {
  const double per_sample = static_cast<double>(d.channels) * d.height * d.width * sizeof(float);
  const double samples = static_cast<double>(d.synthetic_train_samples) +
                         static_cast<double>(d.synthetic_test_samples) + d.classes;
  return check_memory(
      samples * per_sample, memory,
      "data: the synthetic sets (data.synthetic_train_samples + synthetic_test_samples + "
      "classes = " +
          std::to_string(static_cast<long long>(samples)) + " images of " + shape_text(d) + ")");
}

core::status check_datasets(const config::config& cfg, const config::settings& set,
                            const data::dataset& train, const data::dataset& test) {
  const auto& d = cfg.data;
  const bool synthetic = set.data == config::data_kind::synthetic;
  const auto nodes = static_cast<std::size_t>(cfg.cluster.nodes);
  if (train.size() / nodes == 0) {
    const std::string key = synthetic                 ? "data.synthetic_train_samples"
                            : d.max_train_samples > 0 ? "data.max_train_samples"
                                                      : "data.path";
    return core::make_error(key + ": " + std::to_string(train.size()) +
                            " training samples for cluster.nodes = " + std::to_string(nodes) +
                            ": every node needs at least one");
  }
  if (test.size() == 0) {
    const std::string key = synthetic ? "data.synthetic_test_samples" : "data.path";
    return core::make_error(key + ": the test set is empty: nothing to evaluate the model on");
  }
  return {};
}

core::status check_datasets(const config::config& cfg, const data::dataset& train,
                            const data::dataset& test) {
  auto set = config::resolve(cfg);
  if (!set.ok()) return set.err();
  return check_datasets(cfg, *set, train, test);
}

core::status check_batch_memory(const config::config& cfg, std::size_t sample_elements,
                                std::uint64_t memory) {
  const double per_sample = static_cast<double>(sample_elements) * sizeof(float);
  const double nodes = cfg.cluster.nodes;
  // A node keeps two batches being prepared and one spare, and its model an
  // input of as many samples again.
  const double train = nodes * 4.0 * cfg.data.batch_size * per_sample;
  if (auto st = check_memory(train, memory,
                             "data.batch_size = " + std::to_string(cfg.data.batch_size) + ": " +
                                 std::to_string(cfg.cluster.nodes) + " node(s)' batch buffers");
      !st.ok()) {
    return st;
  }
  const double eval = nodes * 2.0 * cfg.data.eval_batch_size * per_sample;
  return check_memory(eval, memory,
                      "data.eval_batch_size = " + std::to_string(cfg.data.eval_batch_size) + ": " +
                          std::to_string(cfg.cluster.nodes) + " node(s)' evaluation buffers");
}

core::status check_node_memory(const config::config& cfg, const config::settings& set,
                               std::size_t parameters, std::uint64_t memory) {
  if (set.backend.name != config::backend_kind::cpu) return {};
  const double per_node = vectors_per_node * static_cast<double>(parameters) * sizeof(float);
  return check_memory(per_node * cfg.cluster.nodes, memory,
                      "cluster.nodes = " + std::to_string(cfg.cluster.nodes) +
                          ": that many copies of " + cfg.model.name + "'s state (" +
                          std::to_string(parameters) + " parameters, about " +
                          bytes_text(per_node) + " per node)");
}

core::status check_node_memory(const config::config& cfg, std::size_t parameters,
                               std::uint64_t memory) {
  auto set = config::resolve(cfg);
  if (!set.ok()) return set.err();
  return check_node_memory(cfg, *set, parameters, memory);
}

}  // namespace sgp::runtime
