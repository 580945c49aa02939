// The run reporter on its own: the train lines it writes, the progress
// line's pace, the consensus schedule, and the summary's steady-state
// timing and totals from the reports it kept.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "actors/run_reporter.hpp"

using namespace sgp::actors;

namespace {

reporter_setup two_nodes() {
  reporter_setup s;
  s.run = "reporter";
  s.algorithm = "sgp";
  s.model = "mlp";
  s.backend = "cpu";
  s.epochs = 1;
  s.batch_size = 10;
  s.nodes = 2;
  s.per_epoch = 100;
  s.total_iterations = 100;
  s.consensus_every = 5;
  return s;
}

/// The end-of-run snapshots of `n` live nodes, each with w = 1 and nothing
/// sent to or taken from another.
std::vector<node_snapshot> live_snapshots(int n) {
  std::vector<node_snapshot> all(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& s = all[static_cast<std::size_t>(i)];
    s.node = i;
    s.w = 1.0;
    s.sent_weight.assign(static_cast<std::size_t>(n), 0.0);
    s.applied_weight.assign(static_cast<std::size_t>(n), 0.0);
  }
  return all;
}

iteration_report report(int node, std::uint64_t it, double time) {
  iteration_report r;
  r.node = node;
  r.iteration = it;
  r.time = time;
  r.loss = 1.0 + node;
  r.comm_wait = 0.25;
  r.compute_seconds = 0.75;
  r.bytes_sent = 100;
  return r;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("the reporter writes train lines, paces progress and schedules consensus", "[actors]") {
  const auto dir = std::filesystem::temp_directory_path() / "sgp_run_reporter_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  run_reporter rep;
  rep.configure(two_nodes());
  REQUIRE(rep.open(dir.string()).ok());
  REQUIRE(rep.is_open());

  auto e = rep.record(report(0, 1, 0.1), 0.1);
  REQUIRE(e.ok());
  CHECK(e->node == 0);
  CHECK(e->epoch == Approx(0.01));

  node_reports last(2);
  last[0] = report(0, 4, 1.0);
  last[1] = report(1, 2, 1.0);
  const std::vector<bool> live{true, true};
  auto line = rep.progress_line(live, last, 4, 1.0, false);
  REQUIRE(line);
  CHECK(line->find("it 4/100") != std::string::npos);
  CHECK(line->find("slowest node 1 (it 2)") != std::string::npos);
  CHECK_FALSE(rep.progress_line(live, last, 4, 1.2, false));  // under half a second
  CHECK(rep.progress_line(live, last, 4, 1.2, true));         // forced

  CHECK_FALSE(rep.consensus_due(4));
  CHECK(rep.consensus_due(5));
  CHECK_FALSE(rep.consensus_due(6));  // the next one is at 10
  CHECK(rep.consensus_due(12));
  REQUIRE(rep.begin_consensus());
  CHECK_FALSE(rep.begin_consensus());  // one under way
  REQUIRE(rep.end_consensus(5, 1.0, std::nullopt).ok());
  CHECK_FALSE(rep.consensus());
  REQUIRE(rep.begin_consensus());
  REQUIRE(rep.end_consensus(5, 1.0, 0.5).ok());
  REQUIRE(rep.consensus());
  CHECK(*rep.consensus() == 0.5);

  rep.close_after_failure();
  const auto text = read_all((dir / "metrics.jsonl").string());
  CHECK(text.find("\"train\"") != std::string::npos);
  CHECK(text.find("\"consensus\"") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the reporter's summary times iterations from the steady state", "[actors]") {
  const auto dir = std::filesystem::temp_directory_path() / "sgp_run_reporter_summary_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  run_reporter rep;
  rep.configure(two_nodes());
  REQUIRE(rep.open(dir.string()).ok());
  // Node 0: 1 s per iteration for the warm-up (10 iterations), then 0.5 s.
  REQUIRE(rep.record(report(0, 1, 1.0), 1.0).ok());
  REQUIRE(rep.record(report(0, 11, 11.0), 11.0).ok());
  REQUIRE(rep.record(report(0, 21, 16.0), 16.0).ok());
  // Node 1 is revived: its first incarnation's reports are forgotten.
  REQUIRE(rep.record(report(1, 1, 100.0), 100.0).ok());
  rep.forget(1);
  REQUIRE(rep.record(report(1, 5, 16.0), 16.0).ok());

  node_reports last(2);
  last[0] = report(0, 21, 16.0);
  last[1] = report(1, 5, 16.0);
  const auto all = live_snapshots(2);
  const std::vector<eval_result> evals{{-1, 0.9, 0.3}, {0, 0.8, 0.4}};
  auto out = rep.summary({21, 16.0, 0.0, true}, {true, true}, last, all, evals);
  REQUIRE(out.ok());
  CHECK(out->seconds_per_iteration == Approx(0.5));         // node 0 past its warm-up
  CHECK(out->seconds_per_iteration_whole == Approx(0.75));  // node 0 from its first report
  CHECK(out->test_accuracy_mean_model == 0.9);
  CHECK(out->test_accuracy_per_node[0] == 0.8);
  CHECK(std::isnan(out->test_accuracy_per_node[1]));
  CHECK(out->total_weight == 2.0);
  CHECK(out->train_loss == Approx(1.5));
  CHECK(out->mean_comm_wait_fraction == Approx(0.25));
  CHECK(out->bytes_sent == 200);
  REQUIRE(rep.end_of_run(*out, 0.0).ok());
  CHECK_FALSE(rep.is_open());
  const auto text = read_all((dir / "metrics.jsonl").string());
  CHECK(text.find("\"eval\"") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the reporter's summary says when the training loss collapsed to chance", "[actors]") {
  const auto dir = std::filesystem::temp_directory_path() / "sgp_run_reporter_collapse_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const bool collapses : {true, false}) {
    run_reporter rep;
    auto setup = two_nodes();
    setup.classes = 10;
    rep.configure(setup);
    REQUIRE(rep.open(dir.string()).ok());
    // Both nodes learn to 0.5 by iteration 30; then the loss goes back to
    // ln 10 and stays (collapses), or stays at 0.5.
    node_reports last(2);
    for (std::uint64_t it = 1; it <= 100; ++it) {
      for (int node = 0; node < 2; ++node) {
        auto r = report(node, it, static_cast<double>(it));
        r.loss = it <= 30 ? 2.3 - 1.8 * static_cast<double>(it) / 30.0
                          : (collapses && it > 40 ? std::log(10.0) : 0.5);
        REQUIRE(rep.record(r, r.time).ok());
        last[static_cast<std::size_t>(node)] = r;
      }
    }
    const auto all = live_snapshots(2);
    const std::vector<eval_result> evals{{-1, collapses ? 0.1 : 0.9, 0.3}};
    auto out = rep.summary({100, 10.0, 0.0, true}, {true, true}, last, all, evals);
    REQUIRE(out.ok());
    INFO(out->collapse);
    CHECK(out->collapse.empty() == !collapses);
    CHECK((out->json().find("\"collapsed\":true") != std::string::npos) == collapses);
    REQUIRE(rep.end_of_run(*out, 0.0).ok());
  }
  std::filesystem::remove_all(dir);
}
