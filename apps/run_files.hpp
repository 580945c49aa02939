// The files every run writes into its run directory: metrics.jsonl,
// checkpoints/latest.ckpt and summary.json (docs/design.md §6), and the lock
// that keeps two runs out of one directory.
#pragma once

#include <string>

#include "core/result.hpp"
#include "runtime/metrics_writer.hpp"

namespace sgp::apps {

/// Paths inside one run directory.
struct run_paths {
  std::string dir;
  [[nodiscard]] std::string metrics() const { return dir + "/" + runtime::metrics_file_name; }
  [[nodiscard]] std::string checkpoint_dir() const { return dir + "/checkpoints"; }
  [[nodiscard]] std::string checkpoint() const { return checkpoint_dir() + "/latest.ckpt"; }
  [[nodiscard]] std::string summary() const { return dir + "/summary.json"; }
  [[nodiscard]] std::string lock() const { return dir + "/.lock"; }
};

/// Creates the run directory and its checkpoints/ folder.
core::status make_run_dir(const run_paths& paths);

/// `resume` as given on the command line: a checkpoint file, or a run
/// directory whose checkpoints/latest.ckpt is used.
std::string resolve_checkpoint(const std::string& resume);

/// An exclusive lock on a run directory (flock on RUN_DIR/.lock), held
/// while the object lives: a second run into the same directory is refused.
class run_dir_lock {
 public:
  run_dir_lock() = default;
  run_dir_lock(run_dir_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  run_dir_lock& operator=(run_dir_lock&& other) noexcept;
  run_dir_lock(const run_dir_lock&) = delete;
  run_dir_lock& operator=(const run_dir_lock&) = delete;
  ~run_dir_lock();

  /// Creates the directory if needed and takes its lock, or says who holds it.
  static core::result<run_dir_lock> take(const run_paths& paths);

 private:
  int fd_ = -1;
};

/// What a new run may find in its directory. A directory that already holds
/// a run (metrics.jsonl or summary.json) is refused unless the run resumes
/// (it appends) or `overwrite` (the old metrics and summary go first).
core::status prepare_run_dir(const run_paths& paths, bool resuming, bool overwrite);

}  // namespace sgp::apps
