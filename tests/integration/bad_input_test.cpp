// `sgp train` on broken input: each gives one clear error line and a non-zero exit.
#include <catch2/catch.hpp>

#include <filesystem>

#include "core/checkpoint.hpp"
#include "tests/integration/sgp_process.hpp"

namespace {

using sgp::test::run_sgp;

/// Runs `sgp train FILE EXTRA` on `toml` and checks the one-line error.
void expect_one_error(const std::string& name, const std::string& toml, const std::string& extra,
                      const std::vector<std::string>& must_contain) {
  const auto dir = sgp::test::fresh_dir("bad_" + name);
  const auto path = dir + "/" + name + ".toml";
  sgp::test::write_text(path, toml);
  const auto r = run_sgp("train " + path + " " + extra);
  INFO("output: " << r.output);
  CHECK(r.exit_code != 0);
  std::vector<std::string> errors;
  for (const auto& line : r.lines()) {
    if (line.rfind("sgp: error:", 0) == 0) errors.push_back(line);
  }
  REQUIRE(errors.size() == 1);
  for (const auto& piece : must_contain) CHECK_THAT(errors[0], Catch::Contains(piece));
}

const std::string valid = "[model]\nname = \"mlp\"\n[data]\nbatch_size = 32\n";

}  // namespace

TEST_CASE("syntax error names file, line and column", "[integration]") {
  expect_one_error("syntax", "[model]\nname = \"mlp\n", "", {"syntax.toml", ":2:"});
}

TEST_CASE("unknown key suggests the closest valid one", "[integration]") {
  expect_one_error("unknown", "[optimizer]\nlrr = 0.1\n", "",
                   {"unknown.toml:2:", "optimizer.lrr", "optimizer.lr"});
}

TEST_CASE("wrong type names the key", "[integration]") {
  expect_one_error("type", "[data]\nbatch_size = \"big\"\n", "",
                   {"type.toml:2:", "data.batch_size"});
}

TEST_CASE("out of range names the key", "[integration]") {
  expect_one_error("range", "[data]\nbatch_size = 0\n", "", {"range.toml:2:", "data.batch_size"});
}

TEST_CASE("a missing config file is named", "[integration]") {
  const auto r = run_sgp("train /nonexistent/sgp.toml");
  CHECK(r.exit_code != 0);
  REQUIRE(r.lines().size() == 1);
  CHECK_THAT(r.output, Catch::Contains("/nonexistent/sgp.toml"));
}

TEST_CASE("a bad --set override is named", "[integration]") {
  expect_one_error("override", valid, "--set optimizer.lr=abc",
                   {"optimizer.lr=abc", "optimizer.lr"});
}

TEST_CASE("a missing dataset names the path that was tried", "[integration]") {
  expect_one_error("dataset", valid + "path = \"/nonexistent/fmnist\"\n", "",
                   {"/nonexistent/fmnist"});
}

TEST_CASE("a corrupt checkpoint for --resume is named", "[integration]") {
  const auto dir = sgp::test::fresh_dir("bad_resume");
  sgp::test::write_text(dir + "/bad.ckpt", "not a checkpoint");
  expect_one_error("resume",
                   "[run]\ndir = \"" + dir + "/run\"\n[model]\nname = \"mlp\"\n[data]\nname = " +
                       "\"synthetic\"\nsynthetic_train_samples = 64\nsynthetic_test_samples = 32\n",
                   "--resume " + dir + "/bad.ckpt", {"bad.ckpt"});
}

namespace {

/// A small synthetic run of 4 nodes that trains in a second when nothing is wrong.
std::string synthetic4(const std::string& name) {
  return "[run]\ndir = \"" + sgp::test::fresh_dir("run_" + name) +
         "\"\n[cluster]\nnodes = 4\n[model]\nname = \"mlp\"\n[data]\nname = \"synthetic\"\n"
         "batch_size = 16\nheight = 8\nwidth = 8\nsynthetic_train_samples = 256\n"
         "synthetic_test_samples = 64\n[schedule]\nepochs = 1\n[output]\nprogress = false\n";
}

}  // namespace

TEST_CASE("absurd sizes are refused at start-up naming the key", "[integration]") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"--set data.batch_size=2147483647", {"data.batch_size = 2147483647", "memory"}},
      {"--set cluster.nodes=100000", {"cluster.nodes", "100000"}},
      {"--set data.classes=2147483647", {"data.classes", "2147483647"}},
      {"--set data.height=100000 --set data.width=100000", {"synthetic", "memory"}},
      {"--set backend.threads=100000", {"backend.threads", "100000"}},
      {"--set cluster.nodes=1 --set data.eval_batch_size=2147483647",
       {"data.eval_batch_size = 2147483647"}},
  };
  for (const auto& [extra, pieces] : cases) {
    INFO(extra);
    expect_one_error("sizes", synthetic4("sizes"), extra, pieces);
  }
}

TEST_CASE("a node without training samples is refused at start-up", "[integration]") {
  expect_one_error("no_samples", synthetic4("no_samples"), "--set data.synthetic_train_samples=3",
                   {"data.synthetic_train_samples", "cluster.nodes = 4"});
}

TEST_CASE("bad durations, timeouts and factors name the key", "[integration]") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"--set network.latency=1000000000000s", {"network.latency", "at most 1 day"}},
      {"--set cluster.heartbeat_timeout=0ms", {"cluster.heartbeat_timeout", "longer than 0"}},
  };
  for (const auto& [extra, pieces] : cases) {
    INFO(extra);
    expect_one_error("durations", synthetic4("durations"), extra, pieces);
  }
  expect_one_error("slow_inf",
                   synthetic4("slow_inf") +
                       "[[faults]]\nat_iteration = 1\naction = \"slow\"\nnode = 1\nfactor = inf\n",
                   "", {"faults[0].factor", "finite"});
}

