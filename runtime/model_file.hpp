// The trained model as a file PyTorch loads: its parameters and batch-norm
// statistics in safetensors, under the names of the model's PyTorch module
// (gpu/torch_state.hpp). One writer for every run's model.safetensors: the
// single-node trainer's, a group's in one process and a cluster's.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "config/config.hpp"
#include "config/settings.hpp"
#include "core/result.hpp"
#include "gpu/backend.hpp"

namespace sgp::runtime {

/// Writes `params` and `stats` (laid out as `layout`) of cfg's model after
/// `iterations` to `path` atomically. The ResNets have no PyTorch module
/// here: nothing is written for them (and that is no error).
[[nodiscard]] core::status save_model_file(const std::string& path, const config::config& cfg,
                                           const config::settings& set,
                                           const gpu::param_layout& layout,
                                           std::span<const float> params,
                                           std::span<const float> stats, std::uint64_t iterations);

}  // namespace sgp::runtime
