// fp32 rounding of process sums: saturation, NaN, exact rounding, and the
// same result on many threads as on one.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "core/f32_saturate.hpp"
#include "core/rng.hpp"

using sgp::core::round_f32_saturating;
using sgp::core::widen_f32;

TEST_CASE("fp32 rounding of a sum saturates, keeps NaN and rounds like a cast", "[core]") {
  constexpr float fmax = std::numeric_limits<float>::max();
  const std::vector<double> in = {1e300,        -1e300, std::numeric_limits<double>::infinity(),
                                  std::nan(""), 0.1,    -2.5,
                                  1.0 + 1e-12,  0.0};
  std::vector<float> out(in.size());
  round_f32_saturating(in, out);
  CHECK(out[0] == fmax);
  CHECK(out[1] == -fmax);
  CHECK(out[2] == fmax);
  CHECK(std::isnan(out[3]));
  CHECK(out[4] == 0.1f);
  CHECK(out[5] == -2.5f);
  CHECK(out[6] == 1.0f);
  CHECK(out[7] == 0.0f);
}

TEST_CASE("fp32 rounding and widening of a model-sized buffer cover every value once", "[core]") {
  // Past parallel_chunks' threshold, so that several threads share it.
  const std::size_t n = (std::size_t{1} << 20) + 7;
  sgp::core::rng r(5);
  std::vector<double> in(n);
  for (auto& v : in) v = (r.uniform() - 0.5) * 1e3;
  std::vector<float> out(n, -1.0f);
  round_f32_saturating(in, out);
  std::vector<double> back(n, -1.0);
  widen_f32(out, back);
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (out[i] != static_cast<float>(in[i]) || back[i] != static_cast<double>(out[i])) ++wrong;
  }
  CHECK(wrong == 0);
}
