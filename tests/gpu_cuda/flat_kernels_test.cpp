// The fused SGD step, scale, copy and push-sum mix/de-bias on the CUDA
// backend against the CPU backend (SGD) and core/flat_ops.hpp (push-sum).
#include <memory>

#include "core/flat_ops.hpp"
#include "gpu/cpu/cpu_backend.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/flat_kernels.hpp"
#include "gpu/cuda/stream.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

using testing::cuda_or_fail;
using testing::fetch;
using testing::put;
using testing::random_floats;

TEST_CASE("make_cuda_backend reports an unusable device as an error", "[gpu]") {
  // No device needed: an out-of-range id is an error with or without a GPU.
  const auto b = make_cuda_backend(-1);
  REQUIRE_FALSE(b.ok());
  CHECK(b.err().message.find("cuda") != std::string::npos);
  if (cuda_device_count() == 0) CHECK_FALSE(make_cuda_backend(0).ok());
}

TEST_CASE("cuda sgd_step matches the CPU backend", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto gpu = cuda_or_fail();
  auto cpu = cpu::make_cpu_backend(1);
  const std::size_t n = 100003;
  const std::size_t decayed = 60001;
  for (const bool nesterov : {true, false}) {
    const sgd_options opt{0.9f, nesterov, 5e-4f};
    const auto x0 = random_floats(n, 1);
    const auto m0 = random_floats(n, 2, 0.1f);
    buffer gx = put(*gpu, x0), gm = put(*gpu, m0);
    buffer cx = put(*cpu, x0), cm = put(*cpu, m0);
    for (int step = 0; step < 3; ++step) {
      const auto g = random_floats(n, 10 + step, 0.01f);
      buffer gg = put(*gpu, g), cg = put(*cpu, g);
      gpu->sgd_step(opt, 0.05f, decayed, gx, gg, gm);
      cpu->sgd_step(opt, 0.05f, decayed, cx, cg, cm);
    }
    // Same operations in the same order without contraction: bit-identical
    // is expected; allow one rounding of slack.
    CHECK(testing::relative_max_diff(fetch(*gpu, gx), fetch(*cpu, cx)) <= 1e-6);
    CHECK(testing::relative_max_diff(fetch(*gpu, gm), fetch(*cpu, cm)) <= 1e-6);
  }
}

TEST_CASE("cuda copy, scale, add and mix_debias kernels match core/flat_ops", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const device_guard guard(0);
  const stream s;
  const std::size_t n = 70001;
  auto x = random_floats(n, 3);
  const auto share = random_floats(n, 4);
  device_array<float> gx(n), gshare(n), gz(n), gcopy(n);
  auto put = [&](device_array<float>& d, const std::vector<float>& h) {
    SGP_CUDA_CHECK(cudaMemcpy(d.data(), h.data(), d.bytes(), cudaMemcpyHostToDevice));
  };
  auto get = [&](const device_array<float>& d) {
    s.synchronize();
    std::vector<float> h(d.size());
    SGP_CUDA_CHECK(cudaMemcpy(h.data(), d.data(), d.bytes(), cudaMemcpyDeviceToHost));
    return h;
  };
  put(gx, x);
  put(gshare, share);

  launch_scale(gx.data(), n, 0.5f, s.get());
  core::scale(0.5f, std::span<float>(x));
  CHECK(get(gx) == x);

  const double w = 0.3125;
  launch_mix_debias(gx.data(), gshare.data(), n, w, gz.data(), s.get());
  core::add<float>(share, x);
  std::vector<float> z(n);
  core::debias<float>(x, w, z);
  CHECK(get(gx) == x);
  CHECK(get(gz) == z);

  launch_copy(gz.data(), gcopy.data(), n, s.get());
  CHECK(get(gcopy) == z);

  // y += x, as a process's gradients are summed (values of unlike
  // magnitudes, so that rounding matters).
  const auto big = random_floats(n, 5, 1000.0f);
  put(gshare, big);
  launch_add(gshare.data(), gz.data(), n, s.get());
  core::add<float>(big, z);
  CHECK(get(gz) == z);
}

TEST_CASE("cuda divide_by_last gives core::average_of_sum's bits", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const device_guard guard(0);
  const stream s;
  const std::size_t n = 90001;
  for (const float count : {1.0f, 3.0f, 7.0f, 24.0f}) {
    auto sums = random_floats(n + 1, 6, 40.0f);
    sums[n] = count;
    device_array<float> gs(n + 1), gout(n);
    SGP_CUDA_CHECK(cudaMemcpy(gs.data(), sums.data(), gs.bytes(), cudaMemcpyHostToDevice));
    launch_divide_by_last(gs.data(), gout.data(), n, s.get());
    s.synchronize();
    std::vector<float> got(n);
    SGP_CUDA_CHECK(cudaMemcpy(got.data(), gout.data(), gout.bytes(), cudaMemcpyDeviceToHost));
    std::vector<float> expected(n);
    core::average_of_sum<float>(std::span<const float>(sums).first(n), count, expected);
    CHECK(got == expected);
    // In place, as the process sum divides its scratch when asked to.
    launch_divide_by_last(gs.data(), gs.data(), n, s.get());
    s.synchronize();
    SGP_CUDA_CHECK(cudaMemcpy(got.data(), gs.data(), n * sizeof(float), cudaMemcpyDeviceToHost));
    CHECK(got == expected);
  }
}

TEST_CASE("cuda divide gives core::average_of_sum's bits", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const device_guard guard(0);
  const stream s;
  const std::size_t n = 90001;
  for (const float count : {1.0f, 3.0f, 7.0f, 24.0f}) {
    const auto sums = random_floats(n, 16, 40.0f);
    device_array<float> gs(n), gout(n);
    SGP_CUDA_CHECK(cudaMemcpy(gs.data(), sums.data(), gs.bytes(), cudaMemcpyHostToDevice));
    launch_divide(gs.data(), gout.data(), n, count, s.get());
    s.synchronize();
    std::vector<float> got(n);
    SGP_CUDA_CHECK(cudaMemcpy(got.data(), gout.data(), gout.bytes(), cudaMemcpyDeviceToHost));
    std::vector<float> expected(n);
    core::average_of_sum<float>(sums, count, expected);
    CHECK(got == expected);
    launch_divide(gs.data(), gs.data(), n, count, s.get());  // in place
    s.synchronize();
    SGP_CUDA_CHECK(cudaMemcpy(got.data(), gs.data(), gs.bytes(), cudaMemcpyDeviceToHost));
    CHECK(got == expected);
  }
}

TEST_CASE("cuda allocate zero-fills and upload/download round-trip", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto gpu = cuda_or_fail();
  buffer b = gpu->allocate(1000);
  CHECK(fetch(*gpu, b) == std::vector<float>(1000, 0.0f));
  const auto v = random_floats(1000, 5);
  gpu->upload(v, b);
  CHECK(fetch(*gpu, b) == v);
  CHECK(gpu->allocate(0).size() == 0);
}

}  // namespace
}  // namespace sgp::gpu::cuda
