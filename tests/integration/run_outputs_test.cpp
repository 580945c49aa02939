// What a run leaves besides its metrics: the trained model
// (model.safetensors, PyTorch's names and shapes, the averaged model's
// bytes) and what produced it (run.json, config.toml).
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

#include "tests/integration/sgp_process.hpp"
#include "tests/skip.hpp"

namespace {

using sgp::test::read_text;
using sgp::test::run_sgp;
using sgp::test::run_shell;

std::string config_text(const std::string& run_dir, int nodes, const std::string& model) {
  return "[run]\ndir = \"" + run_dir + "\"\n[cluster]\nnodes = " + std::to_string(nodes) +
         "\n[model]\nname = \"" + model +
         "\"\n[data]\nname = \"synthetic\"\nbatch_size = 8\nheight = 8\nwidth = 8\n"
         "classes = 4\nsynthetic_train_samples = 256\nsynthetic_test_samples = 64\n"
         "[schedule]\nepochs = 1\n[output]\nprogress = false\n";
}

/// The JSON header of a safetensors file (after its 8-byte length).
std::string safetensors_header(const std::string& path) {
  const std::string file = read_text(path);
  if (file.size() < 8) return {};
  std::uint64_t n = 0;
  for (int b = 7; b >= 0; --b)
    n = (n << 8) | static_cast<unsigned char>(file[static_cast<std::size_t>(b)]);
  if (8 + n > file.size()) return {};
  return file.substr(8, n);
}

}  // namespace

TEST_CASE("a run keeps its model in PyTorch's names and shapes", "[integration]") {
  const std::string dir = sgp::test::fresh_dir("outputs_h_model");
  for (const int nodes : {1, 4}) {
    const std::string run = dir + "/run-" + std::to_string(nodes);
    const std::string toml = dir + "/c-" + std::to_string(nodes) + ".toml";
    sgp::test::write_text(toml, config_text(run, nodes, "cnn-bn"));
    const auto r = run_sgp("train " + toml + " --set output.save_node_models=true");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const std::string h = safetensors_header(run + "/model.safetensors");
    INFO(h);
    CHECK(h.find("\"0.weight\":{\"dtype\":\"F32\",\"shape\":[32,1,3,3]") != std::string::npos);
    CHECK(h.find("\"1.running_var\":{\"dtype\":\"F32\",\"shape\":[32]") != std::string::npos);
    CHECK(h.find("\"5.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[]") != std::string::npos);
    CHECK(h.find("\"9.weight\":{\"dtype\":\"F32\",\"shape\":[256,256]") != std::string::npos);
    CHECK(h.find("\"11.bias\":{\"dtype\":\"F32\",\"shape\":[4]") != std::string::npos);
    CHECK(h.find("\"model\":\"cnn-bn\"") != std::string::npos);
    if (nodes > 1) {
      for (int i = 0; i < nodes; ++i) {
        CHECK(std::filesystem::exists(run + "/model-node-" + std::to_string(i) + ".safetensors"));
      }
    }
  }
}

TEST_CASE("the saved model loads into the PyTorch module of the README", "[integration]") {
  if (run_shell("python3 -c 'import safetensors, torch' 2>&1").exit_code != 0) {
    SGP_SKIP("python3 with torch and safetensors is not installed");
  }
  const std::string dir = sgp::test::fresh_dir("outputs_h_torch");
  // 28x28 images, as the README's module expects.
  sgp::test::write_text(dir + "/c.toml",
                        "[run]\ndir = \"" + dir +
                            "/run\"\n[cluster]\nnodes = 2\n[model]\nname = \"mlp\"\n"
                            "[data]\nname = \"synthetic\"\nbatch_size = 8\nheight = 28\n"
                            "width = 28\nclasses = 10\nsynthetic_train_samples = 64\n"
                            "synthetic_test_samples = 16\n[output]\nprogress = false\n");
  REQUIRE(run_sgp("train " + dir + "/c.toml").exit_code == 0);
  const auto r = run_shell("cd " SGP_SOURCE_DIR
                           " && python3 -c '"
                           "import sys; sys.path.insert(0, \"bench\")\n"
                           "from safetensors.torch import load_file\n"
                           "from torch_reference import make_model\n"
                           "model = make_model(\"mlp\", classes=10)\n"
                           "model.load_state_dict(load_file(\"" +
                           dir + "/run/model.safetensors\"))\nprint(\"loaded\")' 2>&1");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("loaded") != std::string::npos);
}

