// Multi-process runs on this machine: `sgp launch` and `sgp node` over real
// TCP connections between real processes, a process killed with SIGKILL,
// and joins that must be refused (a wrong secret, different settings).
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <regex>
#include <thread>

#include "tests/cluster/cluster_process.hpp"
#include "tests/skip.hpp"

using namespace sgp::test;

TEST_CASE("sgp launch: the example's four processes train the MLP over TCP",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_launch");
  const auto r =
      run_sgp("launch " + std::string(SGP_SOURCE_DIR) +
              "/config/examples/multi-process.toml --set run.dir=" + dir +
              " --set schedule.max_iterations=150" + " --set output.consensus_every_iterations=50");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // Every process's output comes prefixed, and every one ended well.
  for (const char* p : {"p0", "p1", "p2", "p3"}) {
    CHECK(r.output.find(std::string("launch: [") + p + "] exited with code 0") !=
          std::string::npos);
    CHECK(last_iteration(dir + "/" + p + "/metrics.jsonl") == 150);
  }
  CHECK(r.output.find("[p0] averaged") != std::string::npos);
  const auto summary = read_text(dir + "/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 8);
  CHECK(json_number_field(summary, "iterations") == 150);
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.78);
  CHECK(weight_error(summary) <= 1e-9);
  // Measured across the processes (each against the averaged model): the
  // replicas differ, but by little.
  const double consensus = json_number_field(summary, "consensus_distance");
  CHECK(consensus > 0.0);
  CHECK(consensus < 0.05);
  // During the run too: the coordinator (p0) measured every 50 iterations
  // (the one due at 150 may meet the end, which drops it).
  const auto during = consensus_lines(dir + "/p0/metrics.jsonl");
  REQUIRE(during.size() >= 2);
  CHECK(during[0].first >= 50);
  CHECK(during[1].first >= 100);
  for (const auto& [iteration, distance] : during) {
    INFO("iteration " << iteration);
    CHECK(distance > 0.0);
    CHECK(distance < 0.1);
  }
  for (const char* p : {"p1", "p2", "p3"}) {
    CHECK(consensus_lines(dir + "/" + p + "/metrics.jsonl").empty());  // the coordinator's only
  }
  CHECK(summary.find("\"processes\":[{\"name\":\"p0\",\"live\":true,\"collapsed\":false") !=
        std::string::npos);
  // Every process watched its nodes' loss, and none saw a collapse.
  CHECK(summary.find("\"name\":\"p3\",\"live\":true,\"collapsed\":false") != std::string::npos);
  CHECK(summary.find("\"collapsed\":true") == std::string::npos);
}

TEST_CASE("a cluster whose model is not finite at the end fails, though every loss was finite",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  // One iteration: its loss is taken before the step that a huge lr breaks.
  const auto dir = fresh_dir("cluster_diverged_at_end");
  const auto r = run_sgp("launch " + std::string(SGP_SOURCE_DIR) +
                         "/config/examples/multi-process.toml --set run.dir=" + dir +
                         " --set schedule.max_iterations=1 --set optimizer.lr=1e300");
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("diverged after its last reported loss") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/summary.json"));
}

TEST_CASE("a collapse seen by the processes is named in the log and summary.json",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  // At the peak lr, lr x weight decay = 0.25 per step: once the warm-up is
  // over the weights shrink to nothing and the loss, down to about 1.5,
  // goes back to chance (ln 10), finite all along: a collapse, not a
  // divergence (sgp train with these settings: seeds 1-3 all collapsed).
  const auto dir = fresh_dir("cluster_collapse");
  const auto config = cluster_config(dir, 2, 1, 0);
  const auto r = run_sgp("launch " + config +
                         " --set data.max_train_samples=3200 --set data.max_test_samples=1000"
                         " --set schedule.epochs=3 --set schedule.warmup_epochs=1.5"
                         " --set schedule.warmup_start_factor=0.02 --set optimizer.lr=0.5"
                         " --set optimizer.weight_decay=0.5");
  INFO(r.output);
  // The run itself ended: exit 0, a summary, the weight exact.
  REQUIRE(r.exit_code == 0);
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "iterations") == 150);
  CHECK(weight_error(summary) <= 1e-9);
  CHECK(json_number_field(summary, "test_accuracy_mean_model") <= 0.2);
  // Each process watched its own node and saw it; the coordinator says so.
  CHECK(summary.find("\"collapsed\":true") != std::string::npos);
  CHECK(summary.find("{\"name\":\"p0\",\"live\":true,\"collapsed\":true") != std::string::npos);
  CHECK(summary.find("{\"name\":\"p1\",\"live\":true,\"collapsed\":true") != std::string::npos);
  CHECK(r.output.find("process p1: the run collapsed") != std::string::npos);
}

