// `sgp node` and `sgp launch` (see cluster_commands.hpp).
#include "apps/cluster_commands.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>

#include "actors/cluster_run.hpp"
#include "apps/launcher.hpp"
#include "apps/log_setup.hpp"
#include "apps/provenance.hpp"
#include "apps/run_files.hpp"
#include "apps/stop_signals.hpp"
#include "apps/summary_print.hpp"
#include "apps/version.hpp"
#include "config/advice.hpp"
#include "config/cluster.hpp"
#include "config/cluster_env.hpp"
#include "config/config.hpp"
#include "config/settings.hpp"
#include "config/settings_text.hpp"
#include "core/endpoint.hpp"
#include "core/log.hpp"
#include "gpu/process_sum.hpp"

namespace sgp::apps {
namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "sgp: error: %s\n", message.c_str());
  return 1;
}

/// Starts this `sgp node` again in place (execv: the same pid, program,
/// arguments and environment, so `sgp launch`, torchrun and SLURM see one
/// process), as a restart after a crash would: a new incarnation, which
/// the running cluster readmits. `--overwrite` and `--resume` are left
/// out: the run directory's metrics go on, and the process rejoins with
/// the cluster's mass, not its checkpoint's. Returns only when it could
/// not (the exit code).
int start_again(const node_command& c) {
  std::error_code ec;
  const auto program = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return fail("cannot start this process again (/proc/self/exe): " + ec.message());
  std::vector<std::string> args{program.string()};
  for (std::size_t i = 1; i < c.argv.size(); ++i) {
    if (c.argv[i] == "--resume") {
      ++i;  // and its directory
      continue;
    }
    if (c.argv[i].rfind("--overwrite", 0) != 0 && c.argv[i].rfind("--resume=", 0) != 0) {
      args.push_back(c.argv[i]);
    }
  }
  std::vector<char*> raw;
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  std::fflush(nullptr);
  ::execv(program.c_str(), raw.data());
  return fail("cannot start this process again (" + program.string() +
              "): " + std::strerror(errno));
}

/// "0.1.0" as 0x000100 (major, minor, patch a byte each).
std::uint32_t program_version() {
  unsigned major = 0, minor = 0, patch = 0;
  (void)std::sscanf(version, "%u.%u.%u", &major, &minor, &patch);
  return (major << 16) | (minor << 8) | patch;
}

/// What a cluster run cannot do yet: refused by name instead of ignored.
core::status check_supported(const config::config& cfg, const config::settings& set) {
  auto refuse = [](const std::string& what) {
    return core::make_error(what +
                            " is not supported across processes yet (sgp train runs it "
                            "in one process)");
  };
#ifndef SGP_HAVE_GLOO
  // On GPUs NCCL sums across processes; elsewhere only Gloo does.
  if (set.algorithm.name == config::algorithm_kind::ar_sgd &&
      !(cfg.backend.name == "cuda" && gpu::nccl_built())) {
    return core::make_error(
        "algorithm.name = \"ar-sgd\" across processes needs Gloo (or NCCL with backend.name "
        "= \"cuda\"), and this sgp was built without it (install libgloo-dev: "
        "scripts/setup.sh, then rebuild; sgp train runs ar-sgd in one process)");
  }
#endif
  for (std::size_t i = 0; i < set.faults.size(); ++i) {
    // Link, partition, heal and slow faults every process applies itself;
    // kill and revive the node's process (SGP, OSGP). ar-sgd's replicas
    // hold no push-sum weight to take from in-neighbours: a revived node
    // would need a copy of the model, which does not cross processes.
    const auto action = set.faults[i].action;
    if ((action == config::fault_action::kill || action == config::fault_action::revive) &&
        set.algorithm.name == config::algorithm_kind::ar_sgd) {
      return refuse("[[faults]] " + std::to_string(i + 1) + " (action = \"" +
                    (action == config::fault_action::kill ? "kill" : "revive") +
                    "\") with algorithm.name = \"ar-sgd\" (a revived replica would need a copy "
                    "of the model, which does not cross processes; SGP and OSGP kill and revive "
                    "nodes)");
    }
  }
  if (!cfg.output.http.empty() && cfg.output.http.find(":0") == std::string::npos &&
      cfg.cluster.processes.size() > 1) {
    // One output.http for every process: a fixed port would be taken twice on one host.
    bool one_host = true;
    for (const auto& p : cfg.cluster.processes)
      one_host = one_host && p.host == cfg.cluster.processes[0].host;
    if (one_host) {
      return core::make_error("output.http = \"" + cfg.output.http +
                              "\": the processes share a host and the port; use port 0 (each "
                              "prints its own) or --set output.http=... per process");
    }
  }
  return {};
}

