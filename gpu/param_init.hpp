// Initial parameter values, shared by every backend so that the same seed
// gives the same weights everywhere: filled on the host, then uploaded.
#pragma once

#include <cstdint>
#include <span>

#include "gpu/backend.hpp"

namespace sgp::gpu {

/// Fills `params` (layout.total floats) as model::initialize documents: one
/// core::rng(seed) stream walks the segments in layout order and draws
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for each weight element in order
/// (PyTorch's Kaiming-uniform with a = sqrt(5)); biases and BN shifts are 0,
/// BN scales 1.
void initialize_params(const param_layout& layout, std::span<float> params, std::uint64_t seed);

}  // namespace sgp::gpu