TEST_CASE("sgp node: processes started one by one join and finish together",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_nodes");
  const auto config = cluster_config(dir, 2, 2, 80, "save_node_models = true\n");
  auto p1 = start_node(config, "p1", dir);
  REQUIRE(p1->wait_for("waiting for the other 1 processes", std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  auto p0 = start_node(config, "p0", dir);
  REQUIRE(p0->wait_exit(std::chrono::seconds(240)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 0);
  CHECK(p1->output().find("finished (the summary is in") != std::string::npos);
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 4);
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
  CHECK(weight_error(summary) <= 1e-9);
  // The trained models, as one process writes them: the averaged one by
  // the coordinator, each node's by its own process.
  const auto model = read_text(dir + "/run/model.safetensors");
  CHECK(model.find("\"model\":\"mlp\"") != std::string::npos);
  CHECK(model.find("\"algorithm\":\"sgp\"") != std::string::npos);
  for (int node = 0; node < 4; ++node) {
    INFO("node " << node);
    CHECK(std::filesystem::file_size(dir + "/run/model-node-" + std::to_string(node) +
                                     ".safetensors") == model.size());
  }
}

TEST_CASE("scripted link faults act on every process of a cluster", "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_faults");
  // Node 0 lives in p0, node 1 in p1: each process applies the faults to
  // its own sender's links when its node reaches the iteration.
  const auto config =
      cluster_config(dir, 2, 1, 60,
                     "[[faults]]\nat_iteration = 10\naction = \"link_down\"\nfrom = 0\nto = 1\n"
                     "[[faults]]\nat_iteration = 30\naction = \"link_up\"\nfrom = 0\nto = 1\n");
  auto p0 = start_node(config, "p0", dir);
  auto p1 = start_node(config, "p1", dir);
  REQUIRE(p0->wait_exit(std::chrono::seconds(240)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 0);
  for (const auto* p : {p0.get(), p1.get()}) {
    CHECK(p->output().find("link 0 <-> 1 down (asked by [[faults]] at iteration 10)") !=
          std::string::npos);
    CHECK(p->output().find("link 0 <-> 1 up (asked by [[faults]] at iteration 30)") !=
          std::string::npos);
  }
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 2);
  CHECK(weight_error(summary) <= 1e-9);
}

TEST_CASE("resend_on_timeout across processes: expired waits ask the other process's nodes",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_resend");
  // Nodes 0, 1 in p0 and 2, 3 in p1; 30 % of pushes lost on the emulated
  // links (over the real TCP between the processes), and 20 ms waits: a
  // node whose in-neighbour's push was lost asks that in-neighbour, in its
  // own process or the other one, to send the edge's sums again.
  const auto config = cluster_config(dir, 2, 2, 60, "[network]\nloss = 0.3\n");
  const std::vector<std::string> args{"--set", "algorithm.resend_on_timeout=true", "--set",
                                      "algorithm.wait_timeout=20ms"};
  auto p0 = start_node(config, "p0", dir, {}, args);
  auto p1 = start_node(config, "p1", dir, {}, args);
  REQUIRE(p0->wait_exit(std::chrono::seconds(240)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 0);
  // Each process logs what it asked of the other and what it made for it.
  const std::regex counts("(\\d+) resends asked of other processes' nodes, (\\d+) made");
  long asked = 0;
  long made = 0;
  for (const auto* p : {p0.get(), p1.get()}) {
    const auto out = p->output();
    std::smatch m;
    REQUIRE(std::regex_search(out, m, counts));
    asked += std::stol(m[1]);
    made += std::stol(m[2]);
  }
  CHECK(asked > 0);
  CHECK(made > 0);
  CHECK(made <= asked);  // a notice in flight at the end is not made
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 4);
  CHECK(json_number_field(summary, "messages_lost") > 0);
  CHECK(weight_error(summary) <= 1e-9);
}

TEST_CASE("a process killed with SIGKILL: the others route around it and account its weight",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_kill");
  const auto config = cluster_config(dir, 3, 2, 240);
  // The consensus distance measured every 10 iterations: the kill lands in
  // or between measurements, and the later ones must not wait for p2.
  auto toml = read_text(config);
  toml.replace(toml.find("consensus_every_iterations = 0"), 30, "consensus_every_iterations = 10");
  write_text(config, toml);
  auto processes = start_processes(config, dir, 3);
  auto& p0 = processes[0];
  auto& p1 = processes[1];
  auto& p2 = processes[2];
  // Mid-run: p0's nodes are 40 iterations in.
  REQUIRE(wait_iteration(dir + "/run/p0/metrics.jsonl", 40, std::chrono::seconds(180), p0.get()));
  p2->send_signal(SIGKILL);
  REQUIRE(p0->wait_exit(std::chrono::seconds(240)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 0);
  // Declared dead by both survivors, and they left its nodes out of the view.
  for (const auto* p : {p0.get(), p1.get()}) {
    CHECK(std::regex_search(p->output(), std::regex("process p2 .*: declared dead")));
    CHECK(p->output().find("2 nodes of process p2 left the view") != std::string::npos);
  }
  CHECK(read_text(dir + "/run/p0/metrics.jsonl").find("\"event\":\"process_down\"") !=
        std::string::npos);
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 4);
  CHECK(summary.find("\"test_accuracy_per_node\":[") != std::string::npos);
  CHECK(summary.find(",null,null]") != std::string::npos);  // nodes 4 and 5
  CHECK(json_number_field(summary, "test_accuracy_mean_model") >= 0.7);
  CHECK(weight_error(summary) <= 1e-9);
  // What the dead nodes took is counted: fewer than 6 units are expected.
  CHECK(json_number_field(summary, "expected_total_weight") < 6.0);
  const auto during = consensus_lines(dir + "/run/p0/metrics.jsonl");
  REQUIRE_FALSE(during.empty());
  CHECK(during.back().first >= 200);  // measured on to the end
  // Released by the kill, not by the 30 s bound on the answers.
  CHECK(p0->output().find("no models from") == std::string::npos);
  CHECK(p0->output().find("no consensus distance from") == std::string::npos);
  for (const auto& [iteration, distance] : during) {
    INFO("iteration " << iteration);
    CHECK(distance > 0.0);
    CHECK(distance < 0.1);
  }
  // Each live process says how many pushes it dropped for the dead one.
  CHECK(std::regex_search(summary,
                          std::regex("\"name\":\"p0\"[^}]*\"pushes_dropped_to_dead\":[0-9]")));
}

TEST_CASE("a wrong cluster secret is refused and never printed", "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_secret");
  const auto config = cluster_config(dir, 2, 1, 20, {}, "4s");
  auto p0 = start_node(config, "p0", dir, {"SGP_CLUSTER_SECRET=right-horse-battery"});
  auto p1 = start_node(config, "p1", dir, {"SGP_CLUSTER_SECRET=wrong-staple-42"});
  REQUIRE(p0->wait_exit(std::chrono::seconds(60)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(60)));
  const auto out = p0->output() + p1->output();
  INFO(out);
  CHECK(p0->exit_code() != 0);
  CHECK(p1->exit_code() != 0);
  CHECK(out.find("presented a wrong cluster secret") != std::string::npos);
  CHECK(out.find("cluster: refused a peer at 127.0.0.1:") != std::string::npos);
  CHECK(out.find("did not join within 4 s") != std::string::npos);
  CHECK(out.find("right-horse-battery") == std::string::npos);
  CHECK(out.find("wrong-staple-42") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/run/summary.json"));
}

TEST_CASE("processes with different settings are refused, naming the first key that differs",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_settings");
  const auto config = cluster_config(dir, 2, 1, 20, {}, "10s");
  auto p0 = start_node(config, "p0", dir);
  auto p1 = start_node(config, "p1", dir, {}, {"--set", "optimizer.lr=0.2"});
  REQUIRE(p0->wait_exit(std::chrono::seconds(60)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(60)));
  const auto out = p0->output() + p1->output();
  INFO(out);
  CHECK(p0->exit_code() != 0);
  CHECK(p1->exit_code() != 0);
  CHECK(out.find("have different settings: first at optimizer.lr (") != std::string::npos);
  CHECK(out.find("0.2") != std::string::npos);
}

TEST_CASE("sgp node refuses what it cannot do, by name", "[integration][cluster]") {
  const auto dir = fresh_dir("cluster_cli");
  const auto config = cluster_config(dir, 2, 1, 20);
  auto r = run_sgp("node " + config);
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("give --process NAME") != std::string::npos);
  r = run_sgp("node " + config + " --process p7");
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("--process p7: no such [[cluster.process]] (there are: p0, p1)") !=
        std::string::npos);
