// Implementation of describe_plan (see dry_run.hpp).
#include "apps/dry_run.hpp"

#include <set>

namespace sgp::apps {
namespace {

std::string devices_line(const config::config& cfg) {
  if (cfg.backend.name == "cpu") {
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

std::string algorithm_line(const config::config& cfg) {
  const auto& a = cfg.algorithm;
  if (cfg.cluster.nodes == 1) return a.name + " (one node: no communication)";
  if (a.name == "none") return "none (compute only, no communication)";
  if (a.name == "ar-sgd") return "ar-sgd (gradients averaged by a ring AllReduce every step)";
  std::string out = a.name;
  if (a.name == "osgp") out += " (tau " + std::to_string(a.tau) + ")";
  if (a.compression != "none") out += ", " + a.compression + " shares";
  return out;
}

std::string topology_line(const config::config& cfg) {
  const auto& a = cfg.algorithm;
  if (cfg.cluster.nodes == 1 || a.name == "none") return "none";
  if (a.name == "ar-sgd") return "ring (AllReduce)";
  const std::string kind = a.name == "d-psgd" ? "bipartite-exponential" : a.topology;
  return kind + ", " + std::to_string(a.peers_per_iteration) + " out-peer(s) per iteration";
}

}  // namespace

std::string describe_plan(const config::config& cfg, const std::string& resume, bool console) {
  const bool group = cfg.cluster.nodes > 1 || console;
  std::string out = "# plan\n";
  out += "runtime: " +
         std::string(group ? "actor runtime (CAF), every node in this process"
                           : "single-node trainer") +
         "\n";
  out += "processes: 1\n";
  out += "nodes: " + std::to_string(cfg.cluster.nodes) + "\n";
  out += "devices: " + devices_line(cfg) + "\n";
  out += "algorithm: " + algorithm_line(cfg) + "\n";
  out += "topology: " + topology_line(cfg) + "\n";
  out +=
      "model: " + cfg.model.name + ", batch " + std::to_string(cfg.data.batch_size) + " per node\n";
  const auto& d = cfg.data;
  if (d.name == "idx" || d.name == "npy") {
    out += "data: " + d.name + ": train " + d.train_images + " + " + d.train_labels + ", test " +
           d.test_images + " + " + d.test_labels + "\n";
  } else {
    out += "data: " + d.name + (d.name == "synthetic" ? "" : " from " + d.path) + "\n";
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