/// The index of this process: --process NAME, else a launcher's rank.
core::result<std::size_t> which_process(const config::config& cfg, const std::string& name) {
  const auto& cluster = cfg.cluster;
  if (!name.empty()) {
    if (auto found = config::find_process(cluster, name)) return *found;
    std::string names;
    for (const auto& p : cluster.processes) names += (names.empty() ? "" : ", ") + p.name;
    return core::make_error("--process " + name +
                            ": no such [[cluster.process]] (there are: " + names + ")");
  }
  auto env = config::process_set_from_environment([](const char* k) { return std::getenv(k); });
  if (!env.ok()) return env.err();
  if (!env->has_value()) {
    return core::make_error(
        "which process is this? give --process NAME, or start it under torchrun, SLURM or "
        "mpirun");
  }
  const auto& set = **env;
  core::log(core::log_level::info, "", config::describe(set));
  if (static_cast<std::size_t>(set.world_size) != cluster.processes.size()) {
    return core::make_error(set.source + " started " + std::to_string(set.world_size) +
                            " processes but the config has " +
                            std::to_string(cluster.processes.size()) +
                            " [[cluster.process]] tables");
  }
  return static_cast<std::size_t>(set.rank);
}

core::result<actors::cluster_layout> layout_of(const config::config& cfg,
                                               const config::settings& set, std::size_t self) {
  actors::cluster_layout layout;
  for (const auto& p : cfg.cluster.processes) {
    layout.processes.push_back({p.name, p.host, p.port, p.nodes, p.devices});
  }
  layout.self = self;
  layout.program_version = program_version();
  layout.settings = config::settings_text(cfg);
  layout.settings_hash = config::settings_hash(layout.settings);
  layout.secret = cfg.cluster.secret;
  if (const char* env = std::getenv("SGP_CLUSTER_SECRET");
      layout.secret.empty() && env != nullptr) {
    layout.secret = env;
  }
  layout.process_timeout = set.cluster.process_timeout_seconds;
  layout.join_timeout = set.cluster.join_timeout_seconds;
  return layout;
}

}  // namespace

