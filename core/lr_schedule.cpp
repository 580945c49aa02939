// Learning-rate schedule: warmup, step and cosine decay.
#include "core/lr_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace sgp::core {

core::result<lr_decay> parse_lr_decay(const std::string& name) {
  std::string valid;
  for (const auto& [kind, kind_name] : lr_decay_table) {
    if (name == kind_name) return kind;
    valid += (valid.empty() ? "" : ", ") + std::string(kind_name);
  }
  return make_error("unknown lr decay '" + name + "' (valid: " + valid + ")");
}

double lr_schedule::at(double epoch) const {
  const double e = std::max(epoch, 0.0);
  const bool warming = warmup_epochs > 0.0 && e < warmup_epochs;
  if (kind == lr_decay::step) {
    double lr = peak_lr;
    if (warming) lr *= warmup_start_factor + (1.0 - warmup_start_factor) * (e / warmup_epochs);
    for (const double d : decay_epochs) {
      if (e >= d) lr *= decay_factor;
    }
    return lr;
  }
  if (warming) {
    return peak_lr * (warmup_start_factor + (1.0 - warmup_start_factor) * (e / warmup_epochs));
  }
  const double span = total_epochs - warmup_epochs;
  if (span <= 0.0) return peak_lr;
  const double progress = std::clamp((e - warmup_epochs) / span, 0.0, 1.0);
  return peak_lr * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

void lr_recipe::apply(lr_schedule& s) const {
  double peak = base_lr * (by_nodes ? nodes : 1);
  if (reference_batch > 0) peak *= static_cast<double>(batch) / reference_batch;
  s.peak_lr = peak;
  s.warmup_start_factor = start_factor;
  if (warmup_from_base) s.warmup_start_factor = peak > base_lr ? base_lr / peak : 1.0;
}

}  // namespace sgp::core
