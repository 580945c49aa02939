// The CPU backend's push-sum kernels against core's reference arithmetic.
#include <catch2/catch.hpp>

#include <vector>

#include "core/flat_ops.hpp"
#include "core/rng.hpp"
#include "gpu/cpu/cpu_backend.hpp"

TEST_CASE("cpu copy, scale and mix_debias match core", "[gpu][cpu]") {
  auto be = sgp::gpu::cpu::make_cpu_backend(1);
  sgp::core::rng r(5);
  const std::size_t n = 1000;
  std::vector<float> x(n), share(n);
  for (auto& v : x) v = static_cast<float>(r.uniform(-2, 2));
  for (auto& v : share) v = static_cast<float>(r.uniform(-2, 2));
  auto bx = be->allocate(n);
  auto bs = be->allocate(n);
  auto bz = be->allocate(n);
  be->upload(x, bx);
  be->upload(share, bs);

  be->mix_debias(bx, bs, 0.375, bz);
  std::vector<float> got_x(n), got_z(n);
  be->download(bx, got_x);
  be->download(bz, got_z);
  std::vector<float> want_x(x);
  sgp::core::add<float>(share, want_x);
  std::vector<float> want_z(n);
  sgp::core::debias<float>(want_x, 0.375, want_z);
  CHECK(got_x == want_x);
  for (std::size_t i = 0; i < n; ++i) CHECK(got_z[i] == Approx(want_z[i]).epsilon(1e-6));

  be->scale(bx, 0.5f);
  be->copy(bx, bs);
  std::vector<float> scaled(n);
  be->download(bs, scaled);
  for (std::size_t i = 0; i < n; ++i) CHECK(scaled[i] == want_x[i] * 0.5f);
}
