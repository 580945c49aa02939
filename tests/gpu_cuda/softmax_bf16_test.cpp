// The softmax cross-entropy kernel against the CPU backend's loop, and the
// bf16 casts exactly against a bit-level CPU reference.
#include <bit>
#include <cstring>
#include <limits>

#include "gpu/cpu/softmax_xent.hpp"
#include "gpu/cuda/bf16_cast.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/softmax_xent.hpp"
#include "gpu/cuda/stream.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

template <class T>
device_array<T> to_device(const std::vector<T>& host, const stream& s) {
  device_array<T> d(host.size());
  SGP_CUDA_CHECK(
      cudaMemcpyAsync(d.data(), host.data(), d.bytes(), cudaMemcpyHostToDevice, s.get()));
  s.synchronize();
  return d;
}

template <class T>
std::vector<T> to_host(const device_array<T>& d, const stream& s) {
  std::vector<T> host(d.size());
  SGP_CUDA_CHECK(
      cudaMemcpyAsync(host.data(), d.data(), d.bytes(), cudaMemcpyDeviceToHost, s.get()));
  s.synchronize();
  return host;
}

/// Reference float -> bf16, round to nearest even on the bits.
std::uint16_t bf16_reference(float f) {
  const auto u = std::bit_cast<std::uint32_t>(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);
  const std::uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
  return static_cast<std::uint16_t>((u + rounding) >> 16);
}

TEST_CASE("cuda softmax_xent matches the CPU loss, gradient and counts", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const device_guard guard(0);
  const stream s;
  for (const int classes : {10, 100, 1000}) {
    for (const int n : {1, 37, 256}) {
      const auto logits =
          testing::random_floats(static_cast<std::size_t>(n) * classes, classes + n, 3.0f);
      const auto labels = testing::random_labels(n, classes, 7);
      auto d_logits = to_device(logits, s);
      auto d_labels = to_device(labels, s);
      device_array<float> d_grad(logits.size());
      device_array<xent_totals> d_totals(1);
      launch_softmax_xent(d_logits.data(), d_labels.data(), n, classes, d_grad.data(),
                          d_totals.data(), s.get());
      const xent_totals totals = to_host(d_totals, s)[0];
      const auto grad = to_host(d_grad, s);

      std::vector<float> cpu_grad(logits.size());
      const double cpu_loss = cpu::softmax_xent(logits, labels, classes, cpu_grad);
      const eval_counts cpu_counts = cpu::softmax_xent_eval(logits, labels, classes);
      INFO("classes " << classes << " n " << n);
      CHECK(totals.loss_sum / n == Approx(cpu_loss).epsilon(1e-12));
      CHECK(totals.loss_sum == Approx(cpu_counts.loss_sum).epsilon(1e-12));
      CHECK(totals.correct == cpu_counts.correct);
      CHECK(testing::relative_max_diff(grad, cpu_grad) <= 1e-6);

      // Without a gradient (evaluation) the totals are the same.
      launch_softmax_xent(d_logits.data(), d_labels.data(), n, classes, nullptr, d_totals.data(),
                          s.get());
      const xent_totals eval = to_host(d_totals, s)[0];
      CHECK(eval.loss_sum == totals.loss_sum);
      CHECK(eval.correct == totals.correct);
    }
  }
}

TEST_CASE("cuda softmax_xent counts the first maximum on ties", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const device_guard guard(0);
  const stream s;
  const int classes = 40;
  std::vector<float> logits(2 * classes, 0.0f);
  logits[5] = logits[37] = 2.0f;                      // row 0: label 5 is the first max
  logits[classes + 3] = logits[classes + 35] = 2.0f;  // row 1: label 35 is not
  const std::vector<std::int32_t> labels{5, 35};
  auto d_logits = to_device(logits, s);
  auto d_labels = to_device(labels, s);
  device_array<xent_totals> d_totals(1);
  launch_softmax_xent(d_logits.data(), d_labels.data(), 2, classes, nullptr, d_totals.data(),
                      s.get());
  CHECK(to_host(d_totals, s)[0].correct == 1);
}

TEST_CASE("cuda bf16 casts are exact round-to-nearest-even", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const device_guard guard(0);
  const stream s;
  std::vector<float> values = testing::random_floats(100000, 11, 100.0f);
  // Ties (both parities), near-ties, denormals, extremes, signed zeros, inf.
  for (const std::uint32_t bits : {0x3f808000u, 0x3f818000u, 0x3f808001u, 0x3f807fffu, 0x00000001u,
                                   0x00008000u, 0x00018000u, 0x807fffffu, 0x7f7fffffu, 0x7f7f8000u,
                                   0x00000000u, 0x80000000u, 0x7f800000u, 0xff800000u}) {
    values.push_back(std::bit_cast<float>(bits));
  }
  auto d_values = to_device(values, s);
  device_array<std::uint16_t> d_bf16(values.size());
  launch_float_to_bf16(d_values.data(), d_bf16.data(), values.size(), s.get());
  const auto bf16 = to_host(d_bf16, s);
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < values.size(); ++i) wrong += bf16[i] != bf16_reference(values[i]);
  CHECK(wrong == 0);

  // bf16 -> float is exact: every one of the 65536 patterns but NaNs.
  std::vector<std::uint16_t> all(65536);
  for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint16_t>(i);
  auto d_all = to_device(all, s);
  device_array<float> d_back(all.size());
  launch_bf16_to_float(d_all.data(), d_back.data(), all.size(), s.get());
  const auto back = to_host(d_back, s);
  wrong = 0;
  for (std::uint32_t i = 0; i < all.size(); ++i) {
    const float expected = std::bit_cast<float>(i << 16);
    if (std::isnan(expected)) {
      wrong += !std::isnan(back[i]);
    } else {
      wrong += std::bit_cast<std::uint32_t>(back[i]) != (i << 16);
    }
  }
  CHECK(wrong == 0);
}

}  // namespace
}  // namespace sgp::gpu::cuda
