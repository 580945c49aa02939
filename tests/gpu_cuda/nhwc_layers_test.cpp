// The channels-last kernels the ResNets use (gpu/cuda/nhwc_kernels,
// gpu/cuda/bn_nhwc_kernels) against host twins written here in double:
// max pooling forward and backward, on the vector path (channels a
// multiple of the 16-byte width) and the scalar path, and batch norm
// forward (statistics, running statistics, fused residual add and ReLU)
// and backward, in fp32 and bf16.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/bf16.hpp"
#include "gpu/cuda/bn_nhwc_kernels.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/nhwc_kernels.hpp"
#include "tests/gpu_cuda/device_tensor.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

using testing::as_type;
using testing::random_floats;
using testing::relative_max_diff;
using testing::tensor;

/// `v` rounded the way a kernel stores a float result in type t.
float stored(act_dtype t, float v) {
  return t == act_dtype::bf16 ? core::round_to_bf16(v) : v;
}

std::vector<float> download(const device_array<float>& a) {
  std::vector<float> out(a.size());
  SGP_CUDA_CHECK(cudaMemcpy(out.data(), a.data(), a.size() * 4, cudaMemcpyDeviceToHost));
  return out;
}

device_array<float> upload(const std::vector<float>& v) {
  device_array<float> a(v.size());
  SGP_CUDA_CHECK(cudaMemcpy(a.data(), v.data(), v.size() * 4, cudaMemcpyHostToDevice));
  return a;
}

void check_max_pool(act_dtype t, int c) {
  pool_geometry g{3, 15, 13, c, 3, 2, 1, 0, 0};
  g.out_h = (g.h + 2 * g.padding - g.kernel) / g.stride + 1;
  g.out_w = (g.w + 2 * g.padding - g.kernel) / g.stride + 1;
  const std::size_t in_n = static_cast<std::size_t>(g.n) * g.h * g.w * c;
  const std::size_t out_n = static_cast<std::size_t>(g.n) * g.out_h * g.out_w * c;
  const auto x = as_type(t, random_floats(in_n, 71));
  const auto dy = as_type(t, random_floats(out_n, 72));
  tensor x_in(t, in_n), dy_in(t, out_n), y_out(t, out_n), dx_out(t, in_n);
  x_in.put(x);
  dy_in.put(dy);
  device_array<std::uint8_t> argmax(out_n);
  launch_max_pool_forward(t, x_in.data(), g, y_out.data(), argmax.data(), nullptr);
  launch_max_pool_backward(t, dy_in.data(), argmax.data(), g, dx_out.data(), nullptr);
  SGP_CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<std::uint8_t> arg(out_n);
  SGP_CUDA_CHECK(cudaMemcpy(arg.data(), argmax.data(), out_n, cudaMemcpyDeviceToHost));
  const auto y = y_out.get();
  const auto dx = dx_out.get();

  // The twin: first maximum of each window, then each input's gradient
  // summed over the windows it won, in output order (as the kernel does).
  std::vector<float> want_y(out_n);
  std::vector<std::uint8_t> want_arg(out_n);
  std::vector<float> want_dx(in_n, 0.0f);
  auto in_at = [&](int img, int h, int w, int ch) {
    return ((static_cast<std::size_t>(img) * g.h + h) * g.w + w) * c + ch;
  };
  for (int img = 0; img < g.n; ++img) {
    for (int oh = 0; oh < g.out_h; ++oh) {
      for (int ow = 0; ow < g.out_w; ++ow) {
        for (int ch = 0; ch < c; ++ch) {
          const std::size_t o =
              ((static_cast<std::size_t>(img) * g.out_h + oh) * g.out_w + ow) * c + ch;
          float best = -std::numeric_limits<float>::infinity();
          int pos = 0;
          for (int kh = 0; kh < g.kernel; ++kh) {
            for (int kw = 0; kw < g.kernel; ++kw) {
              const int h = oh * g.stride - g.padding + kh;
              const int w = ow * g.stride - g.padding + kw;
              if (h < 0 || h >= g.h || w < 0 || w >= g.w) continue;
              if (x[in_at(img, h, w, ch)] > best) {
                best = x[in_at(img, h, w, ch)];
                pos = kh * g.kernel + kw;
              }
            }
          }
          want_y[o] = best;
          want_arg[o] = static_cast<std::uint8_t>(pos);
        }
      }
    }
  }
  for (int img = 0; img < g.n; ++img) {
    for (int h = 0; h < g.h; ++h) {
      for (int w = 0; w < g.w; ++w) {
        for (int ch = 0; ch < c; ++ch) {
          float sum = 0.0f;
          for (int oh = 0; oh < g.out_h; ++oh) {
            for (int ow = 0; ow < g.out_w; ++ow) {
              const int kh = h + g.padding - oh * g.stride;
              const int kw = w + g.padding - ow * g.stride;
              if (kh < 0 || kh >= g.kernel || kw < 0 || kw >= g.kernel) continue;
              const std::size_t o =
                  ((static_cast<std::size_t>(img) * g.out_h + oh) * g.out_w + ow) * c + ch;
              if (want_arg[o] == kh * g.kernel + kw) sum += dy[o];
            }
          }
          want_dx[in_at(img, h, w, ch)] = stored(t, sum);
        }
      }
    }
  }
  CHECK(y == want_y);
  CHECK(arg == want_arg);
  CHECK(dx == want_dx);
}

