// f64 sums rounded to fp32 for an AllReduce's wire, and back, on several
// threads for model-sized buffers: Gloo's process sum. NCCL's host path
// (gpu/cuda/nccl_process_sum.cpp) rounds the same way in a loop of its own,
// not moved here yet (it needs a run on two GPUs to verify).
#pragma once

#include <span>

namespace sgp::core {

/// out[i] = in[i] rounded to fp32, values beyond fp32's range saturating to
/// its largest finite value (an infinity would poison every replica's sum);
/// NaN stays NaN. `out` has in.size() values.
void round_f32_saturating(std::span<const double> in, std::span<float> out);

/// out[i] = in[i] (exact). `out` has in.size() values.
void widen_f32(std::span<const float> in, std::span<double> out);

}  // namespace sgp::core
