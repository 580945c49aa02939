// Implementation of describe_plan (see dry_run.hpp).
#include "apps/dry_run.hpp"

#include <cstdio>
#include <set>

namespace sgp::apps {
namespace {

std::string devices_line(const config::config& cfg, const config::settings& set) {
  if (set.backend.name == config::backend_kind::cpu) {
    const int threads = cfg.backend.threads;
    std::string t = threads > 0 ? std::to_string(threads) + " thread(s) per node"
                                : (cfg.cluster.nodes > 1 ? "1 thread per node" : "every core");
    return "cpu (oneDNN), " + t;
  }
  const auto& d = cfg.backend.devices;
  std::string out = "cuda:";
  std::set<int> used;
  const int shown = std::min(cfg.cluster.nodes, 16);
  for (int i = 0; i < shown; ++i) {
    const int gpu = d[static_cast<std::size_t>(i) % d.size()];
    used.insert(gpu);
    out += " node " + std::to_string(i) + " -> GPU " + std::to_string(gpu) +
           (i + 1 < shown ? "," : "");
  }
  if (cfg.cluster.nodes > shown) out += ", ...";
  for (int i = shown; i < cfg.cluster.nodes; ++i) {
    used.insert(d[static_cast<std::size_t>(i) % d.size()]);
  }
  return out + " (" + std::to_string(used.size()) + " distinct GPU(s))";
}

std::string algorithm_line(const config::config& cfg, const config::settings& set) {
  using config::algorithm_kind;
  const auto& a = set.algorithm;
  const std::string name(config::to_string(a.name));
  if (cfg.cluster.nodes == 1) return name + " (one node: no communication)";
  if (a.name == algorithm_kind::none) return "none (compute only, no communication)";
  if (a.name == algorithm_kind::ar_sgd) {
    return "ar-sgd (gradients averaged by a ring AllReduce every step)";
  }
  std::string out = name;
  if (a.name == algorithm_kind::osgp) {
    out += " (tau " + std::to_string(cfg.algorithm.tau);
    if (cfg.algorithm.overlap_from_epoch > 0.0) {
      char from[64];
      std::snprintf(from, sizeof(from), "; waits as sgp before epoch %g",
                    cfg.algorithm.overlap_from_epoch);
      out += from;
    }
    out += ")";
  }
  if (a.compression != config::compression::none) {
    out += ", " + std::string(config::to_string(a.compression)) + " shares";
  }
  return out;
}

std::string topology_line(const config::config& cfg, const config::settings& set) {
  using config::algorithm_kind;
  const auto& a = set.algorithm;
  if (cfg.cluster.nodes == 1 || a.name == algorithm_kind::none) return "none";
  if (a.name == algorithm_kind::ar_sgd) return "ring (AllReduce)";
  const auto kind =
      a.name == algorithm_kind::d_psgd ? core::topology_kind::bipartite_exponential : a.topology;
  return std::string(config::to_string(kind)) + ", " +
         std::to_string(cfg.algorithm.peers_per_iteration) + " out-peer(s) per iteration";
}

}  // namespace

std::string describe_plan(const config::config& cfg, const config::settings& set,
                          const std::string& resume, bool console) {
  const bool group = cfg.cluster.nodes > 1 || console;
  std::string out = "# plan\n";
  out += "runtime: " +
         std::string(group ? "actor runtime (CAF), every node in this process"
                           : "single-node trainer") +
         "\n";
  out += "processes: 1\n";
  out += "nodes: " + std::to_string(cfg.cluster.nodes) + "\n";
  out += "devices: " + devices_line(cfg, set) + "\n";
  out += "algorithm: " + algorithm_line(cfg, set) + "\n";
  out += "topology: " + topology_line(cfg, set) + "\n";
  out +=
      "model: " + cfg.model.name + ", batch " + std::to_string(cfg.data.batch_size) + " per node\n";
  const auto& d = cfg.data;
  if (set.data == config::data_kind::idx || set.data == config::data_kind::npy) {
    out += "data: " + d.name + ": train " + d.train_images + " + " + d.train_labels + ", test " +
           d.test_images + " + " + d.test_labels + "\n";
  } else {
    out += "data: " + d.name + (set.data == config::data_kind::synthetic ? "" : " from " + d.path) +
           "\n";
  }
  out += "length: " + std::to_string(cfg.schedule.epochs) + " epoch(s)";
  if (cfg.schedule.max_iterations > 0) {
    out += ", at most " + std::to_string(cfg.schedule.max_iterations) + " iteration(s)";
  }
  out += "\n";
  if (cfg.cluster.nodes > 1) {
    out += "network: " + cfg.network.bandwidth + ", latency " + cfg.network.latency + ", " +
           std::to_string(cfg.network.links.size()) + " link override(s)\n";
  }
  out += "faults: " + std::to_string(cfg.faults.size()) + " scripted\n";
  if (!resume.empty()) out += "resume: " + resume + "\n";
  out += "run directory: " + cfg.run.dir + "\n";
  return out;
}

}  // namespace sgp::apps
