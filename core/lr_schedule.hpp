// Learning-rate schedule as a function of the fractional epoch: linear warmup,
// then step or cosine decay (the reference recipe: peak 0.1·n, 5 warmup
// epochs from 0.1, ×0.1 at epochs 30, 60 and 80).
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"

namespace sgp::core {

/// How the rate decays after warmup.
enum class lr_decay { step, cosine };

/// Parses "step" or "cosine"; the error lists the valid names.
[[nodiscard]] core::result<lr_decay> parse_lr_decay(const std::string& name);

/// Learning rate at a fractional epoch (iteration / iterations_per_epoch).
struct lr_schedule {
  double peak_lr = 0.1;              ///< caller already multiplied base lr by nodes if wanted
  double warmup_epochs = 0.0;        ///< linear ramp from peak*warmup_start_factor to peak
  double warmup_start_factor = 0.1;  ///< fraction of peak at epoch 0
  lr_decay kind = lr_decay::step;
  std::vector<double> decay_epochs;  ///< step: lr *= decay_factor once epoch >= each
  double decay_factor = 0.1;
  double total_epochs = 1.0;  ///< cosine: reaches 0 at total_epochs

  /// The rate at `epoch`. Warmup ramps linearly; step decay multiplies by
  /// decay_factor for every decay epoch <= epoch (also during warmup);
  /// cosine gives peak·0.5·(1 + cos(π·(e − warmup)/(total − warmup))) after
  /// warmup, held at 0 past total_epochs.
  [[nodiscard]] double at(double epoch) const;
};

}  // namespace sgp::core
