// The learning-rate schedule a config asks for: one function for the
// single-node trainer and the actor runtime, so that both train with the
// same rates (warm-up, the reference's scaling recipe, step or cosine decay).
#pragma once

#include "config/config.hpp"
#include "config/settings.hpp"
#include "core/lr_schedule.hpp"

namespace sgp::config {

/// The schedule of `cfg` (already validated; `set` is its resolve()), in epochs.
[[nodiscard]] core::lr_schedule lr_schedule_of(const config& cfg, const settings& set);

}  // namespace sgp::config
