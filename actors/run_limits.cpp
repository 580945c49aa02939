// Implementation of the start-up checks (see run_limits.hpp).
#include "actors/run_limits.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace sgp::actors {
namespace {

/// Model-sized vectors one node holds at once on the host, at least: z, the
/// step, gradients, momentum, x and the push-sum buffers in flight.
constexpr double vectors_per_node = 10.0;

/// "6.3 TiB", "74.0 MiB".
std::string bytes_text(double bytes) {
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 6) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

std::string shape_text(const config::data_section& d) {
  return std::to_string(d.channels) + "x" + std::to_string(d.height) + "x" +
         std::to_string(d.width);
}

}  // namespace

core::status check_memory(double need, std::uint64_t memory, const std::string& what) {
  // In double: sizes multiplied here never overflow.
  if (memory == 0 || need <= static_cast<double>(memory)) return {};
  return core::make_error(what + " need " + bytes_text(need) + ", more than this machine's " +
                          bytes_text(static_cast<double>(memory)) + " of memory");
}

std::uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

core::status check_synthetic_memory(const config::data_section& d, std::uint64_t memory) {
  if (d.name != "synthetic") return {};
  const double per_sample = static_cast<double>(d.channels) * d.height * d.width * sizeof(float);
  const double samples = static_cast<double>(d.synthetic_train_samples) +
                         static_cast<double>(d.synthetic_test_samples) + d.classes;
  return check_memory(
      samples * per_sample, memory,
      "data: the synthetic sets (data.synthetic_train_samples + synthetic_test_samples + "
      "classes = " +
          std::to_string(static_cast<long long>(samples)) + " images of " + shape_text(d) + ")");
}

core::status check_datasets(const config::config& cfg, const data::dataset& train,
                            const data::dataset& test) {
  const auto& d = cfg.data;
  const auto nodes = static_cast<std::size_t>(cfg.cluster.nodes);
  if (train.size() / nodes == 0) {
    const std::string key = d.name == "synthetic"     ? "data.synthetic_train_samples"
                            : d.max_train_samples > 0 ? "data.max_train_samples"
                                                      : "data.path";
    return core::make_error(key + ": " + std::to_string(train.size()) +
                            " training samples for cluster.nodes = " + std::to_string(nodes) +
                            ": every node needs at least one");
  }
  if (test.size() == 0) {
    const std::string key = d.name == "synthetic" ? "data.synthetic_test_samples" : "data.path";
    return core::make_error(key + ": the test set is empty: nothing to evaluate the model on");
  }
  return {};
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

core::status check_node_memory(const config::config& cfg, std::size_t parameters,
                               std::uint64_t memory) {
  if (cfg.backend.name != "cpu") return {};
  const double per_node = vectors_per_node * static_cast<double>(parameters) * sizeof(float);
  return check_memory(per_node * cfg.cluster.nodes, memory,
                      "cluster.nodes = " + std::to_string(cfg.cluster.nodes) +
                          ": that many copies of " + cfg.model.name + "'s state (" +
                          std::to_string(parameters) + " parameters, about " +
                          bytes_text(per_node) + " per node)");
}

}  // namespace sgp::actors
