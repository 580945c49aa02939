// The `sgp` command: `sgp train CONFIG [--set key.path=value]... [--resume DIR]`.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "apps/single_node_trainer.hpp"
#include "config/config.hpp"

namespace {

int fail(const sgp::core::error& e) {
  std::fprintf(stderr, "sgp: error: %s\n", e.message.c_str());
  return 1;
}

int run_train(const std::string& config_path, const std::vector<std::string>& overrides,
              const std::string& resume) {
  auto cfg = sgp::config::load_file(config_path, overrides);
  if (!cfg.ok()) return fail(cfg.err());
  std::fprintf(stderr,
               "sgp: training '%s': model %s, %d node(s), %d epochs, batch %d, backend %s\n",
               cfg->run.name.c_str(), cfg->model.name.c_str(), cfg->cluster.nodes,
               cfg->schedule.epochs, cfg->data.batch_size, cfg->backend.name.c_str());
  auto outcome = sgp::apps::train_single_node(
      *cfg, resume.empty() ? std::nullopt : std::optional<std::string>(resume));
  if (!outcome.ok()) return fail(outcome.err());
  std::printf(
      "summary: %lld iterations in %.1f s, test accuracy %.2f%%, test loss %.4f\n"
      "run directory: %s (summary.json, metrics.jsonl, checkpoints/latest.ckpt)\n",
      static_cast<long long>(outcome->iterations), outcome->wall_seconds,
      100.0 * outcome->test_accuracy, outcome->test_loss, cfg->run.dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sgp: distributed training with Stochastic Gradient Push"};
  app.require_subcommand(1);

  std::string config_path;
  std::vector<std::string> overrides;
  std::string resume;
  CLI::App* train = app.add_subcommand("train", "train from a TOML config");
  train->add_option("config", config_path, "config file (TOML)")->required();
  train->add_option("--set", overrides, "override a key: --set optimizer.lr=0.05 (repeatable)");
  train->add_option("--resume", resume, "continue from a run directory or checkpoint file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (train->parsed()) return run_train(config_path, overrides, resume);
  return 1;
}
