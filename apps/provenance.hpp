// What produced a run directory: RUN_DIR/run.json (program version and
// commit, start time, host, command line, config file and overrides) and
// RUN_DIR/config.toml (the resolved configuration, which `sgp train` reads
// back as it is). A resumed run keeps the first start's files and adds
// run-resume-K.json and config-resume-K.toml.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"

namespace sgp::apps {

/// How `sgp` was started.
struct invocation {
  std::vector<std::string> argv;  ///< the whole command line, argv[0] first
  std::string config_path;
  std::vector<std::string> overrides;  ///< --set values, in order
  std::string resume;                  ///< --resume, empty for a new run
};

/// run.json's text: {"program","version","commit","start_time" (UTC,
/// ISO 8601),"host","cwd","command_line":[...],"config_file","overrides":[...],
/// "resumed_from"}.
std::string provenance_json(const invocation& inv, const std::string& start_time);

/// Writes run.json and config.toml into `cfg.run.dir` (atomically, every
/// write checked); for a resumed run, the first free run-resume-K.json and
/// config-resume-K.toml instead.
[[nodiscard]] core::status write_provenance(const config::config& cfg, const invocation& inv);

}  // namespace sgp::apps