TEST_CASE("the saved models load into PyTorch's modules with strict names and shapes",
          "[integration]") {
  // Debian ships torch (python3-torch) but not the safetensors package: the
  // file is read by tests/integration/load_safetensors.py, then loaded with
  // load_state_dict(strict=True) into bench/torch_reference.py's modules.
  const std::string python =
      std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  if (run_shell(python + " -c 'import torch' 2>&1").exit_code != 0) {
    SGP_SKIP("python3 with torch is not installed (apt-get install python3-torch)");
  }
  const std::string model = GENERATE("mlp", "cnn", "cnn-bn");
  const std::string dir = sgp::test::fresh_dir("outputs_torch_strict_" + model);
  sgp::test::write_text(dir + "/c.toml",
                        "[run]\ndir = \"" + dir +
                            "/run\"\n[cluster]\nnodes = 2\n[model]\nname = \"" + model +
                            "\"\n[data]\nname = \"synthetic\"\nbatch_size = 8\nheight = 28\n"
                            "width = 28\nclasses = 10\nsynthetic_train_samples = 64\n"
                            "synthetic_test_samples = 16\n[output]\nprogress = false\n");
  const auto trained = run_sgp("train " + dir + "/c.toml");
  INFO(trained.output);
  REQUIRE(trained.exit_code == 0);
  const auto r = run_shell(python + " " SGP_SOURCE_DIR "/tests/integration/load_safetensors.py " +
                           model + " " + dir + "/run/model.safetensors 2>&1");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("loaded") != std::string::npos);
  CHECK(r.output.find("output (2, 10)") != std::string::npos);
}

TEST_CASE("a run directory records what produced it", "[integration]") {
  const std::string dir = sgp::test::fresh_dir("outputs_h_provenance");
  sgp::test::write_text(dir + "/c.toml", config_text(dir + "/run", 4, "mlp"));
  const auto r = run_sgp("train " + dir + "/c.toml --set optimizer.lr=0.05");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const std::string j = read_text(dir + "/run/run.json");
  INFO(j);
  CHECK(j.find("\"program\":\"sgp\"") != std::string::npos);
  CHECK(j.find("\"version\":\"") != std::string::npos);
  CHECK(j.find("\"commit\":\"") != std::string::npos);
  CHECK(j.find("\"start_time\":\"20") != std::string::npos);
  CHECK(j.find("\"host\":\"") != std::string::npos);
  CHECK(j.find("\"overrides\":[\"optimizer.lr=0.05\"]") != std::string::npos);
  CHECK(j.find(dir + "/c.toml") != std::string::npos);
  CHECK(j.find("\"--set\",\"optimizer.lr=0.05\"") != std::string::npos);
  // config.toml is the resolved configuration, and reads back as one.
  const std::string toml = read_text(dir + "/run/config.toml");
  CHECK(toml.find("lr = 0.05") != std::string::npos);
  const auto again = run_sgp("train " + dir + "/run/config.toml --dry-run");
  INFO(again.output);
  CHECK(again.exit_code == 0);
  // --overwrite takes the old model and provenance away with the old run.
  const auto over = run_sgp("train " + dir + "/c.toml --overwrite --set schedule.epochs=1");
  CHECK(over.exit_code == 0);
  CHECK(read_text(dir + "/run/run.json").find("--overwrite") != std::string::npos);
}
