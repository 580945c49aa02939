// The actor runtime on the CUDA backend, where x and the running sums live
// on the GPU and pushes are device kernels ordered by events: weight stays
// exact through loss, duplicates, reordering, a kill and a revive, exactly
// as on the CPU. Skipped (with a warning) where no GPU can be used.
#include <catch2/catch.hpp>

#include <cmath>

#include "gpu/backend_factory.hpp"
#include "tests/actors/group_fixture.hpp"
#include "tests/actors/run_checks.hpp"
#include "tests/skip.hpp"

using sgp::test::check_weight;
using sgp::test::fault;
using sgp::test::group_fixture;
using sgp::test::small_config;

namespace {

bool gpu_available() {
  return sgp::gpu::make_backend("cuda", 1, 0).ok();
}

sgp::config::config gpu_config(int nodes, const std::string& algorithm) {
  auto c = small_config(nodes, algorithm);
  c.backend.name = "cuda";
  c.backend.devices = {0};
  return c;
}

}  // namespace

TEST_CASE("on a GPU, pushes lost, duplicated and reordered keep the weight exact",
          "[actors][gpu]") {
  if (!gpu_available()) SGP_SKIP("no usable CUDA device");
  const std::string algorithm = GENERATE("sgp", "osgp");
  // The same lossy run on both backends: the virtual clock makes the
  // message schedule identical, so the GPU's accuracies must match the
  // CPU's up to predictions that rounding flips. The GPU's convolution
  // algorithms are cuDNN's heuristics' deterministic ones: timed choices
  // vary between runs, and under 30 % loss a node whose w fell near 0.001
  // amplifies the different rounding.
  auto run = [&](const std::string& backend) {
    group_fixture f;
    auto c = gpu_config(6, algorithm);
    c.backend.name = backend;
    c.backend.conv_search = "reproducible";
    c.network.loss = 0.3;
    c.network.duplicate = 0.1;
    c.network.latency = "1ms";
    c.network.jitter = "20ms";
    c.algorithm.wait_timeout = "50ms";
    f.spawn(c);
    auto s = f.run();
    INFO(backend << ": " << f.error);
    REQUIRE(s);
    return *s;
  };
  const auto gpu = run("cuda");
  const auto cpu = run("cpu");
  CHECK(gpu.messages_lost > 0);
  CHECK(gpu.messages_duplicate > 0);
  check_weight(gpu);
  CHECK(gpu.expected_total_weight == 6.0);
  CHECK(gpu.messages_lost == cpu.messages_lost);
  REQUIRE(gpu.test_accuracy_per_node.size() == cpu.test_accuracy_per_node.size());
  INFO(algorithm << ": averaged model " << gpu.test_accuracy_mean_model << " on the GPU, "
                 << cpu.test_accuracy_mean_model << " on the CPU");
  for (std::size_t i = 0; i < gpu.test_accuracy_per_node.size(); ++i) {
    INFO("node " << i << ": " << gpu.test_accuracy_per_node[i] << " on the GPU, "
                 << cpu.test_accuracy_per_node[i] << " on the CPU");
    // 64 test samples: at most 3 predictions flipped by rounding.
    CHECK(std::abs(gpu.test_accuracy_per_node[i] - cpu.test_accuracy_per_node[i]) <= 3.0 / 64);
  }
}

TEST_CASE("on a GPU, a killed node is routed around and a revived one rejoins", "[actors][gpu]") {
  if (!gpu_available()) SGP_SKIP("no usable CUDA device");
  sgp::test::check_kill_and_revive(gpu_config(4, "osgp"));
}