TEST_CASE("resume refuses impossible checkpoint fields and another batch size", "[integration]") {
  const auto dir = sgp::test::fresh_dir("resume_fields");
  const auto toml = dir + "/a.toml";
  sgp::test::write_text(toml, "[run]\ndir = \"" + dir + "/a\"\n[model]\nname = \"mlp\"\n" +
                                  "[data]\nname = \"synthetic\"\nbatch_size = 32\n" +
                                  "synthetic_train_samples = 128\nsynthetic_test_samples = 32\n" +
                                  "[schedule]\nepochs = 1\n[output]\nprogress = false\n");
  REQUIRE(run_sgp("train " + toml).exit_code == 0);
  const auto ckpt = dir + "/a/checkpoints/latest.ckpt";
  auto one_error = [](const sgp::test::process_result& r) {
    INFO("output: " << r.output);
    CHECK(r.exit_code != 0);
    std::vector<std::string> errors;
    for (const auto& line : r.lines()) {
      if (line.rfind("sgp: error:", 0) == 0) errors.push_back(line);
    }
    REQUIRE(errors.size() == 1);
    return errors[0];
  };

  const auto batch =
      one_error(run_sgp("train " + toml + " --set data.batch_size=16 --resume " + ckpt));
  CHECK_THAT(batch, Catch::Contains(ckpt) && Catch::Contains("data.batch_size = 32") &&
                        Catch::Contains("config has 16"));

  auto loaded = sgp::core::checkpoint::load(ckpt);
  REQUIRE(loaded.ok());
  loaded->put_ints("iteration", std::vector<std::int64_t>{-5});
  REQUIRE(loaded->save(ckpt).ok());
  const auto negative = one_error(run_sgp("train " + toml + " --resume " + ckpt));
  CHECK_THAT(negative, Catch::Contains(ckpt) && Catch::Contains("'iteration' is -5"));
}

TEST_CASE("a run that ends with every node dead fails and still writes its summary",
          "[integration]") {
  std::string faults;
  for (int node = 0; node < 4; ++node) {
    faults +=
        "[[faults]]\nat_iteration = 1\naction = \"kill\"\nnode = " + std::to_string(node) + "\n";
  }
  const auto dir = sgp::test::fresh_dir("all_dead");
  const std::string toml =
      "[run]\ndir = \"" + dir + "/run\"\n[cluster]\nnodes = 4\n[model]\nname = \"mlp\"\n" +
      "[data]\nname = \"synthetic\"\nbatch_size = 16\nheight = 8\nwidth = 8\n" +
      "synthetic_train_samples = 256\nsynthetic_test_samples = 64\n[schedule]\nepochs = 1\n" +
      "[output]\nprogress = false\n" + faults;
  sgp::test::write_text(dir + "/dead.toml", toml);
  const auto r = run_sgp("train " + dir + "/dead.toml");
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.output, Catch::Contains("sgp: error: the run ended with no live node"));
  CHECK_THAT(r.output, !Catch::Contains("nan"));
  const auto summary = sgp::test::read_text(dir + "/run/summary.json");
  CHECK(sgp::test::json_number_field(summary, "live_nodes") == 0);
}

TEST_CASE("a model broken by the last step fails the run, though every loss was finite",
          "[integration]") {
  // One iteration: its loss is taken before the step that a huge lr breaks.
  // Before, both trainers evaluated the broken model and exited 0.
  for (const char* nodes : {"1", "3"}) {
    INFO("nodes " << nodes);
    const std::string toml =
        "[model]\nname = \"mlp\"\n[data]\nname = \"synthetic\"\nbatch_size = 16\n"
        "height = 8\nwidth = 8\nsynthetic_train_samples = 256\nsynthetic_test_samples = 64\n"
        "[optimizer]\nlr = 1e300\n[schedule]\nmax_iterations = 1\n[output]\nprogress = false\n";
    const auto dir = sgp::test::fresh_dir(std::string("broken_at_end_") + nodes);
    expect_one_error(std::string("broken_at_end_") + nodes, toml,
                     std::string("--set run.dir=") + dir + "/run --set cluster.nodes=" + nodes,
                     {"diverged after", "not finite", "lower optimizer.lr"});
    CHECK_FALSE(std::filesystem::exists(dir + "/run/summary.json"));
  }
}

TEST_CASE("resume with the console on one node says what is not supported", "[integration]") {
  expect_one_error("resume_console", valid, "--console --resume /nonexistent/run",
                   {"--resume", "--console"});
  const auto r = run_sgp("train /dev/null --console --resume /nonexistent/run");
  CHECK_THAT(r.output, !Catch::Contains("multi-node"));
}

TEST_CASE("benchmarks refuse absurd sizes naming the option", "[integration]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bench mix --params -5 --backend cpu", "--params"},
      {"bench mix --params -5", "--params"},
      {"bench mix --params 100000000000000 --backend cpu", "--params 100000000000000"},
      {"bench train --batch 100000000", "--batch 100000000"},
      {"bench comm-bound --nodes 100000", "--nodes"},
  };
  for (const auto& [args, option] : cases) {
    const auto r = run_sgp(args);
    INFO(args << ": " << r.output);
    CHECK(r.exit_code != 0);
    REQUIRE(r.lines().size() == 1);
    CHECK_THAT(r.output, Catch::StartsWith("sgp: error: ") && Catch::Contains(option));
    CHECK_THAT(r.output, !Catch::Contains("CUDA"));
  }
}