int run_node(const node_command& c) {
  auto cfg = config::load_file(c.config_path, c.overrides);
  if (!cfg.ok()) return fail(cfg.err().message);
  apply_log_level(*cfg);
  if (cfg->cluster.processes.empty()) {
    return fail(c.config_path +
                ": no [[cluster.process]] tables: `sgp node` runs one process of a cluster "
                "(use `sgp train` for one process)");
  }
  auto set = config::resolve(*cfg);
  if (!set.ok()) return fail(set.err().message);
  if (auto st = check_supported(*cfg, *set); !st.ok())
    return fail(c.config_path + ": " + st.err().message);
  auto self = which_process(*cfg, c.process);
  if (!self.ok()) return fail(self.err().message);
  const auto& me = cfg->cluster.processes[*self];
  core::set_log_process(me.name);  // every line of this process names it
  // Each process keeps its files in RUN_DIR/NAME; the first also checks RUN_DIR.
  const run_paths mine{cfg->run.dir + "/" + me.name};
  auto lock = run_dir_lock::take(mine);
  if (!lock.ok()) return fail(lock.err().message);
  // A run of this process that the cluster has not finished (no summary):
  // this is a restart, which rejoins the running cluster (docs/cluster.md,
  // "Rejoining"), and its metrics.jsonl goes on. Not an error, as it is
  // for a finished run.
  std::error_code ec;
  const bool resuming = !c.resume.empty();
  if (resuming) {
    // Each process resumes from its own file of the one cut
    // (docs/cluster.md, "Checkpoints").
    const run_paths was{c.resume + "/" + me.name};
    cfg->run.resume_from = was.checkpoint();
    // A process of that run that died before its first checkpoint has its
    // metrics.jsonl there and no file: its nodes hold no state at the cut
    // (load_resume). Without either, the path is wrong.
    if (!std::filesystem::exists(cfg->run.resume_from, ec) &&
        !std::filesystem::exists(was.metrics(), ec)) {
      return fail("--resume " + c.resume + ": " + cfg->run.resume_from +
                  " does not exist (did that run set output.checkpoint_every_epochs, and pass "
                  "a checkpoint before it stopped?)");
    }
  }
  const bool unfinished = !resuming && !c.overwrite &&
                          std::filesystem::exists(mine.metrics(), ec) &&
                          !std::filesystem::exists(run_paths{cfg->run.dir}.summary(), ec);
  if (resuming) {
    core::logf(core::log_level::info, "sgp", {}, "resuming from %s; %s/metrics.jsonl goes on",
               cfg->run.resume_from.c_str(), mine.dir.c_str());
  } else if (unfinished) {
    core::logf(core::log_level::info, "sgp", {},
               "%s holds an unfinished run of this process: its metrics.jsonl goes on (a "
               "restarted process rejoins a running cluster; --overwrite starts it afresh)",
               mine.dir.c_str());
  } else if (auto st = prepare_run_dir(mine, false, c.overwrite); !st.ok()) {
    return fail(st.err().message);
  }
  if (*self == 0) {
    const run_paths root{cfg->run.dir};
    if (auto st = prepare_run_dir(root, resuming, c.overwrite); !st.ok()) {
      return fail(st.err().message);
    }
    // A resumed run's summary is written again at its end; the old one
    // would make a restarted process take the run for finished.
    if (resuming && std::filesystem::exists(root.summary(), ec) &&
        !std::filesystem::remove(root.summary(), ec)) {
      return fail(root.summary() + ": cannot remove (" + ec.message() + ")");
    }
    if (auto st = write_provenance(*cfg, {c.argv, c.config_path, c.overrides, c.resume});
        !st.ok()) {
      return fail(st.err().message);
    }
  }
  auto layout = layout_of(*cfg, *set, *self);
  if (!layout.ok()) return fail(layout.err().message);
  const auto [first, count] = config::node_range(cfg->cluster, *self);
  core::logf(core::log_level::info, "", {},
             "sgp: process %s (%zu of %zu) on %s:%d: nodes %d..%d of %d, %s, model %s",
             me.name.c_str(), *self + 1, cfg->cluster.processes.size(), me.host.c_str(), me.port,
             first, first + count - 1, cfg->cluster.nodes, cfg->algorithm.name.c_str(),
             cfg->model.name.c_str());
  for (const auto& warning : config::advice_for(*cfg, *set))
    core::log(core::log_level::warn, "sgp", warning);
  install_stop_signals();
  auto out = actors::run_cluster_process(*cfg, *set, *layout, &stop_signal());
  if (out.ok() && out->restart) {
    // Cut off by an outage: the others hold this process dead. Started
    // again, it rejoins with its nodes' mass at zero (docs/cluster.md).
    if (stop_signal().load() != 0)
      return fail(out->why + " (stopped by a signal: not started again)");
    core::logf(core::log_level::warn, "sgp", {}, "%s: starting again to rejoin", out->why.c_str());
    lock.value() = run_dir_lock{};  // the restarted process takes it again
    return start_again(c);
  }
  if (!out.ok()) return fail("process " + me.name + ": " + out.err().message);
  if (out->coordinator) {
    if (!out->summary.collapse.empty())
      core::logf(core::log_level::warn, "run", {}, "%s", out->summary.collapse.c_str());
    print_run_summary(out->summary, cfg->run.dir);
    std::fflush(stdout);
    if (out->summary.live_nodes == 0) return fail("the run ended with no live node");
  } else {
    core::logf(core::log_level::info, "sgp", {}, "finished (the summary is in %s/summary.json)",
               cfg->run.dir.c_str());
  }
  if (const int sig = stop_signal().load(); sig != 0) return 128 + sig;
  return 0;
}

int run_launch(const std::string& config_path, const std::vector<std::string>& overrides,
               bool overwrite, const std::string& resume) {
  auto cfg = config::load_file(config_path, overrides);
  if (!cfg.ok()) return fail(cfg.err().message);
  apply_log_level(*cfg);
  if (cfg->cluster.processes.empty()) {
    return fail(config_path + ": no [[cluster.process]] tables to launch");
  }
  auto set = config::resolve(*cfg);
  if (!set.ok()) return fail(set.err().message);
  if (auto st = check_supported(*cfg, *set); !st.ok()) {
    return fail(config_path + ": " + st.err().message);
  }
  char host[256] = {};
  (void)::gethostname(host, sizeof(host) - 1);
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return fail("cannot find the sgp program (/proc/self/exe): " + ec.message());
  std::vector<child_spec> children;
  for (const auto& p : cfg->cluster.processes) {
    if (!core::is_loopback(p.host) && p.host != host) continue;
    child_spec child{p.name, {self.string(), "node", config_path, "--process", p.name}};
    for (const auto& o : overrides) {
      child.argv.push_back("--set");
      child.argv.push_back(o);
    }
    if (overwrite) child.argv.push_back("--overwrite");
    if (!resume.empty()) {
      child.argv.push_back("--resume");
      child.argv.push_back(resume);
    }
    children.push_back(std::move(child));
  }
  if (children.empty()) {
    return fail(config_path + ": no [[cluster.process]] runs on this host (" + host +
                "); start them there with `sgp node " + config_path + " --process NAME`");
  }
  core::logf(core::log_level::info, "launch", {}, "%zu of %zu processes on this host",
             children.size(), cfg->cluster.processes.size());
  return run_children(children).exit_code;
}

}  // namespace sgp::apps
