// The files every run writes into its run directory: metrics.jsonl,
// checkpoints/latest.ckpt and summary.json (docs/design.md §6).
#pragma once

#include <fstream>
#include <string>

#include "core/result.hpp"

namespace sgp::apps {

/// Paths inside one run directory.
struct run_paths {
  std::string dir;
  [[nodiscard]] std::string metrics() const { return dir + "/metrics.jsonl"; }
  [[nodiscard]] std::string checkpoint_dir() const { return dir + "/checkpoints"; }
  [[nodiscard]] std::string checkpoint() const { return checkpoint_dir() + "/latest.ckpt"; }
  [[nodiscard]] std::string summary() const { return dir + "/summary.json"; }
};

/// Creates the run directory and its checkpoints/ folder.
core::status make_run_dir(const run_paths& paths);

/// `resume` as given on the command line: a checkpoint file, or a run
/// directory whose checkpoints/latest.ckpt is used.
std::string resolve_checkpoint(const std::string& resume);

/// Appends JSON lines to metrics.jsonl (appends on resume, so nothing is lost).
class metrics_writer {
 public:
  core::status open(const std::string& path);
  void write(const std::string& json_line);
  void flush() { out_.flush(); }

 private:
  std::ofstream out_;
};

/// Writes `json` to `path` atomically (temporary file, then rename).
core::status write_file_atomically(const std::string& path, const std::string& json);

}  // namespace sgp::apps
