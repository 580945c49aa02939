// The live progress line on stderr: redrawn in place on a terminal, printed
// every few iterations as plain lines otherwise (logs, CI).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sgp::apps {

/// What one progress update shows.
struct progress_state {
  int epoch = 0;  ///< 1-based
  int epochs = 0;
  std::int64_t iteration = 0;  ///< within the epoch, 1-based
  std::int64_t iterations_per_epoch = 0;
  double loss = 0.0;  ///< running mean over the epoch so far
  double lr = 0.0;
  double samples_per_second = 0.0;
};

class progress_line {
 public:
  /// `enabled` false prints nothing; `every` is the plain-line interval.
  progress_line(bool enabled, int every);

  void update(const progress_state& s);
  /// Ends the in-place line (if any) and prints `message` on its own line.
  void finish_line(const std::string& message);

 private:
  bool enabled_;
  bool tty_;
  int every_;
  bool dirty_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::int64_t first_done_ = -1;  ///< iterations done at the first update (a resume starts late)
};

}  // namespace sgp::apps
