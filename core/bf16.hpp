// bfloat16 rounding on the CPU (the twin of the CUDA cast kernels): a float
// rounded to the nearest bf16 (ties to even), returned as a float.
#pragma once

#include <cstdint>
#include <cstring>

namespace sgp::core {

/// `x` rounded to bfloat16 precision (8 significant bits), ties to even;
/// NaN stays NaN, infinities stay infinite.
inline float round_to_bf16(float x) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &x, sizeof(bits));
  if ((bits & 0x7f800000u) == 0x7f800000u) {  // inf or NaN: keep (quiet the NaN)
    if ((bits & 0x007fffffu) != 0) bits |= 0x00400000u;
    bits &= 0xffff0000u;
  } else {
    bits += 0x7fffu + ((bits >> 16) & 1u);
    bits &= 0xffff0000u;
  }
  float out = 0.0f;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}

}  // namespace sgp::core
