// Node-level kill and revive across processes: three `sgp node` processes
// of two nodes each on 127.0.0.1. A node is killed mid-run and revived
// later, by [[faults]] (the node's process fires them) and by the console
// (`sgp console HOST:PORT`, on the node's process and forwarded from
// another). Every process takes the node out of its view and back in; the
// revived node takes mass from its in-neighbours, and the run ends with all
// six nodes live and the weight exact.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include "tests/cluster/cluster_process.hpp"
#include "tests/skip.hpp"

using namespace sgp::test;

namespace {

/// Every process logged the kill and the revive of `node`, asked by `origin`
/// (a regex).
void check_logged(const std::vector<std::unique_ptr<background_process>>& processes, int node,
                  const std::string& origin) {
  const auto id = std::to_string(node);
  for (const auto& p : processes) {
    INFO(p->output());
    CHECK(std::regex_search(p->output(), std::regex("node " + id + " killed \\(asked by " + origin +
                                                    "\\): it left the view")));
    CHECK(std::regex_search(
        p->output(), std::regex("node " + id + " revived as incarnation 1 \\(asked by " + origin +
                                "\\): it starts without mass")));
  }
}

/// All six nodes live and evaluated, the weight exact, the accuracy of the
/// other cluster tests; the revived node's life started without weight.
void check_summary(const std::string& dir, int iterations) {
  const auto summary = read_text(dir + "/run/summary.json");
  INFO(summary);
  CHECK(json_number_field(summary, "live_nodes") == 6);
  const auto per_node = per_node_accuracies(summary);
  REQUIRE(per_node.has_value());
  CHECK(per_node->find("null") == std::string::npos);
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
  CHECK(weight_error(summary) <= 1e-9);
  // The killed life's weight went with it: fewer than 6 units expected.
  CHECK(json_number_field(summary, "expected_total_weight") < 6.0);
  CHECK(json_number_field(summary, "iterations") == iterations);
}

}  // namespace

TEST_CASE("kill and revive faults in a cluster: all nodes end live and the weight is exact",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_node_faults");
  const int iterations = 300;
  // Node 3 lives in p1.
  const auto config =
      cluster_config(dir, 3, 2, iterations,
                     "[[faults]]\nat_iteration = 60\naction = \"kill\"\nnode = 3\n"
                     "[[faults]]\nat_iteration = 120\naction = \"revive\"\nnode = 3\n");
  auto processes = start_processes(config, dir, 3);
  for (const auto& p : processes) REQUIRE(p->wait_exit(std::chrono::seconds(300)));
  for (const auto& p : processes) {
    INFO(p->output());
    CHECK(p->exit_code() == 0);
  }
  check_logged(processes, 3, "\\[\\[faults\\]\\] at iteration [0-9]+ on process p1");
  const auto p1 = read_text(dir + "/run/p1/metrics.jsonl");
  CHECK(p1.find("\"event\":\"node_killed\"") != std::string::npos);
  CHECK(p1.find("\"event\":\"node_revived\"") != std::string::npos);
  // The revived node continued at the cluster's iteration and finished.
  const auto revived = p1.find("\"event\":\"node_revived\"");
  const std::regex node3("\"event\":\"train\",\"node\":3,\"iteration\":([0-9]+)");
  std::smatch first;
  const auto after = p1.substr(revived);
  REQUIRE(std::regex_search(after, first, node3));
  CHECK(std::stoi(first[1].str()) > 110);
  check_summary(dir, iterations);
}

TEST_CASE("sgp console kills and revives a node in a cluster from any process",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_node_console");
  const int iterations = 300;
  const auto config = cluster_config(dir, 3, 2, iterations,
                                     "http = \"127.0.0.1:0\"\nhttp_secret = \"console-s3cret\"\n");
  auto processes = start_processes(config, dir, 3);
  auto& p0 = processes[0];
  auto& p1 = processes[1];
  const std::string page = "status page on http://127\\.0\\.0\\.1:([0-9]+)/";
  const auto port0 = p0->wait_for(page, std::chrono::seconds(60));
  const auto port1 = p1->wait_for(page, std::chrono::seconds(60));
  REQUIRE(port0);
  REQUIRE(port1);
  const auto console = [](const std::string& port, const std::string& line) {
    return run_console(port, "console-s3cret", line);
  };
  REQUIRE(wait_iteration(dir + "/run/p0/metrics.jsonl", 40, std::chrono::seconds(180), p0.get()));
  // Node 1 lives in p0: killed on its own process, revived from p1's
  // console (forwarded to p0).
  const auto killed = console(*port0, "kill 1");
  INFO(killed.output);
  CHECK(killed.exit_code == 0);
  CHECK(killed.output.find("node 1 killed (asked by process p0)") != std::string::npos);
  const int at = last_iteration(dir + "/run/p2/metrics.jsonl");
  REQUIRE(wait_iteration(dir + "/run/p2/metrics.jsonl", at + 30, std::chrono::seconds(120),
                         processes[2].get()));
  const auto revived = console(*port1, "revive 1");
  INFO(revived.output);
  CHECK(revived.exit_code == 0);
  CHECK(revived.output.find("sent to process p0, which owns node 1") != std::string::npos);
  for (const auto& p : processes) REQUIRE(p->wait_exit(std::chrono::seconds(300)));
  for (const auto& p : processes) {
    INFO(p->output());
    CHECK(p->exit_code() == 0);
  }
  for (const auto& p : processes) {
    INFO(p->output());
    CHECK(p->output().find("node 1 killed (asked by process p0)") != std::string::npos);
    CHECK(p->output().find("node 1 revived as incarnation 1 (asked by process p1)") !=
          std::string::npos);
  }
  check_summary(dir, iterations);
}
