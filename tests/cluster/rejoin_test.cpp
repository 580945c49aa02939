// A restarted process rejoins a running cluster: three `sgp node` processes
// on 127.0.0.1, one killed with SIGKILL mid-run and started again with the
// same command once the survivors declared it dead. Its nodes come back as
// new incarnations without mass, take it from their in-neighbours, continue
// at the cluster's iteration, and the run ends with all six nodes live and
// the weight exact.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <regex>

#include "tests/cluster/cluster_process.hpp"
#include "tests/skip.hpp"

using namespace sgp::test;

TEST_CASE("a process killed with SIGKILL and restarted rejoins: all nodes end live, weight exact",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_rejoin");
  const int iterations = 300;
  const auto config = cluster_config(dir, 3, 2, iterations);
  // p2's first life as if its host's clock had been an hour ahead of the
  // restart's (what a clock stepped back leaves behind): the restart must
  // still be a later life (core/incarnation.hpp). Until session 29 it was
  // taken for the earlier life and stayed out.
  const auto ahead =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count()) +
      3'600'000'000ULL;
  std::filesystem::create_directories(dir + "/run/p2");
  write_text(dir + "/run/p2/incarnation", std::to_string(ahead) + "\n");
  auto processes = start_processes(config, dir, 3);
  auto& p0 = processes[0];
  auto& p1 = processes[1];
  auto& p2 = processes[2];
  REQUIRE(wait_iteration(dir + "/run/p0/metrics.jsonl", 40, std::chrono::seconds(180), p0.get()));
  p2->send_signal(SIGKILL);
  REQUIRE(p2->wait_exit(std::chrono::seconds(10)));
  // Started again once both survivors declared it dead (and kept training).
  REQUIRE(p0->wait_for("process p2 .*: declared dead", std::chrono::seconds(30)));
  REQUIRE(p1->wait_for("process p2 .*: declared dead", std::chrono::seconds(30)));
  const int killed_at = last_iteration(dir + "/run/p0/metrics.jsonl");
  auto again = restart_node(config, "p2", dir, "p2-restarted");
  REQUIRE(p0->wait_exit(std::chrono::seconds(300)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  REQUIRE(again->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output() << again->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 0);
  CHECK(again->exit_code() == 0);

  // One line on each side.
  CHECK(rejoin_logged(again->output(), "p2", 4, 5, true));
  for (const auto* p : {p0.get(), p1.get()}) CHECK(rejoin_logged(p->output(), "p2", 4, 5, false));
  CHECK(read_text(dir + "/run/p0/metrics.jsonl").find("\"event\":\"process_rejoined\"") !=
        std::string::npos);
  CHECK(read_text(dir + "/run/p2/incarnation") == std::to_string(ahead + 2) + "\n");

  // The rejoined nodes continued at the cluster's iteration, not from 0.
  const auto after = iterations_after_rejoin(read_text(dir + "/run/p2/metrics.jsonl"));
  REQUIRE(!after.empty());  // a "rejoined" event, then iterations
  CHECK(after.front() > killed_at);
  CHECK(after.back() == iterations);

  // All six nodes live and evaluated at the end; the weight exact.
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 6);
  const auto per_node = per_node_accuracies(summary);
  REQUIRE(per_node.has_value());
  CHECK(per_node->find("null") == std::string::npos);
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
  CHECK(weight_error(summary) <= 1e-9);
  // The rejoined process's nodes started with no weight; the old life's
  // went with it: the live nodes started with 4 units, and fewer than 6
  // are expected.
  const auto initial = numbers_of(summary, "initial_weight");
  REQUIRE(initial.size() == 3);
  CHECK(initial[0] == 2.0);
  CHECK(initial[1] == 2.0);
  CHECK(initial[2] == 0.0);
  CHECK(json_number_field(summary, "expected_total_weight") < 6.0);
  for (const double it : numbers_of(summary.substr(summary.find("\"processes\"")), "iterations")) {
    CHECK(it == iterations);
  }
}

