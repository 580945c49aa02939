// The `sgp` command: `sgp train CONFIG [--set key.path=value]... [--resume DIR] [--overwrite]`,
// `sgp node CONFIG [--process NAME]`, `sgp launch CONFIG`, `sgp console HOST:PORT`,
// `sgp bench ...`, `sgp --version`.
#include <CLI/CLI.hpp>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/run.hpp"
#include "actors/terminal.hpp"
#include "apps/bench_comm_bound.hpp"
#include "apps/bench_mix.hpp"
#include "apps/bench_train.hpp"
#include "apps/cluster_commands.hpp"
#include "apps/dry_run.hpp"
#include "apps/log_setup.hpp"
#include "apps/provenance.hpp"
#include "apps/remote_console.hpp"
#include "apps/run_files.hpp"
#include "apps/single_node_trainer.hpp"
#include "apps/stop_signals.hpp"
#include "apps/summary_print.hpp"
#include "apps/version.hpp"
#include "config/advice.hpp"
#include "config/config.hpp"
#include "config/describe.hpp"
#include "config/suggest.hpp"
#include "core/log.hpp"
#include "core/nccl_env.hpp"

namespace {

int fail(const sgp::core::error& e) {
  std::fprintf(stderr, "sgp: error: %s\n", e.message.c_str());
  return 1;
}

/// More than one node: the actor runtime.
int run_group(const sgp::config::config& cfg, bool console) {
  sgp::apps::install_stop_signals();
  auto summary = sgp::actors::run_training(cfg, {console, &sgp::apps::stop_signal()});
  if (!summary.ok()) return fail(summary.err());
  const auto& s = *summary;
  sgp::apps::print_run_summary(s, cfg.run.dir);
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    // The reader went away (EPIPE): the run itself is complete on disk.
    std::fprintf(stderr, "sgp: warning: stdout: write failed (%s); the summary is in %s\n",
                 std::strerror(errno), (cfg.run.dir + "/summary.json").c_str());
  }
  // Stopped by a signal: the shell's convention, 128 + its number.
  if (const int sig = sgp::apps::stop_signal().load(); sig != 0) return 128 + sig;
  // The summary is written; a run that kept no node or trained nothing
  // still failed.
  if (s.live_nodes == 0) {
    return fail({"the run ended with no live node (every node was killed or failed); see " +
                 cfg.run.dir + "/summary.json"});
  }
  if (s.iterations == 0) {
    return fail({"the run trained no iteration; see " + cfg.run.dir + "/summary.json"});
  }
  return 0;
}

int run_train(const std::string& config_path, const std::vector<std::string>& overrides,
              const std::string& resume, bool console, bool overwrite, bool dry_run,
              const std::vector<std::string>& argv) {
  auto cfg = sgp::config::load_file(config_path, overrides);
  if (!cfg.ok()) return fail(cfg.err());
  sgp::apps::apply_log_level(*cfg);
  auto set = sgp::config::resolve(*cfg);
  if (!set.ok()) return fail(set.err());
  // Valid settings that measurement found to fail: said before anything runs.
  for (const auto& warning : sgp::config::advice_for(*cfg, *set))
    sgp::core::log(sgp::core::log_level::warn, "sgp", warning);
  if (cfg->cluster.nodes == 1 && !console) {
    for (const auto& warning : sgp::config::unused_by_one_node(*cfg))
      sgp::core::log(sgp::core::log_level::warn, "sgp", warning);
  }
  if (dry_run) {
    std::printf("# resolved config (%s, %zu override(s))\n%s\n%s", config_path.c_str(),
                overrides.size(), sgp::config::to_toml(*cfg).c_str(),
                sgp::apps::describe_plan(*cfg, *set, resume, console).c_str());
    return 0;
  }
  // One run per directory, held until sgp exits.
  const sgp::apps::run_paths paths{cfg->run.dir};
  auto lock = sgp::apps::run_dir_lock::take(paths);
  if (!lock.ok()) return fail(lock.err());
  if (auto st = sgp::apps::prepare_run_dir(paths, !resume.empty(), overwrite); !st.ok()) {
    return fail(st.err());
  }
  if (auto st = sgp::apps::write_provenance(*cfg, {argv, config_path, overrides, resume});
      !st.ok()) {
    return fail(st.err());
  }
  std::fprintf(
      stderr, "sgp: training '%s': %s, model %s, %d node(s), %d epochs, batch %d, backend %s\n",
      cfg->run.name.c_str(), cfg->cluster.nodes > 1 ? cfg->algorithm.name.c_str() : "single node",
      cfg->model.name.c_str(), cfg->cluster.nodes, cfg->schedule.epochs, cfg->data.batch_size,
      cfg->backend.name.c_str());
  if (cfg->cluster.nodes > 1 || console) {
    if (!resume.empty() && cfg->cluster.nodes > 1) {
      // The group checkpoint is checked (and loaded) as the group starts.
      cfg->run.resume_from = sgp::apps::resolve_checkpoint(resume);
    } else if (!resume.empty()) {
      return fail(
          {"--resume: cannot be combined with --console yet (the console drives the "
           "actor runtime, which does not resume); resume without --console"});
    }
    return run_group(*cfg, console);
  }
  auto outcome = sgp::apps::train_single_node(
      *cfg, *set, resume.empty() ? std::nullopt : std::optional<std::string>(resume));
  if (!outcome.ok()) return fail(outcome.err());
  std::printf(
      "summary: %lld iterations in %.1f s, test accuracy %.2f%%, test loss %.4f\n"
      "run directory: %s (summary.json, metrics.jsonl, checkpoints/latest.ckpt)\n",
      static_cast<long long>(outcome->iterations), outcome->wall_seconds,
      100.0 * outcome->test_accuracy, outcome->test_loss, cfg->run.dir.c_str());
  return 0;
}

