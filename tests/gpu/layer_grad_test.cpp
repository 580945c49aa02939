// Every CPU layer's backward against central finite differences, with
// respect to its input and its parameters.
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <numeric>
#include <vector>

#include "gpu/cpu/batch_norm.hpp"
#include "gpu/cpu/conv2d.hpp"
#include "gpu/cpu/flatten.hpp"
#include "gpu/cpu/linear.hpp"
#include "gpu/cpu/network.hpp"
#include "gpu/cpu/pool2d.hpp"
#include "gpu/cpu/relu.hpp"
#include "grad_check.hpp"

namespace {

using namespace sgp::gpu;
using namespace sgp::gpu::cpu;
using sgp::core::rng;
using test::grad_report;

using layer_list = std::vector<std::unique_ptr<layer>>;

/// Random parameters per segment kind (not the initial values, so that BN
/// scale and biases take general values).
std::vector<float> random_params(const param_layout& layout, rng& gen) {
  std::vector<float> p(layout.total);
  for (const auto& seg : layout.segments) {
    const double lo = seg.kind == param_kind::bn_scale ? 0.5 : -0.5;
    const double hi = seg.kind == param_kind::bn_scale ? 1.5 : 0.5;
    for (std::size_t i = 0; i < seg.size; ++i) {
      p[seg.offset + i] = static_cast<float>(gen.uniform(lo, hi));
    }
  }
  return p;
}

/// Builds a network of `layers` that also returns the input gradient, and
/// checks d(sum(r * y))/d(input) and d/d(params) against finite differences.
grad_report check_layers(layer_list layers, sample_shape shape, int n, std::vector<float> input,
                         float eps = 1e-2f, double atol = 1e-3, double rtol = 1e-2) {
  rng gen(42);
  const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  network net(std::move(layers), shape, true, eng);
  std::vector<float> params = random_params(net.layout(), gen);
  REQUIRE(input.size() == static_cast<std::size_t>(n) * shape.elements());

  const auto y = net.forward(params.data(), input.data(), n, true);
  std::vector<float> r(y.size());
  for (auto& v : r) v = static_cast<float>(gen.normal());
  std::vector<float> grads(params.size(), -777.0f);
  const auto dx_span = net.backward(params.data(), r.data(), grads.data());
  const std::vector<float> dx(dx_span.begin(), dx_span.end());
  REQUIRE(dx.size() == input.size());
  for (const float g : grads) REQUIRE(g != -777.0f);  // every gradient written

  auto loss = [&] {
    return test::weighted_sum(net.forward(params.data(), input.data(), n, true).data(), r);
  };
  grad_report report;
  test::check_gradient("input", input, dx, test::pick_indices(gen, input.size(), 40), loss, eps,
                       atol, rtol, report);
  for (const auto& seg : net.layout().segments) {
    auto idx = test::pick_indices(gen, seg.size, 12);
    for (auto& i : idx) i += seg.offset;
    test::check_gradient(seg.name, params, grads, idx, loss, eps, atol, rtol, report);
  }
  for (const auto& f : report.failures) UNSCOPED_INFO(f);
  CHECK(report.failures.empty());
  CHECK(report.checked > 0);
  CHECK(report.skipped <= report.checked / 5);
  return report;
}

std::vector<float> random_input(std::size_t n, std::uint64_t seed) {
  rng gen(seed);
  return test::uniform_vector(gen, n, -1.0, 1.0);
}

/// Values spaced at least 0.05 apart (in random order), so that a max pool
/// never sees a near tie within the finite-difference step.
std::vector<float> distinct_input(std::size_t n, std::uint64_t seed) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = -1.0f + 0.05f * static_cast<float>(i);
  rng gen(seed);
  gen.shuffle(std::span<float>(v));
  return v;
}

}  // namespace

TEST_CASE("linear layer gradients match finite differences", "[gpu][cpu]") {
  layer_list l;
  l.push_back(std::make_unique<flatten>("flatten"));
  l.push_back(std::make_unique<linear>("fc", 7, 5));
  check_layers(std::move(l), {7, 1, 1}, 4, random_input(28, 1));
}

TEST_CASE("conv2d gradients match finite differences", "[gpu][cpu]") {
  SECTION("stride 2, padding 1") {
    layer_list l;
    l.push_back(std::make_unique<conv2d>("conv", 3, 4, 3, 2, 1));
    check_layers(std::move(l), {3, 7, 7}, 2, random_input(2 * 3 * 49, 2));
  }
  SECTION("stride 1, padding 0, 16 channels (blocked layouts)") {
    layer_list l;
    l.push_back(std::make_unique<conv2d>("conv", 16, 16, 3, 1, 0));
    check_layers(std::move(l), {16, 6, 6}, 2, random_input(2 * 16 * 36, 3));
  }
  SECTION("stride 1, padding 1 after another conv") {
    layer_list l;
    l.push_back(std::make_unique<conv2d>("conv1", 1, 8, 3, 1, 1));
    l.push_back(std::make_unique<conv2d>("conv2", 8, 16, 3, 1, 1));
    check_layers(std::move(l), {1, 6, 6}, 3, random_input(3 * 36, 4));
  }
}