#ifndef SGP_HAVE_GLOO
  r = run_sgp("node " + config + " --process p0 --set algorithm.name=ar-sgd");
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("ar-sgd\" across processes needs Gloo") != std::string::npos);
#endif
#ifdef SGP_HAVE_GLOO
  // Kill and revive work across processes with SGP and OSGP, not ar-sgd.
  r = run_sgp("node " + config +
              " --process p0 --set algorithm.name=ar-sgd --set "
              "'faults=[{at_iteration=5,action=\"link_down\",from=0,to=1},"
              "{at_iteration=9,action=\"kill\",node=1}]'");
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("[[faults]] 2 (action = \"kill\") with algorithm.name = \"ar-sgd\"") !=
        std::string::npos);
#endif
  r = run_sgp("node " + std::string(SGP_SOURCE_DIR) + "/config/examples/quickstart.toml");
  CHECK(r.exit_code != 0);
  CHECK(r.output.find("no [[cluster.process]] tables") != std::string::npos);
}

// torchrun starts `sgp node CONFIG` with these variables (Debian 12's
// torchrun, from python3-torch 1.13 on Python 3.11, fails before it starts
// any process, so its environment is set here as it would set it); SLURM's
// and Open MPI's are read the same way (tests/config/cluster_env_test.cpp).
TEST_CASE("sgp node takes its rank from a launcher's environment", "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_torchrun");
  const auto config = cluster_config(dir, 2, 1, 30);
  const std::vector<std::string> common{"WORLD_SIZE=2", "MASTER_ADDR=127.0.0.1",
                                        "MASTER_PORT=29500"};
  auto env = [&](int rank) {
    auto e = common;
    e.push_back("RANK=" + std::to_string(rank));
    e.push_back("LOCAL_RANK=" + std::to_string(rank));
    return e;
  };
  auto r1 = start_ranked_node(config, "rank1", dir, env(1));
  auto r0 = start_ranked_node(config, "rank0", dir, env(0));
  REQUIRE(r0->wait_exit(std::chrono::seconds(120)));
  REQUIRE(r1->wait_exit(std::chrono::seconds(30)));
  INFO(r0->output() << r1->output());
  CHECK(r0->exit_code() == 0);
  CHECK(r1->exit_code() == 0);
  CHECK(r1->output().find("process set from torchrun: rank 1 of 2 (local rank 1)") !=
        std::string::npos);
  CHECK(r1->output().find("sgp: process p1 (2 of 2)") != std::string::npos);
  CHECK(weight_error(read_text(dir + "/run/summary.json")) <= 1e-9);
}

