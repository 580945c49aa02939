// Checkpoints across processes: every process writes its nodes' part of one
// cut at each pause; a cluster killed outright resumes from them with
// `sgp node --resume` (docs/cluster.md, "Checkpoints").
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <thread>

#include "tests/cluster/cluster_process.hpp"
#include "tests/skip.hpp"

using namespace sgp::test;

namespace {

/// 3200 samples over 4 nodes of batch 32: 25 iterations an epoch.
const std::vector<std::string> small_run{
    "--set", "data.max_train_samples=3200", "--set", "data.max_test_samples=2000",
    "--set", "schedule.epochs=4",           "--set", "output.checkpoint_every_epochs=1"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

/// The "resume" event's iteration in a metrics.jsonl (-1: none).
int resumed_at(const std::string& metrics) {
  const auto at = metrics.find("\"event\":\"resume\"");
  if (at == std::string::npos) return -1;
  const auto line_end = metrics.find('\n', at);
  const auto values = numbers_of(metrics.substr(at, line_end - at), "iteration");
  return values.empty() ? -1 : static_cast<int>(values.front());
}

/// Resumes the two processes of the run in `dir` with `config` and waits
/// for both to end, each with exit code 0; returns their output.
std::string resume_both(const std::string& config, const std::string& dir) {
  const auto again = with(small_run, {"--resume", dir + "/run"});
  auto r0 = start_node(config, "p0", dir + "/run", {}, again);
  auto r1 = start_node(config, "p1", dir + "/run", {}, again);
  REQUIRE(r0->wait_exit(std::chrono::seconds(240)));
  REQUIRE(r1->wait_exit(std::chrono::seconds(30)));
  const auto out = r0->output() + r1->output();
  INFO(out);
  CHECK(r0->exit_code() == 0);
  CHECK(r1->exit_code() == 0);
  return out;
}

}  // namespace

TEST_CASE("a cluster killed outright resumes from its last checkpoint: the weight exact",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_checkpoint");
  const auto config = cluster_config(dir, 2, 2, 0);
  auto p0 = start_node(config, "p0", dir, {}, small_run);
  auto p1 = start_node(config, "p1", dir, {}, small_run);
  // The pause at iteration 50 (the second epoch's end) is written by both
  // processes; then the whole cluster is lost.
  REQUIRE(wait_checkpoint(dir + "/run", {"p0", "p1"}, 50, std::chrono::seconds(240)));
  p0->send_signal(SIGKILL);
  p1->send_signal(SIGKILL);
  REQUIRE(p0->wait_exit(std::chrono::seconds(10)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(10)));
  INFO(p0->output() << p1->output());
  CHECK(p1->output().find("its nodes paused at iteration 25 for a checkpoint") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/run/summary.json"));
  for (const char* p : {"p0", "p1"}) {
    CHECK(std::filesystem::exists(dir + "/run/" + p + "/checkpoints/latest.ckpt"));
    const auto metrics = read_text(dir + "/run/" + p + "/metrics.jsonl");
    CHECK(metrics.find("\"event\":\"checkpoint\",\"iteration\":25,\"nodes\":2") !=
          std::string::npos);
    CHECK(metrics.find("\"event\":\"checkpoint\",\"iteration\":50,\"nodes\":2") !=
          std::string::npos);
  }

  // Each process resumes from its own file of that cut; the run finishes.
  (void)resume_both(config, dir);
  for (const char* p : {"p0", "p1"}) {
    const auto metrics = read_text(dir + "/run/" + p + "/metrics.jsonl");
    // Resumed at 50, or at 75 when the kill came after that pause too.
    const int at = resumed_at(metrics);
    CHECK((at == 50 || at == 75));
    // The iterations after the resume go on from there, not from 0.
    const auto after =
        numbers_of(metrics.substr(metrics.find("\"event\":\"resume\"")), "iteration");
    REQUIRE(after.size() > 2);
    CHECK(after[1] == at + 1);
    CHECK(after.back() == 100);
    // The end's state is each process's latest.ckpt: nothing trained is lost.
    CHECK(metrics.find("\"event\":\"checkpoint\",\"iteration\":100,\"nodes\":2") !=
          std::string::npos);
  }
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 4);
  CHECK(json_number_field(summary, "iterations") == 100);
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
  // The resumed nodes started with the checkpoint's weights, which add up
  // to the cluster's 4 (nothing was in flight at the cut).
  CHECK(weight_error(summary) <= 1e-9);
  CHECK(json_number_field(summary, "expected_total_weight") == Approx(4.0).epsilon(1e-9));
}

namespace {

/// Both processes write the pauses at 25 and 50 and are killed; then, as
/// if the given ones had died between the release of their last cut and
/// their rename, that cut is their next.ckpt and the one before their
/// latest.ckpt. Returns the directory and the config to resume with.
std::pair<std::string, std::string> died_before_rename(const std::string& name,
                                                       const std::vector<std::string>& renamers) {
  const auto dir = fresh_dir(name);
  const auto config = cluster_config(dir, 2, 2, 0);
  auto p0 = start_node(config, "p0", dir, {}, small_run);
  auto p1 = start_node(config, "p1", dir, {}, small_run);
  REQUIRE(wait_checkpoint(dir + "/run", {"p0", "p1"}, 25, std::chrono::seconds(240)));
  for (const auto& p : renamers) {
    std::filesystem::copy_file(dir + "/run/" + p + "/checkpoints/latest.ckpt",
                               dir + "/" + p + "-earlier.ckpt");
  }
  REQUIRE(wait_checkpoint(dir + "/run", {"p0", "p1"}, 50, std::chrono::seconds(240)));
  p0->send_signal(SIGKILL);
  p1->send_signal(SIGKILL);
  REQUIRE(p0->wait_exit(std::chrono::seconds(10)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(10)));
  for (const auto& p : renamers) {
    const auto ckpt = dir + "/run/" + p + "/checkpoints/";
    REQUIRE(read_text(dir + "/" + p + "-earlier.ckpt") != read_text(ckpt + "latest.ckpt"));
    std::filesystem::rename(ckpt + "latest.ckpt", ckpt + "next.ckpt");
    std::filesystem::copy_file(dir + "/" + p + "-earlier.ckpt", ckpt + "latest.ckpt");
  }
  return {dir, config};
}

/// The last "resume" line's iteration in a metrics.jsonl.
int last_resumed_at(const std::string& metrics) {
  return resumed_at(metrics.substr(metrics.rfind("\"event\":\"resume\"")));
}

}  // namespace

TEST_CASE("a process that died before its rename resumes from its next.ckpt of the cut",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto [dir, config] = died_before_rename("cluster_checkpoint_rename", {"p1"});
  const auto out = resume_both(config, dir);
  INFO(out);
  CHECK(out.find("[process p1] warn: checkpoint: ") != std::string::npos);
  CHECK(out.find("that cut was released, and this process died before its rename") !=
        std::string::npos);
  CHECK(out.find("start without mass") == std::string::npos);
  // Both went on from the same cut: p1's last resume line is p0's.
  const auto m0 = read_text(dir + "/run/p0/metrics.jsonl");
  const auto m1 = read_text(dir + "/run/p1/metrics.jsonl");
  CHECK(last_resumed_at(m1) == resumed_at(m0));
  CHECK(last_resumed_at(m1) >= 50);
  CHECK_FALSE(std::filesystem::exists(dir + "/run/p1/checkpoints/next.ckpt"));  // renamed
  // Nothing was lost: every node resumed with its weight (4 in all).
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 4);
  CHECK(weight_error(summary) <= 1e-9);
  CHECK(json_number_field(summary, "expected_total_weight") == Approx(4.0).epsilon(1e-9));
}

