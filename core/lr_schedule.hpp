// Learning-rate schedule as a function of the fractional epoch: linear warmup,
// then step or cosine decay (the reference recipe: peak 0.1·n, 5 warmup
// epochs from 0.1, ×0.1 at epochs 30, 60 and 80).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace sgp::core {

/// How the rate decays after warmup.
enum class lr_decay { step, cosine };

/// Every decay and its config name (schedule.kind): the one list of names.
inline constexpr std::array<std::pair<lr_decay, std::string_view>, 2> lr_decay_table{{
    {lr_decay::step, "step"},
    {lr_decay::cosine, "cosine"},
}};

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

/// How a recipe turns the configured rate into the schedule's peak and
/// warm-up start (the reference code: lr × batch × nodes / 256, warm-up
/// from the unscaled lr).
struct lr_recipe {
  double base_lr = 0.1;   ///< optimizer.lr
  bool by_nodes = false;  ///< × nodes
  int nodes = 1;
  int batch = 1;                  ///< per node
  int reference_batch = 0;        ///< > 0: × batch / reference_batch
  bool warmup_from_base = false;  ///< warm-up starts at base_lr instead of peak × start_factor
  double start_factor = 0.1;

  /// Sets s.peak_lr and s.warmup_start_factor. From the base rate, the
  /// factor is base_lr / peak, at most 1 (no ramp when the peak is not above
  /// the base, as in the reference).
  void apply(lr_schedule& s) const;
};

}  // namespace sgp::core
