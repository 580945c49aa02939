// Batch norm's non-trainable state: running statistics as PyTorch updates
// them (momentum 0.1, unbiased variance), and inference from them.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "gpu/cpu/batch_norm.hpp"
#include "gpu/cpu/network.hpp"
#include "grad_check.hpp"

using namespace sgp::gpu;
using namespace sgp::gpu::cpu;
using sgp::core::rng;

namespace {

network bn_network(const dnnl::engine& eng, int channels, sample_shape shape) {
  std::vector<std::unique_ptr<layer>> l;
  l.push_back(std::make_unique<batch_norm>("bn", channels));
  return network(std::move(l), shape, false, eng);
}

}  // namespace

TEST_CASE("batch norm training updates running mean and unbiased variance", "[gpu][cpu]") {
  const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  const int c = 3;
  const int hw = 4;
  const int n = 5;
  network net = bn_network(eng, c, {c, 2, 2});
  REQUIRE(net.state().size() == 2 * c);
  CHECK(net.state()[0] == 0.0f);
  CHECK(net.state()[c] == 1.0f);
  rng gen(7);
  const auto input = test::uniform_vector(gen, n * c * hw, -2.0, 3.0);
  const std::vector<float> params{1.0f, 1.0f, 1.0f, 0.0f, 0.0f, 0.0f};

  std::vector<double> running_mean(c, 0.0), running_var(c, 1.0);
  for (int step = 0; step < 2; ++step) {
    const auto y = net.forward(params.data(), input.data(), n, true);
    for (int ch = 0; ch < c; ++ch) {
      double sum = 0.0, sq = 0.0;
      for (int i = 0; i < n; ++i) {
        for (int j = 0; j < hw; ++j) sum += input[(i * c + ch) * hw + j];
      }
      const double mean = sum / (n * hw);
      for (int i = 0; i < n; ++i) {
        for (int j = 0; j < hw; ++j) {
          const double d = input[(i * c + ch) * hw + j] - mean;
          sq += d * d;
        }
      }
      running_mean[ch] = 0.9 * running_mean[ch] + 0.1 * mean;
      running_var[ch] = 0.9 * running_var[ch] + 0.1 * sq / (n * hw - 1);
      // Training output is normalised with the biased batch variance.
      const double x0 = input[ch * hw];
      CHECK(y[ch * hw] == Approx((x0 - mean) / std::sqrt(sq / (n * hw) + 1e-5)).margin(1e-4));
    }
    for (int ch = 0; ch < c; ++ch) {
      CHECK(net.state()[ch] == Approx(running_mean[ch]).margin(1e-6));
      CHECK(net.state()[c + ch] == Approx(running_var[ch]).margin(1e-6));
    }
  }
  net.reset_state();
  CHECK(net.state()[1] == 0.0f);
  CHECK(net.state()[c + 1] == 1.0f);
}

TEST_CASE("batch norm inference uses the running statistics", "[gpu][cpu]") {
  const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  const int c = 2;
  const int n = 3;
  network net = bn_network(eng, c, {c, 3, 3});
  auto state = net.state();
  const float mean[c] = {0.5f, -1.0f};
  const float var[c] = {4.0f, 0.25f};
  for (int ch = 0; ch < c; ++ch) {
    state[ch] = mean[ch];
    state[c + ch] = var[ch];
  }
  const std::vector<float> params{1.5f, 0.5f, 0.25f, -0.75f};  // scales, then shifts
  rng gen(8);
  const auto input = test::uniform_vector(gen, n * c * 9, -2.0, 2.0);
  const auto y = net.forward(params.data(), input.data(), n, false);
  REQUIRE(y.size() == input.size());
  for (int i = 0; i < n; ++i) {
    for (int ch = 0; ch < c; ++ch) {
      for (int j = 0; j < 9; ++j) {
        const std::size_t at = (i * c + ch) * 9 + j;
        const double expected =
            (input[at] - mean[ch]) / std::sqrt(var[ch] + 1e-5) * params[ch] + params[c + ch];
        CHECK(y[at] == Approx(expected).margin(1e-5));
      }
    }
  }
  // Inference leaves the running statistics alone.
  CHECK(state[0] == mean[0]);
  CHECK(state[c + 1] == var[1]);
}
