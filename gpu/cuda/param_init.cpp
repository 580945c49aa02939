// param_init: the CPU backend's initialisation, repeated here so that the
// CUDA library does not depend on oneDNN; tests check both agree bit for bit.
#include "gpu/cuda/param_init.hpp"

#include <algorithm>
#include <cmath>

#include "core/assert.hpp"
#include "core/rng.hpp"

namespace sgp::gpu::cuda {

void initialize_params(const param_layout& layout, std::span<float> params, std::uint64_t seed) {
  SGP_ASSERT(params.size() == layout.total);
  core::rng gen(seed);
  for (const auto& seg : layout.segments) {
    float* p = params.data() + seg.offset;
    switch (seg.kind) {
      case param_kind::weight: {
        SGP_ASSERT(seg.fan_in > 0);
        const double bound = 1.0 / std::sqrt(static_cast<double>(seg.fan_in));
        for (std::size_t i = 0; i < seg.size; ++i) {
          p[i] = static_cast<float>(gen.uniform(-bound, bound));
        }
        break;
      }
      case param_kind::bn_scale:
        std::fill_n(p, seg.size, 1.0f);
        break;
      case param_kind::bias:
      case param_kind::bn_shift:
        std::fill_n(p, seg.size, 0.0f);
        break;
    }
  }
}

}  // namespace sgp::gpu::cuda
