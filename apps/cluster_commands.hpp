// `sgp node CONFIG [--process NAME]` (one process of a cluster) and
// `sgp launch CONFIG` (every process of this host, output prefixed). No CAF.
#pragma once

#include <string>
#include <vector>

namespace sgp::apps {

struct node_command {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string process;  ///< empty: from the environment (torchrun, SLURM, Open MPI)
  bool overwrite = false;
  /// A run directory whose RUN_DIR/NAME/checkpoints/latest.ckpt this
  /// process resumes from (empty: a new run, or a rejoin).
  std::string resume;
  std::vector<std::string> argv;  ///< the command line (provenance)
};

/// Runs one process of the cluster; the exit code.
int run_node(const node_command& c);

/// Starts `sgp node` for every process whose host is this machine and
/// waits; the first failure's exit code, or 0.
int run_launch(const std::string& config_path, const std::vector<std::string>& overrides,
               bool overwrite, const std::string& resume = {});

}  // namespace sgp::apps
