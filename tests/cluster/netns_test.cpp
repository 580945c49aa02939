// Processes on "hosts" that are network namespaces, joined by veth pairs
// through a bridge, links shaped to 1 Gbit/s with tbf. Two runs of the same
// config on the same hosts: one without faults, and one where a link is
// pulled and plugged back mid-run, then a process is killed with SIGKILL and
// restarted with the same command in its namespace. The faulted run ends
// with every node live, the weight exact to 1e-9, and its averaged model
// within 1 percentage point of the run without faults. Needs root and
// `ip netns` (skipped otherwise); removes everything it made.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <thread>

#include "tests/cluster/cluster_process.hpp"
#include "tests/cluster/netns_hosts.hpp"
#include "tests/skip.hpp"

using namespace sgp::test;

namespace {

constexpr int host_count = 3;
constexpr int iterations = 250;

/// Process i's name, "hI" (appended: GCC 12 warns wrongly about
/// "literal" + std::string here, -Wrestrict).
std::string process_name(int i) {
  std::string name = "h";
  name += std::to_string(i);
  return name;
}

/// A config in `dir` for processes h0, h1, h2 of one node each, one per
/// host of `hosts`: the MLP on Fashion-MNIST, SGP, seed 1, `steps`
/// iterations, and `extra` TOML.
std::string hosts_config(const netns_hosts& hosts, const std::string& dir,
                         const std::string& process_timeout = "3s", int steps = iterations,
                         const std::string& extra = {}) {
  // Three "hosts" share this machine's cores: 2 actor threads each and
  // quiet polling, as `sgp launch` would give processes that share an
  // address (they cannot see that they share it).
  std::string toml = "[run]\ndir = \"" + dir +
                     "/run\"\nseed = 1\n[cluster]\nactor_threads = 2\n"
                     "actor_polling = \"quiet\"\n";
  toml += "process_timeout = \"" + process_timeout + "\"\n";
  for (int i = 0; i < host_count; ++i) {
    toml += "[[cluster.process]]\nname = \"" + process_name(i) + "\"\nhost = \"" +
            hosts.address(i) + "\"\nport = 29500\nnodes = 1\n";
  }
  toml +=
      "[model]\nname = \"mlp\"\n[data]\nname = \"fashion-mnist\"\nbatch_size = 32\n"
      "[optimizer]\nlr = 0.05\n[schedule]\nepochs = 1\nwarmup_epochs = 0.1\n"
      "max_iterations = " +
      std::to_string(steps) +
      "\n[algorithm]\nname = \"sgp\"\n[output]\ncheckpoint_every_epochs = 0\n"
      "consensus_every_iterations = 0\n" +
      extra;
  const auto path = dir + "/hosts.toml";
  write_text(path, toml);
  return path;
}

/// `sgp node CONFIG --process hI` inside host i's namespace, its log in
/// DIR/LABEL.log (the same command again restarts a killed process).
std::unique_ptr<background_process> start_on_host(const netns_hosts& hosts, int i,
                                                  const std::string& config, const std::string& dir,
                                                  const std::string& label) {
  return std::make_unique<background_process>(
      std::vector<std::string>{"/usr/sbin/ip", "netns", "exec", hosts.name(i), sgp_binary(), "node",
                               config, "--process", process_name(i)},
      dir + "/" + label + ".log");
}

/// The run without faults; its summary.json.
std::string run_without_faults(const netns_hosts& hosts, const std::string& dir) {
  const auto config = hosts_config(hosts, dir);
  std::vector<std::unique_ptr<background_process>> procs;
  for (int i = 0; i < host_count; ++i) {
    procs.push_back(start_on_host(hosts, i, config, dir, process_name(i)));
  }
  for (auto& p : procs) REQUIRE(p->wait_exit(std::chrono::seconds(300)));
  INFO(procs[0]->output() << procs[1]->output() << procs[2]->output());
  for (auto& p : procs) CHECK(p->exit_code() == 0);
  return read_text(dir + "/run/summary.json");
}

/// The run with a link down and up, then h2 killed and restarted; its
/// summary.json.
std::string run_with_faults(const netns_hosts& hosts, const std::string& dir) {
  const auto config = hosts_config(hosts, dir);
  std::vector<std::unique_ptr<background_process>> procs;
  for (int i = 0; i < host_count; ++i) {
    procs.push_back(start_on_host(hosts, i, config, dir, process_name(i)));
  }
  auto& h0 = procs[0];
  auto& h1 = procs[1];
  auto& h2 = procs[2];
  const auto m0 = dir + "/run/h0/metrics.jsonl";
  REQUIRE(wait_iteration(m0, 30, std::chrono::seconds(180), h0.get()));
  // h1's cable out for a second (under process_timeout): TCP carries on.
  REQUIRE(hosts.set_link(1, false));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  REQUIRE(hosts.set_link(1, true));
  REQUIRE(wait_iteration(m0, 60, std::chrono::seconds(180), h0.get()));
  h2->send_signal(SIGKILL);
  REQUIRE(h2->wait_exit(std::chrono::seconds(10)));
  // Started again in its namespace once both survivors declared it dead.
  REQUIRE(h0->wait_for("process h2 .*: declared dead", std::chrono::seconds(30)));
  REQUIRE(h1->wait_for("process h2 .*: declared dead", std::chrono::seconds(30)));
  const int killed_at = last_iteration(m0);
  auto again = start_on_host(hosts, 2, config, dir, "h2-restarted");
  REQUIRE(h0->wait_exit(std::chrono::seconds(300)));
  REQUIRE(h1->wait_exit(std::chrono::seconds(60)));
  REQUIRE(again->wait_exit(std::chrono::seconds(60)));
  const auto out = h0->output() + h1->output();
  INFO(out << again->output());
  CHECK(h0->exit_code() == 0);
  CHECK(h1->exit_code() == 0);
  CHECK(again->exit_code() == 0);
  // The short outage cost nobody its place; the kill did, until the restart.
  CHECK_FALSE(std::regex_search(out, std::regex("process h1 .*: declared dead")));
  CHECK(rejoin_logged(again->output(), "h2", 2, 2, true));
  for (const auto* p : {h0.get(), h1.get()}) CHECK(rejoin_logged(p->output(), "h2", 2, 2, false));
  // The restarted node continued past the kill, at the cluster's iteration,
  // to the end.
  const auto after = iterations_after_rejoin(read_text(dir + "/run/h2/metrics.jsonl"));
  REQUIRE(!after.empty());  // a "rejoined" event, then iterations
  CHECK(after.front() > killed_at);
  CHECK(after.back() == iterations);
  return read_text(dir + "/run/summary.json");
}

/// Every node live and evaluated, every process at the last iteration, the
/// weight exact.
void check_ends_whole(const std::string& summary) {
  INFO(summary);
  CHECK(json_number_field(summary, "live_nodes") == host_count);
  CHECK(weight_error(summary) <= 1e-9);
  const auto per_node = per_node_accuracies(summary);
  REQUIRE(per_node.has_value());
  CHECK(per_node->find("null") == std::string::npos);
  const auto processes = summary.substr(summary.find("\"processes\""));
  const auto done = numbers_of(processes, "iterations");
  CHECK(done.size() == host_count);
  for (const double it : done) CHECK(it == iterations);
}

/// Why this machine cannot run the namespace tests (nothing: it can).
std::optional<std::string> missing_for_hosts() {
  if (!std::filesystem::exists(fashion_dir)) return "dataset-fashion-mnist is not installed";
  if (::geteuid() != 0 ||
      run_shell("command -v ip >/dev/null && command -v tc >/dev/null").exit_code != 0) {
    return "needs root, ip and tc (network namespaces)";
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE(
    "hosts as network namespaces: a link down and up, a process killed and restarted, the "
    "averaged model within 1 pp of the run without faults",
    "[integration][cluster][netns]") {
  if (const auto why = missing_for_hosts()) SGP_SKIP(*why);
  const auto dir = fresh_dir("netns");
  {
    netns_hosts hosts(host_count, "1gbit");
    if (!hosts.ok()) SGP_SKIP("cannot create network namespaces here");
    std::filesystem::create_directories(dir + "/clean");
    std::filesystem::create_directories(dir + "/faults");
    const auto clean = run_without_faults(hosts, dir + "/clean");
    const auto faulted = run_with_faults(hosts, dir + "/faults");
    check_ends_whole(clean);
    check_ends_whole(faulted);
    // The restarted node started without weight; what its old life held
    // went with it.
    const auto initial = numbers_of(faulted, "initial_weight");
    REQUIRE(initial.size() == host_count);
    CHECK(initial[0] == 1.0);
    CHECK(initial[1] == 1.0);
    CHECK(initial[2] == 0.0);
    CHECK(json_number_field(faulted, "expected_total_weight") < host_count);
    const double a_clean = json_number_field(clean, "test_accuracy_mean_model");
    const double a_faulted = json_number_field(faulted, "test_accuracy_mean_model");
    WARN("averaged model: " << a_clean << " without faults, " << a_faulted << " with; weight "
                            << json_number_field(faulted, "total_weight") << " (expected "
                            << json_number_field(faulted, "expected_total_weight") << ")");
    CHECK(a_clean >= 0.7);
    CHECK(std::abs(a_faulted - a_clean) <= 0.01);
  }
  // After the guard: no namespace or bridge of this test is left.
  const auto id = std::to_string(::getpid() % 10000);
  CHECK(run_shell("ip netns list").output.find("sgp" + id + "_") == std::string::npos);
  CHECK(run_shell("ip link show sgpbr" + id + " 2>&1").exit_code != 0);
}

TEST_CASE(
    "hosts as network namespaces: a link down past the process timeout and up again: the side "
    "cut off restarts itself and rejoins with the weight exact",
    "[integration][cluster][netns]") {
  if (const auto why = missing_for_hosts()) SGP_SKIP(*why);
  const auto dir = fresh_dir("netns_outage");
  {
    netns_hosts hosts(host_count, "1gbit");
    if (!hosts.ok()) SGP_SKIP("cannot create network namespaces here");
    // A process is dead after 2.5 s of silence (five timeouts: the pulled
    // cable keeps the connection open). h2 computes 10 times as long, so
    // that alone during the outage it does not reach the end.
    const int steps = 400;
    const auto config = hosts_config(hosts, dir, "0.5s", steps,
                                     "[[faults]]\nat_iteration = 0\naction = \"slow\"\nnode = 2\n"
                                     "factor = 10\n");
    std::vector<std::unique_ptr<background_process>> procs;
    for (int i = 0; i < host_count; ++i) {
      procs.push_back(start_on_host(hosts, i, config, dir, process_name(i)));
    }
    auto& h0 = procs[0];
    auto& h1 = procs[1];
    auto& h2 = procs[2];
    REQUIRE(wait_iteration(dir + "/run/h0/metrics.jsonl", 30, std::chrono::seconds(180), h0.get()));
    // h2's cable out until both sides hold the other dead: a partition.
    REQUIRE(hosts.set_link(2, false));
    const bool split = h0->wait_for("process h2 .*: declared dead", std::chrono::seconds(30)) &&
                       h2->wait_for("process h[01] .*: declared dead", std::chrono::seconds(30));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    REQUIRE(hosts.set_link(2, true));
    REQUIRE(split);
    for (auto& p : procs) REQUIRE(p->wait_exit(std::chrono::seconds(300)));
    INFO(h0->output() << h1->output() << h2->output());
    for (auto& p : procs) CHECK(p->exit_code() == 0);
    // The smaller side (h2 alone) restarted in place; h0 and h1 stayed.
    CHECK(std::regex_search(h2->output(),
                            std::regex("process h2 was cut off from the cluster: process h[01] "
                                       "holds this process dead \\(a partition")));
    CHECK(h2->output().find("starting again to rejoin") != std::string::npos);
    CHECK(h0->output().find("was cut off from the cluster") == std::string::npos);
    CHECK(h1->output().find("was cut off from the cluster") == std::string::npos);
    CHECK(rejoin_logged(h2->output(), "h2", 2, 2, true));
    for (const auto* p : {h0.get(), h1.get()}) CHECK(rejoin_logged(p->output(), "h2", 2, 2, false));
    const auto summary = read_text(dir + "/run/summary.json");
    INFO(summary);
    CHECK(json_number_field(summary, "live_nodes") == host_count);
    CHECK(weight_error(summary) <= 1e-9);
    CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
    const auto initial = numbers_of(summary, "initial_weight");
    REQUIRE(initial.size() == host_count);
    CHECK(initial[2] == 0.0);
  }
  const auto id = std::to_string(::getpid() % 10000);
  CHECK(run_shell("ip netns list").output.find("sgp" + id + "_") == std::string::npos);
}
