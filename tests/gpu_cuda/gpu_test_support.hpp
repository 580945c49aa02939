// Shared helpers of the CUDA tests: skipping without a device, device
// round-trips, random data and tolerance checks.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "gpu/cuda/cuda_backend.hpp"
#include "tests/skip.hpp"

/// Leaves the test as skipped (tests/skip.hpp) when there is no CUDA device.
#define SGP_SKIP_WITHOUT_GPU()                                                  \
  do {                                                                          \
    if (::sgp::gpu::cuda::cuda_device_count() == 0) SGP_SKIP("no CUDA device"); \
  } while (false)

/// Leaves the test as skipped unless there are at least `n` CUDA devices.
#define SGP_SKIP_WITHOUT_GPUS(n)                                                                 \
  do {                                                                                           \
    if (::sgp::gpu::cuda::cuda_device_count() < (n)) SGP_SKIP("fewer than " #n " CUDA devices"); \
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

/// The CUDA backend on `device`; fails the test when it cannot be made.
inline std::unique_ptr<backend> cuda_or_fail(int device = 0) {
  auto b = make_cuda_backend(device);
  INFO((b.ok() ? std::string() : b.err().message));
  REQUIRE(b.ok());
  return std::move(b).value();
}

/// `host` in a new buffer of `be`.
inline buffer put(backend& be, const std::vector<float>& host) {
  buffer b = be.allocate(host.size());
  be.upload(host, b);
  return b;
}

/// The buffer's floats (download waits for the backend's stream).
inline std::vector<float> fetch(backend& be, const buffer& b) {
  std::vector<float> host(b.size());
  be.download(b, host);
  return host;
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
