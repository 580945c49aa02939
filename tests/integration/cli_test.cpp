// The command line itself: --version, misspelt and missing subcommands,
// defaults in --help, --dry-run, schedule.max_iterations, and the bench
// commands as the README shows them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "tests/integration/sgp_process.hpp"

namespace {

using sgp::test::run_sgp;

std::string source(const std::string& rel) {
  return std::string(SGP_SOURCE_DIR) + "/" + rel;
}

/// The largest "iteration" of the "train" lines of a metrics.jsonl.
std::int64_t last_train_iteration(const std::string& metrics) {
  std::int64_t last = -1;
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"event\":\"train\"") == std::string::npos) continue;
    last =
        std::max(last, static_cast<std::int64_t>(sgp::test::json_number_field(line, "iteration")));
  }
  return last;
}

std::string synthetic(const std::string& dir, int nodes) {
  return "[run]\ndir = \"" + dir + "\"\n[cluster]\nnodes = " + std::to_string(nodes) +
         "\n[model]\nname = \"mlp\"\n[data]\nname = \"synthetic\"\nbatch_size = 16\n"
         "synthetic_train_samples = 2048\nsynthetic_test_samples = 64\n"
         "[schedule]\nepochs = 3\nmax_iterations = 7\n[output]\nprogress = false\n";
}

}  // namespace

TEST_CASE("sgp --version names the version and the commit", "[integration]") {
  const auto r = run_sgp("--version");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(std::regex_search(
      r.output, std::regex(R"(^sgp \d+\.\d+\.\d+ \(commit (?:[0-9a-f]{7,}|unknown)\)\n$)")));
}

TEST_CASE("a misspelt or missing subcommand is named in one error line", "[integration]") {
  const auto typo = run_sgp("trian config/examples/quickstart.toml");
  INFO(typo.output);
  CHECK(typo.exit_code != 0);
  CHECK(typo.lines().size() == 1);
  CHECK_THAT(typo.output, Catch::StartsWith("sgp: error: sgp: unknown subcommand 'trian' (did "
                                            "you mean 'train'?)"));
  const auto bench = run_sgp("bench mixx");
  INFO(bench.output);
  CHECK(bench.exit_code != 0);
  CHECK_THAT(bench.output, Catch::Contains("sgp bench: unknown subcommand 'mixx' (did you mean "
                                           "'mix'?)"));
  const auto far = run_sgp("frobnicate");
  CHECK_THAT(far.output, Catch::Contains("(valid: train, bench, node, launch, console)"));
  const auto none = run_sgp("");
  CHECK(none.exit_code != 0);
  CHECK_THAT(none.output, Catch::StartsWith("sgp: error: sgp: a subcommand is required"));
}

TEST_CASE("help shows the defaults", "[integration]") {
  const auto r = run_sgp("bench train --help");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("--batch INT=128"));
  CHECK_THAT(r.output, Catch::Contains("--backend TEXT=cpu"));
  const auto mix = run_sgp("bench mix --help");
  CHECK_THAT(mix.output, Catch::Contains("--backend TEXT=auto"));
}

TEST_CASE("train warns before it starts of settings that diverged in every measured run",
          "[integration]") {
  const auto dir = sgp::test::fresh_dir("advice");
  const auto train = "train " + source("config/examples/quickstart.toml") +
                     " --dry-run --set run.dir=" + dir + "/run --set algorithm.name=osgp";
  const auto warned = run_sgp(train + " --set algorithm.step_space=x");
  INFO(warned.output);
  CHECK(warned.exit_code == 0);
  CHECK_THAT(warned.output, Catch::Contains("algorithm.step_space = \"x\" with osgp's bounded "
                                            "variant diverged in every measured run"));
  const auto quiet = run_sgp(train);
  INFO(quiet.output);
  CHECK(quiet.exit_code == 0);
  CHECK_THAT(quiet.output, !Catch::Contains("diverged in every measured run"));

  // A blocking phase is in the plan and in the resolved config.
  const auto phased =
      run_sgp(train + " --set algorithm.tau=0 --set algorithm.overlap_from_epoch=1.5");
  INFO(phased.output);
  CHECK(phased.exit_code == 0);
  CHECK_THAT(phased.output, Catch::Contains("\noverlap_from_epoch = 1.5\n"));
  CHECK_THAT(phased.output,
             Catch::Contains("\nalgorithm: osgp (tau 0; waits as sgp before epoch 1.5)\n"));
  const auto refused =
      run_sgp(train + " --set algorithm.name=sgp --set algorithm.overlap_from_epoch=1");
  CHECK(refused.exit_code != 0);
  CHECK_THAT(refused.output, Catch::Contains("algorithm.overlap_from_epoch: applies to osgp"));
}

