// ar-sgd across processes (Gloo): `sgp launch` of three processes runs to
// the end with every replica identical, and after one process is killed
// with SIGKILL the survivors rebuild the collective over themselves, redo
// the iteration and finish, still identical.
#ifdef SGP_HAVE_GLOO
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <map>
#include <regex>

#include "tests/cluster/cluster_process.hpp"
#include "tests/skip.hpp"

using namespace sgp::test;

namespace {

/// The live nodes' test accuracies in a summary.json (dead nodes are null).
std::vector<double> live_accuracies(const std::string& summary) {
  std::vector<double> out;
  const auto found = per_node_accuracies(summary);
  if (!found) return out;
  const auto& list = *found;
  const std::regex number("[-0-9.eE+]+");
  for (std::sregex_iterator it(list.begin(), list.end(), number), end; it != end; ++it) {
    out.push_back(std::stod(it->str()));
  }
  return out;
}

}  // namespace

TEST_CASE("ar-sgd cluster: sgp launch of three processes with Gloo keeps every replica identical",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_ar_sgd");
  const auto config = cluster_config(dir, 3, 2, 100);
  const auto r = run_sgp("launch " + config + " --set algorithm.name=ar-sgd");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  for (const char* p : {"p0", "p1", "p2"}) {
    CHECK(r.output.find(std::string("launch: [") + p + "] exited with code 0") !=
          std::string::npos);
    CHECK(last_iteration(dir + "/run/" + p + "/metrics.jsonl") == 100);
  }
  CHECK(r.output.find("Gloo context over processes p0, p1, p2 (rank 2 of 3, generation 1)") !=
        std::string::npos);
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 6);
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
  // The same average everywhere: six identical replicas.
  const auto acc = live_accuracies(summary);
  REQUIRE(acc.size() == 6);
  for (const double a : acc) CHECK(a == acc.front());
  CHECK(acc.front() == json_number_field(summary, "test_accuracy_mean_model"));
  CHECK(json_number_field(summary, "consensus_distance") == 0.0);
}

TEST_CASE("ar-sgd cluster: after a SIGKILL the survivors rebuild and finish identical",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_ar_sgd_kill");
  const auto config = cluster_config(dir, 3, 1, 120, "", "30s");
  const std::vector<std::string> ar{"--set", "algorithm.name=ar-sgd"};
  auto p0 = start_node(config, "p0", dir, {}, ar);
  auto p1 = start_node(config, "p1", dir, {}, ar);
  auto p2 = start_node(config, "p2", dir, {}, ar);
  REQUIRE(wait_iteration(dir + "/run/p0/metrics.jsonl", 30, std::chrono::seconds(120), p0.get()));
  p2->send_signal(SIGKILL);
  REQUIRE(p0->wait_exit(std::chrono::seconds(120)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 0);
  for (const auto* p : {p0.get(), p1.get()}) {
    CHECK(std::regex_search(p->output(),
                            std::regex("Gloo's allreduce of iteration [0-9]+ over processes p0, "
                                       "p1, p2 failed")));
    CHECK(std::regex_search(p->output(),
                            std::regex("rebuilt over the surviving processes p0, p1 \\(rank [01] "
                                       "of 2, generation 2\\)")));
  }
  CHECK(last_iteration(dir + "/run/p0/metrics.jsonl") == 120);
  CHECK(last_iteration(dir + "/run/p1/metrics.jsonl") == 120);
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 2);
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.65);
  const auto acc = live_accuracies(summary);
  REQUIRE(acc.size() == 2);
  CHECK(acc[0] == acc[1]);
}

