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

TEST_CASE("cpu sgd_delta is sgd_step as a delta", "[gpu][cpu]") {
  auto be = sgp::gpu::cpu::make_cpu_backend(1);
  sgp::core::rng r(9);
  const std::size_t n = 777;
  const std::size_t decayed = 500;
  for (const bool nesterov : {true, false}) {
    const sgp::gpu::sgd_options opt{0.9f, nesterov, 5e-4f};
    std::vector<float> x(n), g(n), m(n);
    for (auto& v : x) v = static_cast<float>(r.uniform(-2, 2));
    for (auto& v : g) v = static_cast<float>(r.uniform(-1, 1));
    for (auto& v : m) v = static_cast<float>(r.uniform(-0.1, 0.1));
    auto bx = be->allocate(n), bg = be->allocate(n), bm = be->allocate(n);
    auto sx = be->allocate(n), sm = be->allocate(n), delta = be->allocate(n);
    be->upload(x, bx);
    be->upload(x, sx);
    be->upload(g, bg);
    be->upload(m, bm);
    be->upload(m, sm);
    be->sgd_delta(opt, 0.05f, decayed, bx, bg, bm, delta);
    be->sgd_step(opt, 0.05f, decayed, sx, bg, sm);
    std::vector<float> got_x(n), got_m(n), got_d(n), want_x(n), want_m(n);
    be->download(bx, got_x);
    be->download(bm, got_m);
    be->download(delta, got_d);
    be->download(sx, want_x);
    be->download(sm, want_m);
    CHECK(got_x == x);  // x is only read
    CHECK(got_m == want_m);
    // x - lr·d and x + (-(lr·d)) are the same IEEE operation.
    for (std::size_t i = 0; i < n; ++i) CHECK(x[i] + got_d[i] == want_x[i]);
  }
}

TEST_CASE("the cpu backend's mass space is host memory that steps and de-biases", "[gpu][cpu]") {
  auto be = sgp::gpu::cpu::make_cpu_backend(1);
  const std::vector<float> x{1.0f, -2.0f, 4.0f};
  auto space = be->make_mass_space(x);
  REQUIRE(space->size() == 3);
  auto delta = be->allocate(3);
  be->upload(std::vector<float>{0.5f, 0.5f, -1.0f}, delta);
  space->add_scaled({delta.data(), delta.size()}, 2.0f);
  CHECK(space->x_host() == std::vector<double>{2.0, -1.0, 2.0});
  auto z = be->allocate(3);
  space->debias(0.5, {z.data(), z.size()});
  std::vector<float> got(3);
  be->download(z, got);
  CHECK(got == std::vector<float>{4.0f, -2.0f, 4.0f});
}
