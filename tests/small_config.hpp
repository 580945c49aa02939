// A small, fast config for tests (synthetic 8x8 images, the cnn) and the
// run directory of this test process. No CAF: tests/runtime uses it as well
// as the actor tests' group fixture.
#pragma once

#include <unistd.h>

#include <memory>
#include <string>
#include <utility>

#include "config/config.hpp"
#include "data/synthetic.hpp"

namespace sgp::test {

/// The run directory of this test process: ctest runs test cases in
/// parallel processes, and every group run writes its checkpoint and
/// summary there.
inline std::string actor_test_dir() {
  return "/tmp/sgp_actor_tests_" + std::to_string(::getpid());
}

/// A small, fast config: `nodes` nodes of the cnn on 8x8 synthetic images
/// (512 training samples, 6 epochs).
inline config::config small_config(int nodes, const std::string& algorithm) {
  auto c = config::load_string(
      "[run]\ndir = \"" + actor_test_dir() +
          "\"\n[model]\nname = \"cnn\"\n"
          "[data]\nname = \"synthetic\"\nbatch_size = 8\nheight = 8\nwidth = 8\nclasses = 4\n"
          "synthetic_train_samples = 512\nsynthetic_test_samples = 64\n"
          "[optimizer]\nlr = 0.1\n[schedule]\nepochs = 6\n[algorithm]\nname = \"" +
          algorithm + "\"\n[output]\nprogress = false\nconsensus_every_iterations = 0\n",
      "test.toml", {"cluster.nodes=" + std::to_string(nodes)});
  return c.value();
}

/// The synthetic training and test sets a small_config describes (seeds 1
/// and 2), shared as the actors take them.
inline std::pair<std::shared_ptr<const data::dataset>, std::shared_ptr<const data::dataset>>
small_sets(const config::config& cfg) {
  const auto& d = cfg.data;
  return {std::make_shared<const data::dataset>(data::make_synthetic(
              d.synthetic_train_samples, d.channels, d.height, d.width, d.classes, 1)),
          std::make_shared<const data::dataset>(data::make_synthetic(
              d.synthetic_test_samples, d.channels, d.height, d.width, d.classes, 2))};
}

}  // namespace sgp::test
