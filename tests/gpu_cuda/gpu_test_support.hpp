// Shared helpers of the CUDA tests: skipping without a device, device
// round-trips, random data and tolerance checks.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "core/rng.hpp"
#include "gpu/cuda/cuda_backend.hpp"

/// Catch2 v2 has no SKIP: warn and leave the test case (it then passes).
#define SGP_SKIP_WITHOUT_GPU()                        \
  do {                                                \
    if (::sgp::gpu::cuda::cuda_device_count() == 0) { \
      WARN("no CUDA device: skipped");                \
      return;                                         \
    }                                                 \
  } while (false)

namespace sgp::gpu::cuda::testing {

/// n standard-normal floats times `scale`.
inline std::vector<float> random_floats(std::size_t n, std::uint64_t seed, float scale = 1.0f) {
  core::rng gen(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = scale * static_cast<float>(gen.normal());
  return v;
}

/// n labels in [0, classes).
inline std::vector<std::int32_t> random_labels(std::size_t n, int classes, std::uint64_t seed) {
  core::rng gen(seed);
  std::vector<std::int32_t> v(n);
  for (auto& l : v) l = static_cast<std::int32_t>(gen.below(static_cast<std::uint64_t>(classes)));
  return v;
}

/// max |a - b| over max |b| (the oracle), with `floor` for near-zero b.
inline double relative_max_diff(std::span<const float> a, std::span<const float> b,
                                double floor = 1e-6) {
  REQUIRE(a.size() == b.size());
  double diff = 0.0;
  double ref = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - b[i]));
    ref = std::max(ref, std::abs(static_cast<double>(b[i])));
  }
  return diff / std::max(ref, floor);
}

}  // namespace sgp::gpu::cuda::testing
