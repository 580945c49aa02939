// `sgp train --console`: commands typed while training runs get answers,
// and `stop` ends the run with a summary.
#include <catch2/catch.hpp>

#include "tests/integration/sgp_process.hpp"

TEST_CASE("the console answers commands and stop ends the run", "[integration]") {
  const auto dir = sgp::test::fresh_dir("console");
  sgp::test::write_text(
      dir + "/c.toml",
      "[run]\ndir = \"" + dir +
          "/run\"\n[cluster]\nnodes = 4\n[model]\nname = \"cnn\"\n"
          "[data]\nname = \"synthetic\"\nbatch_size = 8\nheight = 8\nwidth = 8\nclasses = 4\n"
          "synthetic_train_samples = 512\nsynthetic_test_samples = 64\n"
          "[schedule]\nepochs = 100000\n[algorithm]\nname = \"osgp\"\n[output]\nprogress = "
          "false\n");
  // The run would take hours: only `stop` can end it.
  const auto r = sgp::test::run_sgp_with_input(
      "train " + dir + "/c.toml --console",
      "sleep 1; echo status; echo topology; echo 'link down 0 1'; echo 'kill 9'; echo stop; "
      "sleep 1");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("node state"));
  CHECK_THAT(r.output, Catch::Contains("strongly connected"));
  CHECK_THAT(r.output, Catch::Contains("link 0 <-> 1 down"));
  CHECK_THAT(r.output, Catch::Contains("error: node 9 does not exist"));
  CHECK_THAT(r.output, Catch::Contains("stopping"));
  CHECK_THAT(r.output, Catch::Contains("averaged"));
  const auto summary = sgp::test::read_text(dir + "/run/summary.json");
  CHECK(sgp::test::json_number_field(summary, "total_weight") ==
        Approx(sgp::test::json_number_field(summary, "expected_total_weight")).epsilon(1e-9));
}