TEST_CASE("train --dry-run prints the resolved config and the plan, and runs nothing",
          "[integration]") {
  const auto dir = sgp::test::fresh_dir("dry_run");
  const auto r = run_sgp("train " + source("config/examples/quickstart.toml") +
                         " --dry-run --set run.dir=" + dir +
                         "/run --set schedule.max_iterations=50 --set algorithm.name=sgp");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("max_iterations = 50"));
  CHECK_THAT(r.output, Catch::Contains("\nnodes: 8\n"));
  CHECK_THAT(r.output, Catch::Contains("\nalgorithm: sgp\n"));
  CHECK_THAT(r.output, Catch::Contains("\ntopology: exponential, 1 out-peer(s) per iteration\n"));
  CHECK_THAT(r.output, Catch::Contains("\ndevices: cpu (oneDNN), 1 thread per node\n"));
  CHECK_FALSE(std::filesystem::exists(dir + "/run"));

  // The config part is TOML that trains the same run.
  const auto resolved = r.output.substr(0, r.output.find("# plan"));
  sgp::test::write_text(dir + "/resolved.toml", resolved);
  const auto again = run_sgp("train " + dir + "/resolved.toml --dry-run");
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK(again.output.substr(again.output.find('\n')) == r.output.substr(r.output.find('\n')));

  const auto bad = run_sgp("train " + source("config/examples/quickstart.toml") +
                           " --dry-run --set schedule.max_iterations=-1");
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.output, Catch::StartsWith("sgp: error: --set schedule.max_iterations=-1: "
                                           "schedule.max_iterations: must be >= 0"));
}

TEST_CASE("schedule.max_iterations ends single- and multi-node runs early", "[integration]") {
  const int nodes = GENERATE(1, 3);
  const auto dir = sgp::test::fresh_dir("max_iterations_" + std::to_string(nodes));
  sgp::test::write_text(dir + "/c.toml", synthetic(dir + "/run", nodes));
  const auto r = run_sgp("train " + dir + "/c.toml");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto summary = sgp::test::read_text(dir + "/run/summary.json");
  CHECK(sgp::test::json_number_field(summary, "iterations") == 7);
  CHECK(last_train_iteration(sgp::test::read_text(dir + "/run/metrics.jsonl")) == 7);
}

TEST_CASE("bench mix runs where there is no GPU, bench train as the README shows it",
          "[integration]") {
  const auto mix = run_sgp("bench mix --params 4096 --iterations 3");
  INFO(mix.output);
  CHECK(mix.exit_code == 0);
  CHECK(std::regex_search(mix.output, std::regex("backend=(cpu|cuda) params=4096 iterations=3")));
  const auto train = run_sgp("bench train --model cnn --batch 16 --steps 2 --warmup 1");
  INFO(train.output);
  CHECK(train.exit_code == 0);
  CHECK_THAT(train.output, Catch::Contains("model=cnn batch=16"));
  const auto bf16 = run_sgp("bench train --model cnn --dtype bf16");
  INFO(bf16.output);
  CHECK(bf16.exit_code != 0);
  CHECK_THAT(bf16.output, Catch::StartsWith("sgp: error: bench train: --dtype bf16 is not "
                                            "implemented for --model cnn"));
}

TEST_CASE("bench comm-bound times a variant with bf16 pushes and refuses an unknown option",
          "[integration]") {
  // osgp:bf16 sets algorithm.compression = "bf16" (2 bytes a parameter on
  // the emulated wire); its row is labelled as given.
  const auto r = run_sgp(
      "bench comm-bound --nodes 2 --iterations 3 --algorithms osgp,osgp:bf16 --bandwidth 1Gbit");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(std::regex_search(r.output, std::regex("\\nosgp:bf16 +[0-9.]+ ms/iteration")));
  const auto bad = run_sgp("bench comm-bound --algorithms osgp:bf17");
  INFO(bad.output);
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.output, Catch::StartsWith("sgp: error: ") && Catch::Contains("'bf17'") &&
                             Catch::Contains("bf16"));
}