TEST_CASE("batch norm (training mode) gradients match finite differences", "[gpu][cpu]") {
  SECTION("4-D input") {
    layer_list l;
    l.push_back(std::make_unique<batch_norm>("bn", 3));
    check_layers(std::move(l), {3, 4, 4}, 4, random_input(4 * 3 * 16, 5));
  }
  SECTION("4-D input after a conv (blocked layout)") {
    layer_list l;
    l.push_back(std::make_unique<conv2d>("conv", 2, 16, 3, 1, 1));
    l.push_back(std::make_unique<batch_norm>("bn", 16));
    check_layers(std::move(l), {2, 5, 5}, 3, random_input(3 * 2 * 25, 6));
  }
  SECTION("2-D input") {
    layer_list l;
    l.push_back(std::make_unique<flatten>("flatten"));
    l.push_back(std::make_unique<batch_norm>("bn", 6));
    check_layers(std::move(l), {6, 1, 1}, 5, random_input(5 * 6, 7));
  }
}

TEST_CASE("relu gradients match finite differences", "[gpu][cpu]") {
  // Keep inputs away from the kink at 0.
  auto input = random_input(2 * 3 * 16, 8);
  for (auto& x : input) x += x >= 0 ? 0.1f : -0.1f;
  layer_list l;
  l.push_back(std::make_unique<relu>("relu"));
  const auto report = check_layers(std::move(l), {3, 4, 4}, 2, input);
  CHECK(report.skipped == 0);
}

TEST_CASE("max pool gradients match finite differences", "[gpu][cpu]") {
  SECTION("2x2 stride 2") {
    layer_list l;
    l.push_back(std::make_unique<pool2d>("pool", pool_kind::max, 2, 2));
    check_layers(std::move(l), {2, 4, 6}, 2, distinct_input(2 * 2 * 24, 9), 1e-2f);
  }
  SECTION("3x3 stride 2 pad 1 after a conv (blocked layout)") {
    layer_list l;
    l.push_back(std::make_unique<conv2d>("conv", 1, 16, 1, 1, 0));
    l.push_back(std::make_unique<pool2d>("pool", pool_kind::max, 3, 2, 1));
    check_layers(std::move(l), {1, 5, 5}, 2, distinct_input(2 * 25, 10), 1e-3f);
  }
}

TEST_CASE("average pool gradients match finite differences", "[gpu][cpu]") {
  SECTION("2x2 stride 2") {
    layer_list l;
    l.push_back(std::make_unique<pool2d>("pool", pool_kind::average, 2, 2));
    check_layers(std::move(l), {2, 4, 4}, 2, random_input(2 * 2 * 16, 11));
  }
  SECTION("3x3 stride 2 pad 1") {
    layer_list l;
    l.push_back(std::make_unique<pool2d>("pool", pool_kind::average, 3, 2, 1));
    check_layers(std::move(l), {3, 5, 5}, 2, random_input(2 * 3 * 25, 12));
  }
}

TEST_CASE("flatten gradients match finite differences", "[gpu][cpu]") {
  SECTION("plain input") {
    layer_list l;
    l.push_back(std::make_unique<flatten>("flatten"));
    check_layers(std::move(l), {3, 2, 5}, 2, random_input(2 * 30, 13));
  }
  SECTION("blocked input from a conv") {
    layer_list l;
    l.push_back(std::make_unique<conv2d>("conv", 1, 16, 3, 1, 1));
    l.push_back(std::make_unique<flatten>("flatten"));
    l.push_back(std::make_unique<linear>("fc", 16 * 4 * 4, 3));
    check_layers(std::move(l), {1, 4, 4}, 2, random_input(2 * 16, 14));
  }
}

TEST_CASE("flatten keeps PyTorch's NCHW order", "[gpu][cpu]") {
  const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  layer_list l;
  l.push_back(std::make_unique<flatten>("flatten"));
  network net(std::move(l), {2, 3, 4}, false, eng);
  std::vector<float> input(2 * 24);
  std::iota(input.begin(), input.end(), 0.0f);
  const auto y = net.forward(nullptr, input.data(), 2, false);
  REQUIRE(y.size() == input.size());
  CHECK(std::equal(y.begin(), y.end(), input.begin()));
}