TEST_CASE("ar-sgd cluster: Ctrl-C stops every node at the same iteration",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_ar_sgd_stop");
  const auto config = cluster_config(dir, 2, 1, 100000);
  const std::vector<std::string> ar{"--set", "algorithm.name=ar-sgd"};
  auto p0 = start_node(config, "p0", dir, {}, ar);
  auto p1 = start_node(config, "p1", dir, {}, ar);
  REQUIRE(wait_iteration(dir + "/run/p1/metrics.jsonl", 15, std::chrono::seconds(120), p1.get()));
  p1->send_signal(SIGINT);
  REQUIRE(p0->wait_exit(std::chrono::seconds(60)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 128 + SIGINT);
  CHECK(last_iteration(dir + "/run/p0/metrics.jsonl") ==
        last_iteration(dir + "/run/p1/metrics.jsonl"));
  const auto summary = read_text(dir + "/run/summary.json");
  const auto acc = live_accuracies(summary);
  REQUIRE(acc.size() == 2);
  CHECK(acc[0] == acc[1]);
}
TEST_CASE("ar-sgd cluster: a run resumed from its last checkpoint retraces the whole run",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_ar_sgd_resume");
  const auto config = cluster_config(dir, 2, 2, 0);
  // 25 iterations an epoch; pauses at 25, 50 and 75.
  const std::string run =
      " --set algorithm.name=ar-sgd --set data.max_train_samples=3200"
      " --set data.max_test_samples=2000 --set schedule.epochs=4"
      " --set output.checkpoint_every_epochs=1";
  const auto whole = run_sgp("launch " + config + run);
  INFO(whole.output);
  REQUIRE(whole.exit_code == 0);
  CHECK(whole.output.find("iteration 75: every live process wrote its nodes") != std::string::npos);
  // The same run killed outright once both processes wrote the pause at
  // 50: its files are that pause's cut (save_here's, not the end's).
  const std::vector<std::string> args{"--set", "algorithm.name=ar-sgd",
                                      "--set", "data.max_train_samples=3200",
                                      "--set", "data.max_test_samples=2000",
                                      "--set", "schedule.epochs=4",
                                      "--set", "output.checkpoint_every_epochs=1",
                                      "--set", "run.dir=" + dir + "/cut"};
  auto c0 = start_node(config, "p0", dir, {}, args);
  auto c1 = start_node(config, "p1", dir, {}, args);
  REQUIRE(wait_checkpoint(dir + "/cut", {"p0", "p1"}, 50, std::chrono::seconds(240)));
  c0->send_signal(SIGKILL);
  c1->send_signal(SIGKILL);
  REQUIRE(c0->wait_exit(std::chrono::seconds(10)));
  REQUIRE(c1->wait_exit(std::chrono::seconds(10)));
  // From those files, into another run directory.
  const auto resumed = run_sgp("launch " + config + run + " --resume " + dir +
                               "/cut --set run.dir=" + dir + "/resumed");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("resumed from " + dir +
                            "/cut/p1/checkpoints/latest.ckpt at "
                            "iteration 50") != std::string::npos);
  // Model, momentum, statistics and data position came back: the last 50
  // iterations are the same ones, to the bit.
  for (const char* p : {"p0", "p1"}) {
    const auto a = read_text(dir + "/run/" + p + "/metrics.jsonl");
    const auto b = read_text(dir + "/resumed/" + p + "/metrics.jsonl");
    CHECK(numbers_of(b, "iteration").front() == 50);  // the resume line first
    const std::regex last("\"node\":([0-9]+),\"iteration\":100,[^}]*\"loss\":([-0-9.eE+]+)");
    std::map<std::string, std::string> loss_a, loss_b;
    for (std::sregex_iterator it(a.begin(), a.end(), last), end; it != end; ++it)
      loss_a[(*it)[1]] = (*it)[2];
    for (std::sregex_iterator it(b.begin(), b.end(), last), end; it != end; ++it)
      loss_b[(*it)[1]] = (*it)[2];
    REQUIRE(loss_a.size() == 2);
    CHECK(loss_a == loss_b);
  }
  const auto sa = read_text(dir + "/run/summary.json");
  const auto sb = read_text(dir + "/resumed/summary.json");
  CHECK(json_number_field(sb, "iterations") == 100);
  CHECK(json_number_field(sb, "test_accuracy_mean_model") ==
        json_number_field(sa, "test_accuracy_mean_model"));
  CHECK(live_accuracies(sb) == live_accuracies(sa));
}
TEST_CASE("ar-sgd cluster: a stop during a checkpoint's pause ends every node at one iteration",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_ar_sgd_pause_stop");
  const auto config =
      cluster_config(dir, 2, 2, 100000, "http = \"127.0.0.1:0\"\nhttp_secret = \"pause-s3cret\"\n");
  const std::vector<std::string> ar{"--set", "algorithm.name=ar-sgd"};
  auto p0 = start_node(config, "p0", dir, {}, ar);
  auto p1 = start_node(config, "p1", dir, {}, ar);
  const auto port =
      p0->wait_for("status page on http://127\\.0\\.0\\.1:([0-9]+)/", std::chrono::seconds(60));
  REQUIRE(port);
  REQUIRE(wait_iteration(dir + "/run/p0/metrics.jsonl", 10, std::chrono::seconds(120), p0.get()));
  const auto asked = run_console(*port, "pause-s3cret", "checkpoint");
  INFO(asked.output);
  REQUIRE(asked.output.find("checkpoint at iteration") != std::string::npos);
  // The stop while the nodes are paused (a pause takes the flush's 300 ms
  // at least): every node was done there, and must step on to the stop's
  // iteration before its process ends.
  REQUIRE(p0->wait_for("its nodes paused at iteration", std::chrono::seconds(60)));
  const auto stop = run_console(*port, "pause-s3cret", "stop");
  INFO(stop.output);
  REQUIRE(p0->wait_exit(std::chrono::seconds(60)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 0);
  CHECK(last_iteration(dir + "/run/p0/metrics.jsonl") ==
        last_iteration(dir + "/run/p1/metrics.jsonl"));
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 4);
  const auto acc = live_accuracies(summary);
  REQUIRE(acc.size() == 4);
  for (const double a : acc) CHECK(a == acc.front());
}