TEST_CASE("a next.ckpt of a cut no process renamed is not taken, and is removed",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto [dir, config] = died_before_rename("cluster_checkpoint_no_rename", {"p0", "p1"});
  const auto out = resume_both(config, dir);
  INFO(out);
  // Every latest.ckpt is of the earlier cut, which is the cluster's: the
  // later files (maybe given up) are not used, and are removed.
  for (const char* p : {"p0", "p1"}) {
    INFO(p);
    const auto m = read_text(dir + "/run/" + p + "/metrics.jsonl");
    CHECK(last_resumed_at(m) == 25);
  }
  CHECK(out.find("is not the cluster's cut: removed") != std::string::npos);
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 4);
  CHECK(weight_error(summary) <= 1e-9);
}

TEST_CASE("a cluster resumes only from one cut, and --resume names a missing checkpoint",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_checkpoint_refused");
  const auto config = cluster_config(dir, 2, 2, 0);
  // Nothing to resume from: refused before any connection, naming the file.
  auto none = start_node(config, "p0", dir, {}, with(small_run, {"--resume", dir + "/nowhere"}));
  REQUIRE(none->wait_exit(std::chrono::seconds(60)));
  CHECK(none->exit_code() != 0);
  CHECK(none->output().find(dir + "/nowhere/p0/checkpoints/latest.ckpt does not exist") !=
        std::string::npos);

  auto p0 = start_node(config, "p0", dir, {}, small_run);
  auto p1 = start_node(config, "p1", dir, {}, small_run);
  REQUIRE(wait_checkpoint(dir + "/run", {"p0", "p1"}, 25, std::chrono::seconds(240)));
  p0->send_signal(SIGKILL);
  p1->send_signal(SIGKILL);
  REQUIRE(p0->wait_exit(std::chrono::seconds(10)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(10)));
  // p0 resumes, p1 starts afresh (--overwrite): two different starts,
  // refused by both, naming both.
  auto r0 = start_node(config, "p0", dir + "/run", {}, with(small_run, {"--resume", dir + "/run"}));
  auto r1 = start_node(config, "p1", dir + "/run", {}, with(small_run, {"--overwrite"}));
  REQUIRE(r0->wait_exit(std::chrono::seconds(120)));
  REQUIRE(r1->wait_exit(std::chrono::seconds(60)));
  INFO(r0->output() << r1->output());
  CHECK(r0->exit_code() != 0);
  CHECK(r1->exit_code() != 0);
  CHECK(std::regex_search(r0->output() + r1->output(),
                          std::regex("process p[01] (resumes from iteration (25|50)|does not "
                                     "resume), process p[01] (resumes from iteration (25|50)|does "
                                     "not resume): a cluster resumes with every process or none")));
  CHECK_FALSE(std::filesystem::exists(dir + "/run/summary.json"));

  // Both ran there and neither has a checkpoint now: each may resume as
  // dead at the cut, but with nobody holding one the cluster says so.
  for (const char* p : {"p0", "p1"}) {
    std::filesystem::remove(dir + "/run/" + p + "/checkpoints/latest.ckpt");
    std::filesystem::remove(dir + "/run/" + p + "/checkpoints/next.ckpt");
  }
  auto n0 = start_node(config, "p0", dir + "/run", {}, with(small_run, {"--resume", dir + "/run"}));
  auto n1 = start_node(config, "p1", dir + "/run", {}, with(small_run, {"--resume", dir + "/run"}));
  REQUIRE(n0->wait_exit(std::chrono::seconds(120)));
  REQUIRE(n1->wait_exit(std::chrono::seconds(60)));
  INFO(n0->output() << n1->output());
  CHECK(n0->exit_code() != 0);
  CHECK(n1->exit_code() != 0);
  CHECK((n0->output() + n1->output()).find("no process wrote a checkpoint in that run") !=
        std::string::npos);
}

