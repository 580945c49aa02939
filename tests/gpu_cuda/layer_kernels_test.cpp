// The layers' own kernels (channel sums for the convolution bias gradient,
// relu, bias add) against plain loops.
#include "gpu/cuda/layer_kernels.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/stream.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

device_array<float> to_device(const std::vector<float>& host) {
  device_array<float> d(host.size());
  SGP_CUDA_CHECK(cudaMemcpy(d.data(), host.data(), d.bytes(), cudaMemcpyHostToDevice));
  return d;
}

std::vector<float> to_host(const device_array<float>& d, const stream& s) {
  s.synchronize();
  std::vector<float> host(d.size());
  SGP_CUDA_CHECK(cudaMemcpy(host.data(), d.data(), d.bytes(), cudaMemcpyDeviceToHost));
  return host;
}

TEST_CASE("cuda channel sums match a double-precision loop", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const device_guard guard(0);
  const stream s;
  struct shape {
    int n, c, hw;
  };
  for (const shape sh : {shape{1, 3, 5}, shape{37, 5, 49}, shape{128, 32, 784}}) {
    const auto x = testing::random_floats(static_cast<std::size_t>(sh.n) * sh.c * sh.hw, 3);
    std::vector<double> want(sh.c, 0.0);
    for (int i = 0; i < sh.n; ++i) {
      for (int c = 0; c < sh.c; ++c) {
        for (int k = 0; k < sh.hw; ++k)
          want[c] += x[(static_cast<std::size_t>(i) * sh.c + c) * sh.hw + k];
      }
    }
    const int splits = channel_sum_splits(sh.n, sh.c);
    auto dx = to_device(x);
    device_array<float> partial(static_cast<std::size_t>(splits) * sh.c);
    device_array<float> out(sh.c);
    launch_channel_sum(dx.data(), sh.n, sh.c, sh.hw, splits, partial.data(), out.data(), s.get());
    const auto got = to_host(out, s);
    for (int c = 0; c < sh.c; ++c) {
      // Sums of n*hw unit normals: error relative to sqrt(count).
      const double scale = std::sqrt(static_cast<double>(sh.n) * sh.hw);
      CHECK(std::abs(got[c] - want[c]) <= 1e-5 * scale);
    }
  }
}

TEST_CASE("cuda relu and bias kernels match plain loops", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const device_guard guard(0);
  const stream s;
  const int rows = 33, cols = 70;
  const auto x = testing::random_floats(static_cast<std::size_t>(rows) * cols, 8);
  const auto bias = testing::random_floats(cols, 9);
  const auto dy = testing::random_floats(x.size(), 10);
  auto dx_in = to_device(x);
  auto dbias = to_device(bias);
  auto ddy = to_device(dy);
  device_array<float> y(x.size()), dx(x.size());
  launch_add_bias_rows(dx_in.data(), dbias.data(), rows, cols, s.get());
  launch_relu_forward(dx_in.data(), y.data(), static_cast<long long>(x.size()), s.get());
  launch_relu_backward(y.data(), ddy.data(), dx.data(), static_cast<long long>(x.size()), s.get());
  const auto got_y = to_host(y, s);
  const auto got_dx = to_host(dx, s);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float pre = x[i] + bias[i % cols];
    const float want_y = pre > 0.0f ? pre : 0.0f;
    CHECK(got_y[i] == want_y);
    CHECK(got_dx[i] == (want_y > 0.0f ? dy[i] : 0.0f));
  }
}

}  // namespace
}  // namespace sgp::gpu::cuda
