// A device tensor of fp32 or bf16 elements for the CUDA tests, filled and
// read as floats, and the host view of values rounded to a tensor's type.
#pragma once

#include <cuda_runtime.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/bf16.hpp"
#include "gpu/cuda/act_dtype.hpp"
#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda::testing {

/// A device tensor of fp32 or bf16 elements, filled and read as floats.
class tensor {
 public:
  tensor(act_dtype t, std::size_t n) : t_(t), n_(n), bytes_(n * (t == act_dtype::f32 ? 4 : 2)) {
    SGP_CUDA_CHECK(cudaMalloc(&data_, std::max<std::size_t>(bytes_, 16)));
    SGP_CUDA_CHECK(cudaMemset(data_, 0, std::max<std::size_t>(bytes_, 16)));
  }
  tensor(const tensor&) = delete;
  tensor& operator=(const tensor&) = delete;
  ~tensor() { (void)cudaFree(data_); }

  /// Uploads `v` (rounded to bf16 for a bf16 tensor).
  void put(const std::vector<float>& v) {
    REQUIRE(v.size() == n_);
    if (t_ == act_dtype::f32) {
      SGP_CUDA_CHECK(cudaMemcpy(data_, v.data(), bytes_, cudaMemcpyHostToDevice));
      return;
    }
    std::vector<std::uint16_t> bits(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      const float r = core::round_to_bf16(v[i]);
      std::uint32_t u = 0;
      std::memcpy(&u, &r, 4);
      bits[i] = static_cast<std::uint16_t>(u >> 16);
    }
    SGP_CUDA_CHECK(cudaMemcpy(data_, bits.data(), bytes_, cudaMemcpyHostToDevice));
  }

  [[nodiscard]] std::vector<float> get() const {
    std::vector<float> out(n_);
    if (t_ == act_dtype::f32) {
      SGP_CUDA_CHECK(cudaMemcpy(out.data(), data_, bytes_, cudaMemcpyDeviceToHost));
      return out;
    }
    std::vector<std::uint16_t> bits(n_);
    SGP_CUDA_CHECK(cudaMemcpy(bits.data(), data_, bytes_, cudaMemcpyDeviceToHost));
    for (std::size_t i = 0; i < n_; ++i) {
      const std::uint32_t u = static_cast<std::uint32_t>(bits[i]) << 16;
      std::memcpy(&out[i], &u, 4);
    }
    return out;
  }

  [[nodiscard]] void* data() const { return data_; }

 private:
  act_dtype t_;
  std::size_t n_;
  std::size_t bytes_;
  void* data_ = nullptr;
};

/// `v` as the tensor type holds it (bf16-rounded for bf16).
inline std::vector<float> as_type(act_dtype t, std::vector<float> v) {
  if (t == act_dtype::bf16) {
    for (auto& x : v) x = core::round_to_bf16(x);
  }
  return v;
}

}  // namespace sgp::gpu::cuda::testing