TEST_CASE("a process dead at the last checkpoint resumes without mass and takes it from the others",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_checkpoint_dead");
  const auto config = cluster_config(dir, 3, 2, 0);
  // 3840 samples over 6 nodes of batch 32: 20 iterations an epoch.
  const std::vector<std::string> run{
      "--set", "data.max_train_samples=3840", "--set", "data.max_test_samples=2000",
      "--set", "schedule.epochs=6",           "--set", "output.checkpoint_every_epochs=1"};
  auto p0 = start_node(config, "p0", dir, {}, run);
  auto p1 = start_node(config, "p1", dir, {}, run);
  auto p2 = start_node(config, "p2", dir, {}, run);
  REQUIRE(wait_checkpoint(dir + "/run", {"p0", "p1", "p2"}, 20, std::chrono::seconds(240)));
  p2->send_signal(SIGKILL);
  REQUIRE(p2->wait_exit(std::chrono::seconds(10)));
  // The survivors go on, pausing without p2, and write later cuts.
  REQUIRE(wait_checkpoint(dir + "/run", {"p0", "p1"}, 60, std::chrono::seconds(240)));
  p0->send_signal(SIGKILL);
  p1->send_signal(SIGKILL);
  REQUIRE(p0->wait_exit(std::chrono::seconds(10)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(10)));

  const auto again = with(run, {"--resume", dir + "/run"});
  auto r0 = start_node(config, "p0", dir + "/run", {}, again);
  auto r1 = start_node(config, "p1", dir + "/run", {}, again);
  auto r2 = start_node(config, "p2", dir + "/run", {}, again);
  REQUIRE(r0->wait_exit(std::chrono::seconds(240)));
  REQUIRE(r1->wait_exit(std::chrono::seconds(30)));
  REQUIRE(r2->wait_exit(std::chrono::seconds(30)));
  INFO(r0->output() << r1->output() << r2->output());
  CHECK(r0->exit_code() == 0);
  CHECK(r1->exit_code() == 0);
  CHECK(r2->exit_code() == 0);
  const int at = resumed_at(read_text(dir + "/run/p0/metrics.jsonl"));
  CHECK(at >= 60);
  CHECK(resumed_at(read_text(dir + "/run/p2/metrics.jsonl")) == 20);
  CHECK(std::regex_search(r2->output(),
                          std::regex("this process's checkpoint is of iteration 20, p0, p1's of "
                                     "iteration " +
                                     std::to_string(at) + " .*: its nodes start without mass")));
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 6);
  CHECK(json_number_field(summary, "iterations") == 120);
  const auto per_node = per_node_accuracies(summary);
  REQUIRE(per_node.has_value());
  CHECK(per_node->find("null") == std::string::npos);  // p2's nodes took mass and trained
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
  // p2's nodes started with nothing; what its old life held went with it.
  CHECK(weight_error(summary) <= 1e-9);
  const auto initial = numbers_of(summary, "initial_weight");
  REQUIRE(initial.size() == 3);
  CHECK(initial[2] == 0.0);
  // The survivors' weights at the cut: less than their share of 6, since
  // what they pushed to p2's nodes while it was dead was accounted as gone.
  CHECK(initial[0] > 0.0);
  CHECK(initial[1] > 0.0);
  CHECK(initial[0] + initial[1] < 6.0);
}

