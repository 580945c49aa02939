// scripts/plot.py on a real short run: every PNG is drawn and is more than
// an empty frame; the CSV tables carry the run's train lines and its fault.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/integration/sgp_process.hpp"

TEST_CASE("plot.py draws the PNGs and writes the CSVs of a short run", "[integration]") {
  const auto dir = sgp::test::fresh_dir("plot");
  sgp::test::write_text(dir + "/c.toml", "[run]\ndir = \"" + dir +
                                             "/run\"\n[cluster]\nnodes = 3\n[model]\nname = "
                                             "\"mlp\"\n[data]\nname = \"synthetic\"\nbatch_size "
                                             "= 16\nsynthetic_train_samples = 960\n"
                                             "synthetic_test_samples = 64\n[schedule]\nepochs = "
                                             "1\n[output]\nprogress = false\n"
                                             "consensus_every_iterations = 5\n"
                                             "[[faults]]\nat_iteration = 8\naction = \"kill\"\n"
                                             "node = 2\n");
  const auto run = sgp::test::run_sgp("train " + dir + "/c.toml");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);

  const auto plot =
      sgp::test::run_shell("python3 " + std::string(SGP_SOURCE_DIR) + "/scripts/plot.py " + dir +
                           "/run " + dir + "/run --out " + dir + "/plots 2>&1");
  INFO(plot.output);
  REQUIRE(plot.exit_code == 0);
  for (const char* png : {"loss", "accuracy", "consensus", "comm_wait", "weight"}) {
    const auto path = dir + "/plots/" + png + ".png";
    INFO(path);
    REQUIRE(std::filesystem::exists(path));
    // An empty 900x500 frame with axes is about 15 KB; curves add more.
    CHECK(std::filesystem::file_size(path) > 20000);
    CHECK(sgp::test::read_text(path).substr(1, 3) == "PNG");
  }
  const auto train = sgp::test::read_text(dir + "/plots/train.csv");
  CHECK_THAT(train, Catch::StartsWith("run,node,iteration,epoch,time,loss,lr,w,comm_wait"));
  // Three nodes, 20 iterations each (960 / 3 / 16), node 2 killed at 8, two copies of the run.
  CHECK(std::count(train.begin(), train.end(), '\n') > 2 * 40);
  CHECK_THAT(sgp::test::read_text(dir + "/plots/events.csv"),
             Catch::Contains("fault,config,8,") && Catch::Contains(",kill,kill 2,node 2 killed"));

  const auto missing =
      sgp::test::run_shell("python3 " + std::string(SGP_SOURCE_DIR) + "/scripts/plot.py " + dir +
                           "/nowhere --out " + dir + "/p2 2>&1");
  CHECK(missing.exit_code != 0);
  CHECK_THAT(missing.output,
             Catch::StartsWith("plot.py: error: " + dir + "/nowhere/metrics.jsonl"));
}