/// CLI11 answers a misspelt subcommand (`sgp trian`) with "A subcommand is
/// required"; this names it, with the closest valid one. Checks the words
/// before the first option, level by level; a missing subcommand lists them.
std::optional<std::string> unknown_subcommand(const CLI::App& app, int argc, char** argv) {
  const CLI::App* level = &app;
  std::string path = "sgp";
  for (int i = 1; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word.starts_with("-")) return std::nullopt;
    const auto subs = level->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return std::nullopt;
    const CLI::App* next = nullptr;
    std::vector<std::string> names;
    for (const CLI::App* sub : subs) {
      names.push_back(sub->get_name());
      if (sub->get_name() == word) next = sub;
    }
    if (next == nullptr) {
      std::vector<std::string_view> views(names.begin(), names.end());
      std::string valid;
      for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
      std::string msg = path + ": unknown subcommand '" + std::string(word) + "'";
      if (auto near = sgp::config::closest(word, views)) {
        msg += " (did you mean '" + *near + "'?)";
      } else {
        msg += " (valid: " + valid + ")";
      }
      return msg;
    }
    path += " " + std::string(word);
    level = next;
  }
  // Out of words where a subcommand is still needed (`sgp`, `sgp bench`).
  const auto subs = level->get_subcommands([](const CLI::App*) { return true; });
  if (subs.empty()) return std::nullopt;
  std::string valid;
  for (const CLI::App* sub : subs) valid += (valid.empty() ? "" : ", ") + sub->get_name();
  return path + ": a subcommand is required (" + valid + ")";
}

}  // namespace