TEST_CASE("ar-sgd cluster: a process dead at the cut stays out of the resume, the others resume",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_ar_sgd_resume_dead");
  const auto config = cluster_config(dir, 3, 1, 0);
  // 60 iterations an epoch (3 nodes of 32); pauses at 60 and 120 of 180.
  const std::vector<std::string> args{
      "--set", "algorithm.name=ar-sgd",           "--set", "data.max_train_samples=5760",
      "--set", "data.max_test_samples=2000",      "--set", "schedule.epochs=3",
      "--set", "output.checkpoint_every_epochs=1"};
  auto first = args;
  first.insert(first.end(), {"--set", "run.dir=" + dir + "/cut"});
  auto p0 = start_node(config, "p0", dir, {}, first);
  auto p1 = start_node(config, "p1", dir, {}, first);
  auto p2 = start_node(config, "p2", dir, {}, first);
  // p2 dies after the pause at 60; p0 and p1 write the one at 120 without it.
  REQUIRE(wait_checkpoint(dir + "/cut", {"p0", "p1", "p2"}, 60, std::chrono::seconds(240)));
  p2->send_signal(SIGKILL);
  REQUIRE(p2->wait_exit(std::chrono::seconds(10)));
  REQUIRE(wait_checkpoint(dir + "/cut", {"p0", "p1"}, 120, std::chrono::seconds(240)));
  p0->send_signal(SIGKILL);
  p1->send_signal(SIGKILL);
  REQUIRE(p0->wait_exit(std::chrono::seconds(10)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(10)));
  INFO(p0->output() << p2->output());
  REQUIRE(last_iteration(dir + "/cut/p2/metrics.jsonl") < 120);

  // Until session 29 this resume was refused ("ar-sgd lets no process
  // rejoin"), and the run could not go on at all.
  std::string run;
  for (const auto& a : args) run += " " + a;
  const auto resumed = run_sgp("launch " + config + run + " --resume " + dir +
                               "/cut --set run.dir=" + dir + "/resumed");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  for (const char* p : {"p0", "p1", "p2"}) {
    CHECK(resumed.output.find(std::string("launch: [") + p + "] exited with code 0") !=
          std::string::npos);
  }
  // Every process says p2's node stays out, and the sum is over p0 and p1
  // from the first step (no failed collective, no rebuild).
  const std::regex out(
      "process p2's checkpoint is of iteration 60 \\(pause-60\\), the cut's is 120 "
      "\\(pause-120\\): it was dead at the cut; ar-sgd starts no node without state, so its "
      "nodes 2 stay out of the resumed run");
  const auto said =
      std::distance(std::sregex_iterator(resumed.output.begin(), resumed.output.end(), out),
                    std::sregex_iterator());
  CHECK(said == 3);
  CHECK(resumed.output.find("this process stays in the cluster without them") != std::string::npos);
  CHECK(std::regex_search(resumed.output,
                          std::regex("Gloo context over processes p0, p1 \\(rank [01] of 2, "
                                     "generation 1\\)")));
  CHECK(resumed.output.find("failed") == std::string::npos);
  CHECK(last_iteration(dir + "/resumed/p0/metrics.jsonl") == 180);
  CHECK(last_iteration(dir + "/resumed/p1/metrics.jsonl") == 180);
  const auto summary = read_text(dir + "/resumed/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 2);
  CHECK(json_number_field(summary, "iterations") == 180);
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
  const auto acc = live_accuracies(summary);
  REQUIRE(acc.size() == 2);
  CHECK(acc[0] == acc[1]);

  // p2 as if it had died before its first checkpoint: its metrics.jsonl
  // in that run directory and no file. The same resume, to the bit.
  std::filesystem::remove(dir + "/cut/p2/checkpoints/latest.ckpt");
  const auto none = run_sgp("launch " + config + run + " --resume " + dir +
                            "/cut --set run.dir=" + dir + "/resumed_none");
  INFO(none.output);
  REQUIRE(none.exit_code == 0);
  CHECK(none.output.find("checkpoints/latest.ckpt does not exist: this process wrote no "
                         "checkpoint in that run") != std::string::npos);
  CHECK(none.output.find("process p2 wrote no checkpoint in that run; ar-sgd starts no node "
                         "without state, so its nodes 2 stay out") != std::string::npos);
  const auto summary_none = read_text(dir + "/resumed_none/summary.json");
  CHECK(json_number_field(summary_none, "live_nodes") == 2);
  CHECK(live_accuracies(summary_none) == acc);
  // A wrong path is still refused: no file and no metrics.jsonl.
  const auto wrong = run_sgp("launch " + config + run + " --resume " + dir + "/nowhere");
  CHECK(wrong.exit_code != 0);
  CHECK(wrong.output.find(dir + "/nowhere/p0/checkpoints/latest.ckpt does not exist") !=
        std::string::npos);
}
#endif