TEST_CASE("Ctrl-C on one process stops the whole cluster with an evaluation and a summary",
          "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_stop");
  const auto config = cluster_config(dir, 2, 1, 100000);
  auto p0 = start_node(config, "p0", dir);
  auto p1 = start_node(config, "p1", dir);
  REQUIRE(wait_iteration(dir + "/run/p1/metrics.jsonl", 20, std::chrono::seconds(120), p1.get()));
  p1->send_signal(SIGINT);
  REQUIRE(p0->wait_exit(std::chrono::seconds(60)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 128 + SIGINT);
  CHECK(p0->output().find("stopping (asked by process p1)") != std::string::npos);
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 2);
  CHECK(json_number_field(summary, "iterations") < 1000);
  CHECK(weight_error(summary) <= 1e-9);
}

TEST_CASE(
    "sgp console HOST:PORT drives a cluster: status, link and slow commands on every "
    "process, topology from the view, checkpoint, stop",
    "[integration][cluster]") {
  if (!std::filesystem::exists(fashion_dir)) SGP_SKIP("dataset-fashion-mnist is not installed");
  const auto dir = fresh_dir("cluster_console");
  const auto config = cluster_config(dir, 2, 1, 100000,
                                     "http = \"127.0.0.1:0\"\nhttp_secret = \"console-s3cret\"\n");
  auto p0 = start_node(config, "p0", dir);
  auto p1 = start_node(config, "p1", dir);
  const auto port =
      p0->wait_for("status page on http://127\\.0\\.0\\.1:([0-9]+)/", std::chrono::seconds(60));
  REQUIRE(port);
  REQUIRE(wait_iteration(dir + "/run/p0/metrics.jsonl", 10, std::chrono::seconds(120), p0.get()));
  // Node 0 lives in p0, node 1 in p1: a link between them and a slow node
  // of the other process are the other process's to apply.
  const auto console = run_console(
      *port, "console-s3cret",
      "status\\nlink down 0 1\\ntopology\\nlink up 0 1\\nslow 1 2x\\ntopology\\ncheckpoint");
  INFO(console.output);
  // The checkpoint: both processes pause at the iteration p0 chose, and
  // each writes its node; then the console stops the cluster.
  std::smatch chosen;
  REQUIRE(std::regex_search(console.output, chosen,
                            std::regex("checkpoint at iteration ([0-9]+): every process's nodes "
                                       "pause there")));
  const std::string at = chosen[1];
  REQUIRE(p0->wait_for("iteration " + at + ": every live process wrote its nodes",
                       std::chrono::seconds(60)));
  const auto stop = run_console(*port, "console-s3cret", "stop");
  INFO(stop.output);
  CHECK(console.exit_code == 0);
  CHECK(console.output.find("link 0 <-> 1 down (sent to every process)") != std::string::npos);
  CHECK(console.output.find("link 0 <-> 1 up (sent to every process)") != std::string::npos);
  // topology, from p0's view: with the one link down the two nodes cannot
  // reach each other; up again, they can.
  CHECK(std::regex_search(console.output,
                          std::regex("process p0: topology [a-z-]+ at iteration [0-9]+")));
  const auto down_at = console.output.find("link 0 <-> 1 down");
  const auto cut = console.output.find("NO (some nodes cannot reach each other)");
  const auto joined = console.output.find("iteration(s): yes");
  CHECK(cut != std::string::npos);
  CHECK(joined != std::string::npos);
  CHECK(down_at < cut);
  CHECK(cut < joined);
  CHECK(stop.output.find("stopping the cluster") != std::string::npos);
  REQUIRE(p0->wait_exit(std::chrono::seconds(60)));
  REQUIRE(p1->wait_exit(std::chrono::seconds(30)));
  INFO(p0->output() << p1->output());
  CHECK(p0->exit_code() == 0);
  CHECK(p1->exit_code() == 0);
  CHECK(p1->output().find("link 0 <-> 1 down (asked by process p0)") != std::string::npos);
  CHECK(p1->output().find("link 0 <-> 1 up (asked by process p0)") != std::string::npos);
  CHECK(p1->output().find("node 1 computes 2x slower (asked by process p0)") != std::string::npos);
  for (const char* p : {"p0", "p1"}) {
    CHECK(read_text(dir + "/run/" + p + "/metrics.jsonl")
              .find("\"event\":\"checkpoint\",\"iteration\":" + at + ",\"nodes\":1") !=
          std::string::npos);
    CHECK(std::filesystem::exists(dir + "/run/" + p + "/checkpoints/latest.ckpt"));
  }
  const auto summary = read_text(dir + "/run/summary.json");
  CHECK(json_number_field(summary, "live_nodes") == 2);
  CHECK(weight_error(summary) <= 1e-9);
}
