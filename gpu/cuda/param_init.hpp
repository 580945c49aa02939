// Initial parameters, drawn on the host exactly as the CPU backend draws them
// (gpu/cpu/cpu_model.cpp, initialize_params), so both backends start from
// bit-identical weights for the same seed.
#pragma once

#include <cstdint>
#include <span>

#include "gpu/backend.hpp"

namespace sgp::gpu::cuda {

/// One core::rng(seed) stream walks the segments in layout order and draws
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) in double, rounded to float, for every
/// weight; biases and BN shifts 0, BN scales 1.
void initialize_params(const param_layout& layout, std::span<float> params, std::uint64_t seed);

}  // namespace sgp::gpu::cuda
