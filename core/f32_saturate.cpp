// fp32 rounding for process sums (see f32_saturate.hpp).
#include "core/f32_saturate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/assert.hpp"
#include "core/parallel_chunks.hpp"

namespace sgp::core {

void round_f32_saturating(std::span<const double> in, std::span<float> out) {
  SGP_ASSERT(out.size() == in.size());
  constexpr double fmax = std::numeric_limits<float>::max();
  parallel_chunks(in.size(), [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      const double v = in[i];
      out[i] = static_cast<float>(std::isnan(v) ? v : std::clamp(v, -fmax, fmax));
    }
  });
}

void widen_f32(std::span<const float> in, std::span<double> out) {
  SGP_ASSERT(out.size() == in.size());
  parallel_chunks(in.size(), [&](std::size_t begin, std::size_t end) {
    std::copy(in.begin() + static_cast<std::ptrdiff_t>(begin),
              in.begin() + static_cast<std::ptrdiff_t>(end),
              out.begin() + static_cast<std::ptrdiff_t>(begin));
  });
}

}  // namespace sgp::core
