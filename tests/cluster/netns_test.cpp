// Processes on "hosts" that are network namespaces, joined by veth pairs
// through a bridge, links shaped to 1 Gbit/s with tbf: a link pulled and
// plugged back mid-run, then a process killed with SIGKILL. Needs root and
// `ip netns` (skipped otherwise); removes everything it made.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <regex>
#include <thread>

#include "tests/cluster/cluster_process.hpp"
#include "tests/cluster/netns_hosts.hpp"
#include "tests/skip.hpp"

using namespace sgp::test;

TEST_CASE("hosts as network namespaces: a link down and up, then a process killed",
          "[integration][cluster][netns]") {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
    SGP_SKIP("dataset-fashion-mnist is not installed");
  }
  if (::geteuid() != 0 ||
      run_shell("command -v ip >/dev/null && command -v tc >/dev/null").exit_code != 0) {
    SGP_SKIP("needs root, ip and tc (network namespaces)");
  }
  const auto dir = fresh_dir("netns");
  {
    netns_hosts hosts(3, "1gbit");
    if (!hosts.ok()) SGP_SKIP("cannot create network namespaces here");
    std::string toml = "[run]\ndir = \"" + dir + "/run\"\n[cluster]\nprocess_timeout = \"3s\"\n";
    for (int i = 0; i < 3; ++i) {
      toml += "[[cluster.process]]\nname = \"h" + std::to_string(i) + "\"\nhost = \"" +
              hosts.address(i) + "\"\nport = 29500\nnodes = 1\n";
    }
    toml +=
        "[model]\nname = \"mlp\"\n[data]\nbatch_size = 32\n[optimizer]\nlr = 0.05\n"
        "[schedule]\nepochs = 1\nwarmup_epochs = 0.1\nmax_iterations = 160\n"
        "[algorithm]\nname = \"sgp\"\n[output]\ncheckpoint_every_epochs = 0\n"
        "consensus_every_iterations = 0\n";
    const auto config = dir + "/hosts.toml";
    write_text(config, toml);
    std::vector<std::unique_ptr<background_process>> procs;
    for (int i = 0; i < 3; ++i) {
      procs.push_back(std::make_unique<background_process>(
          std::vector<std::string>{"/usr/sbin/ip", "netns", "exec", hosts.name(i), sgp_binary(),
                                   "node", config, "--process", "h" + std::to_string(i)},
          dir + "/h" + std::to_string(i) + ".log"));
    }
    const auto m0 = dir + "/run/h0/metrics.jsonl";
    REQUIRE(wait_iteration(m0, 30, std::chrono::seconds(180)));
    // h1's cable out for a second (under process_timeout): TCP carries on.
    REQUIRE(hosts.set_link(1, false));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    REQUIRE(hosts.set_link(1, true));
    REQUIRE(wait_iteration(m0, 60, std::chrono::seconds(180)));
    procs[2]->send_signal(SIGKILL);
    REQUIRE(procs[0]->wait_exit(std::chrono::seconds(300)));
    REQUIRE(procs[1]->wait_exit(std::chrono::seconds(60)));
    const auto out = procs[0]->output() + procs[1]->output();
    INFO(out);
    CHECK(procs[0]->exit_code() == 0);
    CHECK(procs[1]->exit_code() == 0);
    // The short outage cost nobody its place; the kill did.
    CHECK_FALSE(std::regex_search(out, std::regex("process h1 .*: declared dead")));
    CHECK(std::regex_search(out, std::regex("process h2 .*: declared dead")));
    const auto summary = read_text(dir + "/run/summary.json");
    const double total = json_number_field(summary, "total_weight");
    const double expected = json_number_field(summary, "expected_total_weight");
    CHECK(std::abs(total - expected) / expected <= 1e-9);
    CHECK(json_number_field(summary, "live_nodes") == 2);
    CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
    procs.clear();
  }
  // After the guard: no namespace or bridge of this test is left.
  const auto id = std::to_string(::getpid() % 10000);
  CHECK(run_shell("ip netns list").output.find("sgp" + id + "_") == std::string::npos);
  CHECK(run_shell("ip link show sgpbr" + id + " 2>&1").exit_code != 0);
}
