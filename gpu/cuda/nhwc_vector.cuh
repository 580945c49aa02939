// 16-byte vector loads and stores of fp32 or bf16 NHWC data, converted to
// and from float registers: the common unit of our channels-last kernels.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace sgp::gpu::cuda::nhwc {

template <class T>
struct width;
template <>
struct width<float> {
  static constexpr int value = 4;
};
template <>
struct width<__nv_bfloat16> {
  static constexpr int value = 8;
};

__device__ __forceinline__ float to_float(float v) {
  return v;
}
__device__ __forceinline__ float to_float(__nv_bfloat16 v) {
  return __bfloat162float(v);
}

template <class T>
__device__ __forceinline__ T from_float(float v);
template <>
__device__ __forceinline__ float from_float<float>(float v) {
  return v;
}
template <>
__device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) {
  return __float2bfloat16_rn(v);
}

/// Loads width<T> elements at p (16-byte aligned) as floats.
template <class T>
__device__ __forceinline__ void load(const T* p, float (&out)[width<T>::value]) {
  const uint4 raw = *reinterpret_cast<const uint4*>(p);
  const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
  for (int i = 0; i < width<T>::value; ++i) out[i] = to_float(e[i]);
}

/// Stores width<T> floats at p (16-byte aligned), rounded to T.
template <class T>
__device__ __forceinline__ void store(T* p, const float (&in)[width<T>::value]) {
  uint4 raw;
  T* e = reinterpret_cast<T*>(&raw);
#pragma unroll
  for (int i = 0; i < width<T>::value; ++i) e[i] = from_float<T>(in[i]);
  *reinterpret_cast<uint4*>(p) = raw;
}

}  // namespace sgp::gpu::cuda::nhwc