TEST_CASE("max pooling on channels-last tensors matches its host twin exactly", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  SECTION("fp32, vector path") {
    check_max_pool(act_dtype::f32, 12);
  }
  SECTION("fp32, scalar path") {
    check_max_pool(act_dtype::f32, 6);
  }
  SECTION("bf16, vector path") {
    check_max_pool(act_dtype::bf16, 16);
  }
  SECTION("bf16, scalar path") {
    check_max_pool(act_dtype::bf16, 12);
  }
}

void check_batch_norm(act_dtype t, long long rows, int c, bool residual) {
  const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(c);
  auto x = as_type(t, random_floats(n, 81));
  for (std::size_t i = 0; i < n; ++i) x[i] = stored(t, x[i] * 2.0f + 0.5f);  // mean 0.5, sd 2
  const auto z = as_type(t, random_floats(n, 82));
  const auto dy = as_type(t, random_floats(n, 83));
  const auto gamma = random_floats(static_cast<std::size_t>(c), 84);
  const auto beta = random_floats(static_cast<std::size_t>(c), 85);
  const std::vector<float> mean0(static_cast<std::size_t>(c), 0.25f);
  const std::vector<float> var0(static_cast<std::size_t>(c), 2.0f);
  const bn_geometry g = make_bn_geometry(t, rows, c);
  tensor tx(t, n), tz(t, n), tdy(t, n), ty(t, n), tdx(t, n), tdz(t, n);
  tx.put(x);
  tz.put(z);
  tdy.put(dy);
  auto d_gamma_in = upload(gamma), d_beta_in = upload(beta);
  auto run_mean = upload(mean0), run_var = upload(var0);
  device_array<float> partial(bn_partial_floats(g)), saved(4 * static_cast<std::size_t>(c));
  device_array<float> coef(3 * static_cast<std::size_t>(c)), d_gamma(static_cast<std::size_t>(c)),
      d_beta(static_cast<std::size_t>(c));
  launch_bn_forward_stats(t, tx.data(), g, d_gamma_in.data(), d_beta_in.data(), run_mean.data(),
                          run_var.data(), partial.data(), saved.data(), nullptr);
  launch_bn_apply(t, tx.data(), residual ? tz.data() : nullptr, true, saved.data(), g, ty.data(),
                  nullptr);
  launch_bn_backward(t, tx.data(), ty.data(), tdy.data(), g, d_gamma_in.data(), saved.data(),
                     partial.data(), coef.data(), d_gamma.data(), d_beta.data(), tdx.data(),
                     residual ? tdz.data() : nullptr, nullptr);
  SGP_CUDA_CHECK(cudaDeviceSynchronize());

  // The twin, in double.
  const auto cs = static_cast<std::size_t>(c);
  std::vector<double> mean(cs, 0.0), var(cs, 0.0);
  for (std::size_t i = 0; i < n; ++i) mean[i % cs] += x[i];
  for (auto& m : mean) m /= static_cast<double>(rows);
  for (std::size_t i = 0; i < n; ++i) var[i % cs] += (x[i] - mean[i % cs]) * (x[i] - mean[i % cs]);
  for (auto& v : var) v /= static_cast<double>(rows);
  std::vector<float> want_y(n), want_dx(n), want_dz(n), want_mean(cs), want_var(cs);
  std::vector<float> want_dgamma(cs), want_dbeta(cs);
  std::vector<double> invstd(cs), sg(cs, 0.0), sgx(cs, 0.0);
  std::vector<double> g_of(n);
  for (std::size_t ch = 0; ch < cs; ++ch) {
    invstd[ch] = 1.0 / std::sqrt(var[ch] + 1e-5);
    want_mean[ch] = static_cast<float>(0.9 * mean0[ch] + 0.1 * mean[ch]);
    want_var[ch] = static_cast<float>(0.9 * var0[ch] + 0.1 * var[ch] * rows / (rows - 1.0));
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t ch = i % cs;
    const double xhat = (x[i] - mean[ch]) * invstd[ch];
    const double o = gamma[ch] * xhat + beta[ch] + (residual ? z[i] : 0.0);
    want_y[i] = stored(t, static_cast<float>(std::max(o, 0.0)));
    g_of[i] = o > 0.0 ? dy[i] : 0.0;
    want_dz[i] = stored(t, static_cast<float>(g_of[i]));
    sg[ch] += g_of[i];
    sgx[ch] += g_of[i] * xhat;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t ch = i % cs;
    const double xhat = (x[i] - mean[ch]) * invstd[ch];
    want_dx[i] = static_cast<float>(gamma[ch] * invstd[ch] *
                                    (g_of[i] - sg[ch] / rows - xhat * sgx[ch] / rows));
  }
  for (std::size_t ch = 0; ch < cs; ++ch) {
    want_dbeta[ch] = static_cast<float>(sg[ch]);
    want_dgamma[ch] = static_cast<float>(sgx[ch]);
  }
  // fp32: float arithmetic over rows elements; bf16: outputs rounded to 8
  // significant bits (2^-8 relative), inputs identical on both sides.
  const double tol = t == act_dtype::f32 ? 2e-5 : 1e-2;
  CHECK(relative_max_diff(ty.get(), want_y) < tol);
  CHECK(relative_max_diff(download(run_mean), want_mean) < 1e-5);
  CHECK(relative_max_diff(download(run_var), want_var) < 1e-5);
  CHECK(relative_max_diff(download(d_beta), want_dbeta) < 1e-4);
  CHECK(relative_max_diff(download(d_gamma), want_dgamma) < 1e-4);
  CHECK(relative_max_diff(tdx.get(), want_dx) < tol);
  if (residual) CHECK(tdz.get() == want_dz);
}

TEST_CASE("channels-last batch norm matches its host twin", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  SECTION("fp32, residual") {
    check_batch_norm(act_dtype::f32, 2 * 7 * 7 * 31, 64, true);
  }
  SECTION("fp32, plain, many channels") {
    check_batch_norm(act_dtype::f32, 97, 1024, false);
  }
  SECTION("bf16, residual") {
    check_batch_norm(act_dtype::bf16, 4 * 14 * 14, 256, true);
  }
  SECTION("bf16, plain, few channels") {
    check_batch_norm(act_dtype::bf16, 3 * 56 * 56, 16, false);
  }
}

}  // namespace
}  // namespace sgp::gpu::cuda