TEST_CASE("a rejoined process takes the cluster's links and slow nodes from its welcome",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_rejoin_links");
  const int iterations = 300;
  const auto config = cluster_config(dir, 3, 1, iterations,
                                     "http = \"127.0.0.1:0\"\nhttp_secret = \"links-s3cret\"\n");
  auto processes = start_processes(config, dir, 3);
  auto& p0 = processes[0];
  auto& p2 = processes[2];
  const auto port =
      p0->wait_for("status page on http://127\\.0\\.0\\.1:([0-9]+)/", std::chrono::seconds(60));
  REQUIRE(port);
  REQUIRE(wait_iteration(dir + "/run/p0/metrics.jsonl", 20, std::chrono::seconds(180), p0.get()));
  // Node k lives in process pk: a link between the survivors, and node 2
  // (p2's own) slowed, before p2 dies.
  const auto console = run_console(*port, "links-s3cret", "link down 0 1\\nslow 2 2x");
  INFO(console.output);
  REQUIRE(console.output.find("link 0 <-> 1 down (sent to every process)") != std::string::npos);
  REQUIRE(p2->wait_for("node 2 computes 2x slower \\(asked by process p0\\)",
                       std::chrono::seconds(30)));
  p2->send_signal(SIGKILL);
  REQUIRE(p2->wait_exit(std::chrono::seconds(10)));
  REQUIRE(p0->wait_for("process p2 .*: declared dead", std::chrono::seconds(30)));
  REQUIRE(processes[1]->wait_for("process p2 .*: declared dead", std::chrono::seconds(30)));
  auto again = restart_node(config, "p2", dir, "p2-restarted");
  REQUIRE(p0->wait_exit(std::chrono::seconds(300)));
  REQUIRE(processes[1]->wait_exit(std::chrono::seconds(30)));
  REQUIRE(again->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << again->output());
  CHECK(p0->exit_code() == 0);
  CHECK(again->exit_code() == 0);
  // The restarted process applied both again, from the survivor that
  // readmitted it, in order.
  const auto out = again->output();
  const std::regex down("link 0 <-> 1 down \\(asked by process p[01]'s welcome\\)");
  const std::regex slow("node 2 computes 2x slower \\(asked by process p[01]'s welcome\\)");
  std::smatch first, second;
  REQUIRE(std::regex_search(out, first, down));
  REQUIRE(std::regex_search(out, second, slow));
  CHECK(first.position(0) < second.position(0));
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 3);
  CHECK(weight_error(summary) <= 1e-9);
}

#ifdef SGP_HAVE_GLOO
TEST_CASE("ar-sgd cluster: a restarted process stays out, and the survivors say so",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_ar_sgd_restart");
  const auto config = cluster_config(dir, 3, 1, 200, "", "10s");
  const std::vector<std::string> ar{"--set", "algorithm.name=ar-sgd"};
  auto p0 = start_node(config, "p0", dir, {}, ar);
  auto p1 = start_node(config, "p1", dir, {}, ar);
  auto p2 = start_node(config, "p2", dir, {}, ar);
  REQUIRE(wait_iteration(dir + "/run/p0/metrics.jsonl", 30, std::chrono::seconds(120), p0.get()));
  p2->send_signal(SIGKILL);
  REQUIRE(p2->wait_exit(std::chrono::seconds(10)));
  REQUIRE(p0->wait_for("process p2 .*: declared dead", std::chrono::seconds(30)));
  REQUIRE(p1->wait_for("process p2 .*: declared dead", std::chrono::seconds(30)));
  auto again = std::make_unique<background_process>(
      std::vector<std::string>{"/usr/bin/env", sgp_binary(), "node", config, "--process", "p2",
                               "--set", "algorithm.name=ar-sgd"},
      dir + "/p2-restarted.log");
  REQUIRE(p0->wait_exit(std::chrono::seconds(180)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  REQUIRE(again->wait_exit(std::chrono::seconds(60)));
  INFO(p0->output() << p1->output() << again->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 0);
  // Nobody let it in: it stops after its join timeout, alone.
  CHECK(again->exit_code() != 0);
  CHECK(again->output().find("did not join within 10 s") != std::string::npos);
  for (const auto* p : {p0.get(), p1.get()}) {
    CHECK(std::regex_search(p->output(),
                            std::regex("process p2 is back \\(incarnation [0-9]+\\), but ar-sgd "
                                       "does not let a process rejoin: its nodes 2\\.\\.2 stay "
                                       "dead")));
  }
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 2);
}
#endif