TEST_CASE("a node killed before the cut resumes without mass: the cluster whole, the weight exact",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  // (Not ar-sgd: across processes it kills no single node.)
  const std::string algorithm = GENERATE("sgp", "osgp");
  const auto dir = fresh_dir("cluster_checkpoint_killed_node_" + algorithm);
  // Node 1 (p0's second) is killed before the first pause: every cut after
  // holds p0's node 0 only. With sgp from the console; with osgp by
  // [[faults]], which the resume (same config) must not run again: the
  // kill is in the files.
  const bool scripted = algorithm == "osgp";
  const auto config = cluster_config(
      dir, 2, 2, 0,
      "http = \"127.0.0.1:0\"\nhttp_secret = \"cut-s3cret\"\n" +
          std::string(scripted ? "[[faults]]\nat_iteration = 5\naction = \"kill\"\nnode = 1\n"
                               : ""));
  const auto first = with(small_run, {"--set", "algorithm.name=" + algorithm});
  auto p0 = start_node(config, "p0", dir, {}, first);
  auto p1 = start_node(config, "p1", dir, {}, first);
  if (!scripted) {
    const auto port =
        p0->wait_for("status page on http://127\\.0\\.0\\.1:([0-9]+)/", std::chrono::seconds(60));
    REQUIRE(port);
    REQUIRE(wait_iteration(dir + "/run/p0/metrics.jsonl", 5, std::chrono::seconds(120), p0.get()));
    const auto killed = run_console(*port, "cut-s3cret", "kill 1");
    INFO(killed.output);
    REQUIRE(killed.output.find("node 1 killed") != std::string::npos);
  }
  REQUIRE(wait_checkpoint(dir + "/run", {"p0", "p1"}, 50, std::chrono::seconds(240)));
  p0->send_signal(SIGKILL);
  p1->send_signal(SIGKILL);
  REQUIRE(p0->wait_exit(std::chrono::seconds(10)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(10)));
  CHECK(read_text(dir + "/run/p0/metrics.jsonl")
            .find("\"event\":\"checkpoint\",\"iteration\":50,\"nodes\":1") != std::string::npos);

  const auto again = with(first, {"--resume", dir + "/run"});
  auto r0 = start_node(config, "p0", dir + "/run", {}, again);
  auto r1 = start_node(config, "p1", dir + "/run", {}, again);
  REQUIRE(r0->wait_exit(std::chrono::seconds(240)));
  REQUIRE(r1->wait_exit(std::chrono::seconds(30)));
  INFO(r0->output() << r1->output());
  CHECK(r0->exit_code() == 0);
  CHECK(r1->exit_code() == 0);
  CHECK(r0->output().find("node 1 has no state in " + dir + "/run/p0/checkpoints/latest.ckpt") !=
        std::string::npos);
  if (scripted) {
    CHECK(r0->output().find("[[faults]] up to the cut at iteration 50 happened already and do "
                            "not run again: kill 1 at iteration 5") != std::string::npos);
  }
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 4);
  CHECK(json_number_field(summary, "iterations") == 100);
  const auto per_node = per_node_accuracies(summary);
  REQUIRE(per_node.has_value());
  CHECK(per_node->find("null") == std::string::npos);  // node 1 took mass and trained
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
  // Node 1 started with nothing; what it held when killed was accounted then.
  CHECK(weight_error(summary) <= 1e-9);
  CHECK(json_number_field(summary, "expected_total_weight") < 4.0);
}

