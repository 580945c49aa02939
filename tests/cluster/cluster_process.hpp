// Helpers for multi-process tests: free ports, a cluster config on them,
// and `sgp node` processes in the background.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/integration/background_process.hpp"
#include "tests/integration/sgp_process.hpp"

namespace sgp::test {

/// A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's
/// ephemeral range (32768 and up), so that no outgoing connection takes it
/// before the process that is given it binds it.
inline int free_port() {
  static std::mt19937 random(static_cast<unsigned>(::getpid()) * 2654435761u);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int port = 20000 + static_cast<int>(random() % 12000);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    ::close(fd);
    if (free) return port;
  }
  return 0;
}

/// A config in `dir` for `processes` processes p0, p1, ... of `nodes` nodes
/// each on 127.0.0.1 (the MLP on Fashion-MNIST, SGP), plus `extra` TOML.
inline std::string cluster_config(const std::string& dir, int processes, int nodes,
                                  int max_iterations, const std::string& extra = {},
                                  const std::string& join_timeout = "30s",
                                  const std::string& hosts_prefix = "127.0.0.1") {
  std::string toml = "[run]\nname = \"cluster-test\"\ndir = \"" + dir + "/run\"\nseed = 1\n" +
                     "[cluster]\nprocess_timeout = \"3s\"\njoin_timeout = \"" + join_timeout +
                     "\"\n";
  for (int p = 0; p < processes; ++p) {
    toml += "[[cluster.process]]\nname = \"p" + std::to_string(p) + "\"\nhost = \"" + hosts_prefix +
            "\"\nport = " + std::to_string(free_port()) + "\nnodes = " + std::to_string(nodes) +
            "\n";
  }
  toml +=
      "[model]\nname = \"mlp\"\n[data]\nname = \"fashion-mnist\"\nbatch_size = 32\n"
      "[optimizer]\nlr = 0.05\n[schedule]\nepochs = 2\nwarmup_epochs = 0.1\nmax_iterations = " +
      std::to_string(max_iterations) + "\n[algorithm]\nname = \"sgp\"\n[output]\n" +
      "checkpoint_every_epochs = 0\nconsensus_every_iterations = 0\n" + extra;
  const std::string path = dir + "/cluster.toml";
  write_text(path, toml);
  return path;
}

/// `sgp node CONFIG --process NAME` in the background (log in DIR/NAME.log),
/// with `env` ("KEY=VALUE") added to its environment.
inline std::unique_ptr<background_process> start_node(const std::string& config,
                                                      const std::string& name,
                                                      const std::string& dir,
                                                      const std::vector<std::string>& env = {},
                                                      const std::vector<std::string>& args = {}) {
  std::vector<std::string> argv{"/usr/bin/env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.insert(argv.end(), {sgp_binary(), "node", config, "--process", name});
  argv.insert(argv.end(), args.begin(), args.end());
  return std::make_unique<background_process>(argv, dir + "/" + name + ".log");
}

/// `sgp node CONFIG --process pK` for K = 0 .. count-1 (start_node), in order.
inline std::vector<std::unique_ptr<background_process>> start_processes(
    const std::string& config, const std::string& dir, int count,
    const std::vector<std::string>& args = {}) {
  std::vector<std::unique_ptr<background_process>> out;
  for (int p = 0; p < count; ++p) {
    std::string name = "p";  // not "p" + ...: GCC 12 warns falsely there (-Wrestrict)
    name += std::to_string(p);
    out.push_back(start_node(config, name, dir, {}, args));
  }
  return out;
}

/// `sgp console 127.0.0.1:PORT` with SGP_SECRET=`secret`, fed `lines` (console
/// lines, "\\n" between them, as printf reads them); its output.
inline process_result run_console(const std::string& port, const std::string& secret,
                                  const std::string& lines) {
  std::string command = "printf '";  // appended: GCC 12 warns falsely on "..." + (-Wrestrict)
  command += lines;
  command += "\\n' | SGP_SECRET=";
  command += secret;
  command += ' ';
  command += sgp_binary();
  command += " console 127.0.0.1:";
  command += port;
  command += " 2>&1";
  return run_shell(command);
}

/// The same command as start_node's again (a restarted process), its log in
/// DIR/LABEL.log.
inline std::unique_ptr<background_process> restart_node(const std::string& config,
                                                        const std::string& name,
                                                        const std::string& dir,
                                                        const std::string& label) {
  return std::make_unique<background_process>(
      std::vector<std::string>{"/usr/bin/env", sgp_binary(), "node", config, "--process", name},
      dir + "/" + label + ".log");
}

}  // namespace sgp::test