int main(int argc, char** argv) {
  // NVLink multicast stays off wherever sgp runs (before any thread starts).
  sgp::core::disable_nvlink_multicast();
  sgp::apps::ignore_sigpipe();
  sgp::actors::route_log_through_terminal();
  CLI::App app{"sgp: distributed training with Stochastic Gradient Push"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("sgp ") + sgp::apps::version + " (commit " +
                                        sgp::apps::git_commit + ")");
  // --help shows every option's default (subcommands inherit this).
  app.option_defaults()->always_capture_default();

  std::string config_path;
  std::vector<std::string> overrides;
  std::string resume;
  CLI::App* train = app.add_subcommand("train", "train from a TOML config");
  train->add_option("config", config_path, "config file (TOML)")->required();
  train->add_option("--set", overrides, "override a key: --set optimizer.lr=0.05 (repeatable)");
  train->add_option("--resume", resume, "continue from a run directory or checkpoint file");
  bool console = false;
  train->add_flag("--console", console, "interactive console (status, link down, kill, ...)");
  bool overwrite = false;
  train->add_flag("--overwrite", overwrite,
                  "replace the run already in run.dir (its metrics.jsonl and summary.json)");
  bool dry_run = false;
  train->add_flag("--dry-run", dry_run,
                  "print the resolved config and the plan (nodes, devices, topology, "
                  "algorithm), then exit");

  CLI::App* bench = app.add_subcommand("bench", "benchmarks");
  bench->require_subcommand(1);
  sgp::apps::bench_train_options bt{"cnn", 128, "fp32", "cpu", 50, 5};
  CLI::App* bench_train = bench->add_subcommand("train", "ms per training step of one model");
  bench_train->add_option("--model", bt.model, "mlp | cnn | cnn-bn | resnet18 | resnet50 (cuda)");
  bench_train->add_option("--batch", bt.batch, "samples per step");
  bench_train->add_option("--dtype", bt.dtype, "fp32 | bf16 (resnet18, resnet50 on cuda)");
  bench_train->add_option("--backend", bt.backend, "cpu | cuda");
  bench_train->add_option("--steps", bt.steps, "timed steps");
  bench_train->add_option("--warmup", bt.warmup, "untimed steps first");
  sgp::apps::comm_bound_options cb;
  CLI::App* comm_bound =
      bench->add_subcommand("comm-bound", "compute-only vs ar-sgd vs sgp vs osgp on slow links");
  comm_bound->add_option("--nodes", cb.nodes, "simulated nodes");
  comm_bound->add_option("--model", cb.model, "mlp | cnn | cnn-bn | resnet18 | resnet50 (cuda)");
  comm_bound->add_option("--devices", cb.devices, "cuda: GPU ids, node i on devices[i % count]")
      ->delimiter(',');
  comm_bound->add_option("--batch", cb.batch, "samples per node per step");
  comm_bound->add_option("--iterations", cb.iterations, "iterations per run");
  comm_bound->add_option("--bandwidth", cb.bandwidth, "emulated link bandwidth");
  comm_bound->add_option("--latency", cb.latency, "emulated link latency");
  comm_bound->add_option("--backend", cb.backend, "cpu | cuda");
  comm_bound->add_option("--tau", cb.tau, "osgp's bound on outstanding iterations");
  comm_bound->add_option("--repeat", cb.repeat, "interleaved rounds; medians are reported");
  comm_bound->add_option("--algorithms", cb.algorithms,
                         "comma-separated, timed besides compute-only (ar-sgd,sgp,osgp,d-psgd; "
                         "a variant: osgp:reference:x, sgp:z, osgp:bf16 for bf16 pushes)");
  sgp::apps::bench_mix_options bm;
  CLI::App* bench_mix =
      bench->add_subcommand("mix", "push-sum mix_debias bandwidth vs a device copy");
  bench_mix->add_option("--params", bm.params, "floats per vector");
  bench_mix->add_option("--backend", bm.backend, "auto (cuda when a GPU is usable) | cpu | cuda");
  bench_mix->add_option("--iterations", bm.iterations, "timed calls (0: 1000 on cuda, 20 on cpu)");

  sgp::apps::node_command node_cmd;
  CLI::App* node = app.add_subcommand("node", "run one process of a multi-process cluster");
  node->add_option("config", node_cmd.config_path, "config file with [[cluster.process]] tables")
      ->required();
  node->add_option("--process", node_cmd.process,
                   "this process's name (default: the rank from torchrun, SLURM or mpirun)");
  node->add_option("--set", node_cmd.overrides,
                   "override a key (repeatable; same on every process)");
  node->add_flag("--overwrite", node_cmd.overwrite, "replace an earlier run in run.dir");
  node->add_option("--resume", node_cmd.resume,
                   "continue a run from its checkpoints (RUN_DIR/NAME/checkpoints/latest.ckpt)");

  std::string launch_config;
  std::vector<std::string> launch_overrides;
  bool launch_overwrite = false;
  CLI::App* launch = app.add_subcommand(
      "launch", "start every process of this host (sgp node), prefix their output, wait");
  launch->add_option("config", launch_config, "config file with [[cluster.process]] tables")
      ->required();
  launch->add_option("--set", launch_overrides, "override a key (repeatable)");
  launch->add_flag("--overwrite", launch_overwrite, "replace an earlier run in run.dir");
  std::string launch_resume;
  launch->add_option("--resume", launch_resume,
                     "continue a run from its processes' checkpoints (a run directory)");

  std::string console_endpoint;
  CLI::App* remote = app.add_subcommand(
      "console", "the console of a running `sgp train` over its status page (secret: SGP_SECRET)");
  remote->add_option("endpoint", console_endpoint, "HOST:PORT of the status page (output.http)")
      ->required();

  if (auto unknown = unknown_subcommand(app, argc, argv)) {
    std::fprintf(stderr, "sgp: error: %s; see 'sgp --help'\n", unknown->c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (train->parsed()) {
    return run_train(config_path, overrides, resume, console, overwrite, dry_run,
                     std::vector<std::string>(argv, argv + argc));
  }
  if (node->parsed()) {
    node_cmd.argv.assign(argv, argv + argc);
    return sgp::apps::run_node(node_cmd);
  }
  if (launch->parsed()) {
    return sgp::apps::run_launch(launch_config, launch_overrides, launch_overwrite, launch_resume);
  }
  if (remote->parsed()) {
    return sgp::apps::run_remote_console(console_endpoint, std::cin, std::cout, std::cerr);
  }
  if (bench_train->parsed()) return sgp::apps::run_bench_train(bt);
  if (bench_mix->parsed()) return sgp::apps::run_bench_mix(bm);
  if (comm_bound->parsed()) return sgp::apps::run_bench_comm_bound(cb);
  return 1;
}