TEST_CASE("a cluster stopped with Ctrl-C resumes from its end's checkpoint, no process demoted",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_checkpoint_stopped");
  // osgp with p1's node 3 slowed: the processes' nodes stand at different
  // iterations when the stop comes (each stops after its next one).
  const auto config = cluster_config(
      dir, 2, 2, 0, "[[faults]]\nat_iteration = 1\naction = \"slow\"\nnode = 3\nfactor = 4\n");
  // No pause before the stop: the end's files are the only cut.
  const auto run = with(small_run, {"--set", "output.checkpoint_every_epochs=0", "--set",
                                    "algorithm.name=osgp", "--set", "algorithm.tau=3"});
  auto p0 = start_node(config, "p0", dir, {}, run);
  auto p1 = start_node(config, "p1", dir, {}, run);
  REQUIRE(wait_iteration(dir + "/run/p1/metrics.jsonl", 15, std::chrono::seconds(120), p1.get()));
  p1->send_signal(SIGINT);
  REQUIRE(p0->wait_exit(std::chrono::seconds(60)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output());
  REQUIRE(p0->exit_code() == 0);
  // Each process's nodes stopped where they stood (not one iteration for
  // all), and each wrote them there.
  std::vector<int> ends;
  for (const char* p : {"p0", "p1"}) {
    const auto metrics = read_text(dir + "/run/" + p + "/metrics.jsonl");
    const auto at = metrics.rfind("\"event\":\"checkpoint\"");
    REQUIRE(at != std::string::npos);
    ends.push_back(static_cast<int>(numbers_of(metrics.substr(at), "iteration").front()));
    CHECK(ends.back() > 15);
    CHECK(ends.back() < 100);
  }

  const auto again = with(run, {"--resume", dir + "/run", "--set", "run.dir=" + dir + "/resumed"});
  auto r0 = start_node(config, "p0", dir, {}, again);
  auto r1 = start_node(config, "p1", dir, {}, again);
  REQUIRE(r0->wait_exit(std::chrono::seconds(240)));
  REQUIRE(r1->wait_exit(std::chrono::seconds(30)));
  INFO(r0->output() << r1->output());
  CHECK(r0->exit_code() == 0);
  CHECK(r1->exit_code() == 0);
  // One cut, though its iterations may differ: nobody starts without mass.
  CHECK((r0->output() + r1->output()).find("was dead at that cut") == std::string::npos);
  CHECK(resumed_at(read_text(dir + "/resumed/p0/metrics.jsonl")) == ends[0]);
  CHECK(resumed_at(read_text(dir + "/resumed/p1/metrics.jsonl")) == ends[1]);
  const auto summary = read_text(dir + "/resumed/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 4);
  CHECK(json_number_field(summary, "iterations") == 100);
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
  // Every node resumed with its weight, which add up to 4 (nothing was in
  // flight at the end).
  CHECK(weight_error(summary) <= 1e-9);
  CHECK(json_number_field(summary, "expected_total_weight") == Approx(4.0).epsilon(1e-9));
}

TEST_CASE("a coordinator whose nodes all died still coordinates the others' checkpoints",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_checkpoint_coordinator_done");
  // One node per process; node 0 (p0's only one) is killed at iteration
  // 10: p0 is done but stays the coordinator. 3200 samples over 3 nodes:
  // 34 iterations an epoch, pauses at 34, 68 and 102.
  const auto config =
      cluster_config(dir, 3, 1, 0, "[[faults]]\nat_iteration = 10\naction = \"kill\"\nnode = 0\n");
  const std::vector<std::string> run{
      "--set", "data.max_train_samples=3200", "--set", "data.max_test_samples=1000",
      "--set", "schedule.epochs=4",           "--set", "output.checkpoint_every_epochs=1"};
  auto processes = start_processes(config, dir, 3, run);
  for (const auto& p : processes) REQUIRE(p->wait_exit(std::chrono::seconds(240)));
  for (const auto& p : processes) {
    INFO(p->output());
    CHECK(p->exit_code() == 0);
  }
  // Every pause of p1 and p2 written, none given up, none waited out.
  for (const char* p : {"p1", "p2"}) {
    const auto metrics = read_text(dir + "/run/" + p + "/metrics.jsonl");
    for (const int at : {34, 68, 102}) {
      INFO(p << " at " << at);
      CHECK(metrics.find("\"event\":\"checkpoint\",\"iteration\":" + std::to_string(at) +
                         ",\"nodes\":1") != std::string::npos);
    }
  }
  const auto out = processes[0]->output() + processes[1]->output() + processes[2]->output();
  CHECK(out.find("given up") == std::string::npos);
  CHECK(out.find("no word from the coordinator") == std::string::npos);
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 2);
  CHECK(weight_error(summary) <= 1e-9);
}

namespace {

/// `victim` (p1, or p0 the coordinator, which is the coordinator again
/// once back) is killed and restarted while the first pause waits.
void restart_during_pause(const std::string& victim) {
  const std::string survivor = victim == "p0" ? "p1" : "p0";
  const auto dir = fresh_dir("cluster_checkpoint_rejoin_in_pause_" + victim);
  // One node per process, pauses at 34, 68 and 102. p2 is stopped
  // (SIGSTOP, so not dead: process_timeout is long) before the first
  // pause, which then waits for it; meanwhile the victim is killed and
  // started again, and the survivor readmits it during that pause. Before
  // session 26 the readmitted process paused at the next checkpoint only,
  // and the cut was given up (a restarted coordinator never heard that the
  // survivor had paused).
  const auto config = cluster_config(dir, 3, 1, 0);
  const std::vector<std::string> run{
      "--set", "data.max_train_samples=3200", "--set", "data.max_test_samples=1000",
      "--set", "schedule.epochs=4",           "--set", "output.checkpoint_every_epochs=1",
      "--set", "cluster.process_timeout=30s", "--set", "algorithm.wait_timeout=100ms"};
  auto processes = start_processes(config, dir, 3, run);
  auto& watch = processes[survivor == "p0" ? 0 : 1];
  auto& killed = processes[victim == "p0" ? 0 : 1];
  auto& p2 = processes[2];
  REQUIRE(wait_iteration(dir + "/run/" + survivor + "/metrics.jsonl", 10, std::chrono::seconds(120),
                         watch.get()));
  p2->send_signal(SIGSTOP);
  REQUIRE(watch->wait_for("its nodes paused at iteration 34", std::chrono::seconds(60)));
  killed->send_signal(SIGKILL);
  REQUIRE(killed->wait_exit(std::chrono::seconds(10)));
  REQUIRE(watch->wait_for("process " + victim + " .*: declared dead", std::chrono::seconds(30)));
  std::vector<std::string> argv{"/usr/bin/env", sgp_binary(), "node", config, "--process", victim};
  argv.insert(argv.end(), run.begin(), run.end());
  auto again = std::make_unique<background_process>(argv, dir + "/" + victim + "-restarted.log");
  const bool readmitted =
      watch->wait_for("process " + victim + " rejoined", std::chrono::seconds(60)).has_value();
  p2->send_signal(SIGCONT);
  REQUIRE(readmitted);
  REQUIRE(watch->wait_exit(std::chrono::seconds(240)));
  REQUIRE(p2->wait_exit(std::chrono::seconds(30)));
  REQUIRE(again->wait_exit(std::chrono::seconds(60)));
  INFO(watch->output() << p2->output() << again->output());
  CHECK(watch->exit_code() == 0);
  CHECK(p2->exit_code() == 0);
  CHECK(again->exit_code() == 0);
  const auto out = watch->output() + p2->output() + again->output();
  CHECK(out.find("given up") == std::string::npos);
  CHECK(again->output().find("its nodes paused at iteration 34") != std::string::npos);
  // p2, stopped while the victim died and came back, reads the old life's
  // connection and the new one's in no set order: it readmits the new life
  // once, and the old one never comes back (before session 28 the two
  // lives took turns in its view, and a node diverged).
  const std::string rejoined = "process " + victim + " rejoined";
  std::size_t readmissions = 0;
  for (auto at = p2->output().find(rejoined); at != std::string::npos;
       at = p2->output().find(rejoined, at + 1))
    ++readmissions;
  CHECK(readmissions == 1);
  // The restarted process wrote its part of the cut at 34 (its node with
  // whatever mass the cut's flush brought it, maybe none), and of the
  // later ones with its node.
  const auto metrics = read_text(dir + "/run/" + victim + "/metrics.jsonl");
  CHECK(metrics.find("\"event\":\"checkpoint\",\"iteration\":34,") != std::string::npos);
  CHECK(metrics.find("\"event\":\"checkpoint\",\"iteration\":68,\"nodes\":1") != std::string::npos);
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 3);
  CHECK(weight_error(summary) <= 1e-9);
}

}  // namespace

TEST_CASE("a process restarted during a pause writes its part of that cut: nothing given up",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  restart_during_pause("p1");
}

// The same with the coordinator restarted. Hidden in session 26 (7 of 9
// runs): once the restarted p0 took the welcome of p2, stopped at iteration
// 19, not p1's of the pause at 34, and the cut it coordinates stalled for
// 120 s; a later welcome now raises the join point (process_host_rejoin,
// later_welcome). 10 of 10 runs passed after that (session 27), but it
// failed in that session's CI; session 28 found p2 readmitting the old
// life of p0 after the new one (frames of an earlier life are now
// dropped). The other failure of session 26 (p1 printed "finished" and did
// not exit within 240 s) was not seen again; its cause is not known.
TEST_CASE("a coordinator restarted during a pause writes its part of that cut",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  restart_during_pause("p0");
}
