// A run's metrics.jsonl (docs/metrics.md), appended to: one line per event,
// as core/metrics_lines.hpp writes them. The supervisor, a cluster's process
// host and the single-node trainer all write through it, so the file's name,
// its opening and the resume line are in one place.
#pragma once

#include <cstdint>
#include <string>

#include "core/metrics_lines.hpp"
#include "core/result.hpp"
#include "core/text_file.hpp"

namespace sgp::runtime {

/// The file's name inside a run directory.
inline constexpr const char* metrics_file_name = "metrics.jsonl";

class metrics_writer {
 public:
  /// Opens RUN_DIR/metrics.jsonl for appending (a resumed run continues it).
  [[nodiscard]] core::status open_in(const std::string& run_dir);
  [[nodiscard]] bool is_open() const { return file_.is_open(); }

  [[nodiscard]] core::status train(const core::metrics::train_record& r);
  [[nodiscard]] core::status eval(const core::metrics::eval_record& r);
  /// A resumed run's first line: where its lines begin and from which checkpoint.
  [[nodiscard]] core::status resume(std::uint64_t iteration, const std::string& checkpoint);
  /// The "final" line: the end of the run.
  [[nodiscard]] core::status end_of_run(const core::metrics::final_record& r);
  /// Any other line (fault, command, consensus).
  [[nodiscard]] core::status line(const std::string& text);

  /// Hands the buffered lines to the system (a reader sees them).
  [[nodiscard]] core::status flush();
  /// Flushes and closes; closed whatever the outcome.
  [[nodiscard]] core::status close();

 private:
  core::line_file file_;
};

}  // namespace sgp::runtime
