// Implementation of the collapse watch (see collapse_watch.hpp).
#include "core/collapse_watch.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sgp::core {

collapse_watch::collapse_watch(int classes, std::size_t nodes) : classes_(classes) {
  if (classes < 2) return;
  chance_ = std::log(static_cast<double>(classes));
  const std::size_t per_iteration = std::max<std::size_t>(nodes, 1);
  alpha_ = 1.0 / static_cast<double>(3 * per_iteration);  // about three iterations
  warm_ = 10 * per_iteration;
}

void collapse_watch::add(std::uint64_t iteration, double loss) {
  if (chance_ <= 0.0 || !std::isfinite(loss)) return;
  smoothed_ = seen_ == 0 ? loss : smoothed_ + alpha_ * (loss - smoothed_);
  ++seen_;
  if (seen_ > warm_ && smoothed_ < lowest_) {
    lowest_ = smoothed_;
    lowest_at_ = iteration;
  }
}

std::optional<std::string> collapse_watch::verdict() const {
  if (chance_ <= 0.0 || seen_ <= 2 * warm_) return std::nullopt;
  if (lowest_ > 0.8 * chance_ || smoothed_ < 0.95 * chance_) return std::nullopt;
  char text[320];
  std::snprintf(text, sizeof(text),
                "the run collapsed: its training loss came down to %.3g (at iteration %llu) and "
                "went back to chance level, %.3g (ln %d = %.3g), where it ended: the network's "
                "outputs no longer depend on its input; lower optimizer.lr or add "
                "schedule.warmup_epochs",
                lowest_, static_cast<unsigned long long>(lowest_at_), smoothed_, classes_, chance_);
  return std::string(text);
}

}  // namespace sgp::core