namespace sgp::test {

/// `sgp node CONFIG` without --process: the rank comes from `env`, as a
/// launcher (torchrun, SLURM, mpirun) sets it. Log in DIR/LABEL.log.
inline std::unique_ptr<background_process> start_ranked_node(const std::string& config,
                                                             const std::string& label,
                                                             const std::string& dir,
                                                             const std::vector<std::string>& env) {
  std::vector<std::string> argv{"/usr/bin/env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.insert(argv.end(), {sgp_binary(), "node", config});
  return std::make_unique<background_process>(argv, dir + "/" + label + ".log");
}

}  // namespace sgp::test

namespace sgp::test {

/// The consensus lines of a metrics.jsonl: (iteration, distance) in order.
inline std::vector<std::pair<std::uint64_t, double>> consensus_lines(const std::string& path) {
  std::vector<std::pair<std::uint64_t, double>> out;
  std::ifstream in(path);
  std::string line;
  const std::regex re(
      R"re("event":"consensus","iteration":(\d+),.*"consensus_distance":([-0-9.eE+]+))re");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, re)) out.emplace_back(std::stoull(m[1]), std::stod(m[2]));
  }
  return out;
}

/// The highest "iteration" in a metrics.jsonl (0 when there is none yet).
inline int last_iteration(const std::string& metrics_path) {
  const auto text = read_text(metrics_path);
  const std::regex re("\"iteration\":([0-9]+)");
  int last = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    last = std::max(last, std::stoi((*it)[1].str()));
  }
  return last;
}

/// Waits until each of `processes` has made its part of the cut at
/// `iteration` its latest.ckpt (its metrics.jsonl's "checkpoint" line, written
/// and flushed after the rename), or `limit` passed.
inline bool wait_checkpoint(const std::string& run, const std::vector<std::string>& processes,
                            int iteration, std::chrono::seconds limit) {
  const std::string line =
      "\"event\":\"checkpoint\",\"iteration\":" + std::to_string(iteration) + ",";
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    bool all = true;
    for (const auto& p : processes) {
      all = all && read_text(run + "/" + p + "/metrics.jsonl").find(line) != std::string::npos;
    }
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

/// Waits until a metrics.jsonl shows `at_least` iterations (false after
/// `limit`, or once `process` has exited).
inline bool wait_iteration(const std::string& metrics, int at_least, std::chrono::seconds limit,
                           background_process* process = nullptr) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (last_iteration(metrics) >= at_least) return true;
    if (process != nullptr && process->exited()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last_iteration(metrics) >= at_least;
}

/// Every number of `key` in `json`, in order.
inline std::vector<double> numbers_of(const std::string& json, const std::string& key) {
  const std::regex re("\"" + key + "\":(-?[0-9.eE+-]+)");
  std::vector<double> out;
  for (std::sregex_iterator it(json.begin(), json.end(), re), end; it != end; ++it) {
    out.push_back(std::stod((*it)[1].str()));
  }
  return out;
}

/// Where Debian's dataset-fashion-mnist package puts the data set.
/// The list of per-node test accuracies in a summary.json, as written
/// ("0.85,null,0.84": null for a node without a model), or nothing when
/// the summary has none.
inline std::optional<std::string> per_node_accuracies(const std::string& summary) {
  std::smatch m;
  if (!std::regex_search(summary, m, std::regex("\"test_accuracy_per_node\":\\[([^\\]]*)\\]")))
    return std::nullopt;
  return m[1].str();
}

/// The iterations a node's metrics.jsonl records after its "rejoined"
/// event (empty when there is no such event).
inline std::vector<double> iterations_after_rejoin(const std::string& metrics) {
  const auto rejoined = metrics.find("\"event\":\"rejoined\"");
  if (rejoined == std::string::npos) return {};
  const auto next = metrics.find('\n', rejoined);
  if (next == std::string::npos) return {};
  return numbers_of(metrics.substr(next), "iteration");
}

/// A rejoin's log line: "process NAME rejoined (incarnation N): its nodes
/// FIRST..LAST start without mass" on the restarted process, "... take mass
/// from their in-neighbours" on a survivor.
inline bool rejoin_logged(const std::string& out, const std::string& process, int first, int last,
                          bool restarted) {
  const std::string tail = restarted ? "start without mass" : "take mass from their in-neighbours";
  return std::regex_search(
      out, std::regex("process " + process + " rejoined \\(incarnation [0-9]+\\): its nodes " +
                      std::to_string(first) + "\\.\\." + std::to_string(last) + " " + tail));
}

inline constexpr const char* fashion_dir = "/usr/share/datasets/fashion-mnist";

/// |total - expected| / expected from a summary.json.
inline double weight_error(const std::string& summary) {
  const double total = json_number_field(summary, "total_weight");
  const double expected = json_number_field(summary, "expected_total_weight");
  return std::abs(total - expected) / expected;
}

}  // namespace sgp::test
