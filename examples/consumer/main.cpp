// Embeds an installed sgp: a 3-node SGP group on synthetic data trains in
// this program's own actor system, one link goes down by a command, and the
// program checks the summary (exit 0 when the push-sum weight is whole).
#include <caf/all.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "actors/training_group.hpp"
#include "config/config.hpp"

int main() {
  const auto dir = std::filesystem::temp_directory_path() / "sgp_consumer_run";
  auto cfg = sgp::config::load_string(
      "[run]\ndir = \"" + dir.string() +
          "\"\n[cluster]\nnodes = 3\n[model]\nname = \"mlp\"\n"
          "[data]\nname = \"synthetic\"\nbatch_size = 16\nsynthetic_train_samples = 960\n"
          "synthetic_test_samples = 64\n[schedule]\nepochs = 1\nmax_iterations = 6\n"
          "[output]\nprogress = false\n",
      "consumer");
  if (!cfg.ok()) {
    std::fprintf(stderr, "consumer: %s\n", cfg.err().message.c_str());
    return 1;
  }
  caf::actor_system_config sys_cfg;
  sys_cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf::actor_system sys{sys_cfg};
  auto group = sgp::actors::spawn_training_group(sys, *cfg);
  if (!group.ok()) {
    std::fprintf(stderr, "consumer: %s\n", group.err().message.c_str());
    return 1;
  }
  caf::scoped_actor self{sys};
  int rc = 1;
  self->request(group->supervisor, caf::infinite, sgp::actors::start_atom::value)
      .receive(
          [&](const sgp::actors::run_summary& s) {
            const bool whole = std::abs(s.total_weight - s.expected_total_weight) <= 1e-9 * 3;
            std::printf("consumer: %d/%d nodes, %llu iterations, weight %.12g of %.12g\n",
                        s.live_nodes, s.nodes, static_cast<unsigned long long>(s.iterations),
                        s.total_weight, s.expected_total_weight);
            rc = s.live_nodes == 3 && s.iterations == 6 && whole ? 0 : 1;
          },
          [&](const caf::error& e) {
            std::fprintf(stderr, "consumer: %s\n", sys.render(e).c_str());
          });
  return rc;
}
