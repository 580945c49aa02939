// The channels-last convolution (gpu/cuda/conv_nhwc) against a host twin in
// double: forward, backward filter and backward data (overwriting and
// accumulating), for a 3-channel 7x7 stride-2 stem, a 3x3 and a strided 1x1.
// bf16 runs the graph-API plans (gpu/cuda/cudnn_conv_plan), fp32 the
// cudnnFind* algorithms. And the explicit-GEMM stem (gpu/cuda/im2col_conv)
// forward and weight gradient.
#include <cuda_runtime.h>

#include <cmath>
#include <vector>

#include "gpu/cuda/conv_nhwc.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/im2col_conv.hpp"
#include "gpu/cuda/library_handles.hpp"
#include "tests/gpu_cuda/device_tensor.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

using testing::as_type;
using testing::random_floats;
using testing::tensor;

/// A result and, per element, the sum of the magnitudes of its terms (the
/// scale of its rounding error).
struct twin {
  std::vector<double> value, magnitude;
  explicit twin(std::size_t n) : value(n, 0.0), magnitude(n, 0.0) {}
  void add(std::size_t i, double term) {
    value[i] += term;
    magnitude[i] += std::abs(term);
  }
};

/// Each element of `got` within `relative` of the twin's value plus
/// `spread` of its terms' magnitude. With a `base` (what the output held,
/// accumulated into), the result may be rounded twice: the convolution's
/// to the output type, then the sum, so `relative` applies to each.
void check_close(const std::vector<float>& got, const twin& want, const std::vector<float>& base,
                 double relative, double spread) {
  REQUIRE(got.size() == want.value.size());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double expect = want.value[i] + (base.empty() ? 0.0 : base[i]);
    const double rounded = std::abs(expect) + (base.empty() ? 0.0 : std::abs(want.value[i]));
    const double tol = relative * rounded + spread * want.magnitude[i] + 1e-30;
    if (std::abs(got[i] - expect) > tol) {
      if (bad++ < 3) {
        INFO("element " << i << ": " << got[i] << " against " << expect << " (tolerance " << tol
                        << ")");
        CHECK(false);
      }
    }
  }
  CHECK(bad == 0);
}

/// The host twin of a convolution (NHWC x and dy, KRSC w): y, dw and dx.
struct conv_twins {
  twin y, dw, dx;
};

conv_twins conv_twin(const tensor_shape& src, const conv_geometry_nhwc& g, const tensor_shape& dst,
                     const std::vector<float>& x, const std::vector<float>& w,
                     const std::vector<float>& dy) {
  twin y(dst.elements()), dw(g.weight_elements()), dx(src.elements());
  for (int n = 0; n < src.n; ++n) {
    for (int oh = 0; oh < dst.h; ++oh) {
      for (int ow = 0; ow < dst.w; ++ow) {
        for (int k = 0; k < g.out; ++k) {
          const std::size_t yi =
              ((static_cast<std::size_t>(n) * dst.h + oh) * dst.w + ow) * g.out + k;
          for (int r = 0; r < g.kernel; ++r) {
            const int ih = oh * g.stride - g.padding + r;
            if (ih < 0 || ih >= src.h) continue;
            for (int s = 0; s < g.kernel; ++s) {
              const int iw = ow * g.stride - g.padding + s;
              if (iw < 0 || iw >= src.w) continue;
              for (int c = 0; c < src.c; ++c) {
                const std::size_t xi =
                    ((static_cast<std::size_t>(n) * src.h + ih) * src.w + iw) * src.c + c;
                const std::size_t wi =
                    ((static_cast<std::size_t>(k) * g.kernel + r) * g.kernel + s) * src.c + c;
                y.add(yi, double{x[xi]} * w[wi]);
                dw.add(wi, double{dy[yi]} * x[xi]);
                dx.add(xi, double{dy[yi]} * w[wi]);
              }
            }
          }
        }
      }
    }
  }
  return {std::move(y), std::move(dw), std::move(dx)};
}

void check_conv(act_dtype t, const tensor_shape& src, const conv_geometry_nhwc& g) {
  cudnn_handle cudnn;
  conv_algo_cache cache;
  const conv_nhwc overwrite(cudnn.get(), t, src, g, true, dx_mode::overwrite, cache);
  const conv_nhwc accumulate(cudnn.get(), t, src, g, true, dx_mode::accumulate, cache);
  const tensor_shape dst = overwrite.dst_shape();
  REQUIRE(dst.valid());
  const std::size_t xn = src.elements();
  const std::size_t wn = g.weight_elements();
  const std::size_t yn = dst.elements();
  const auto x = as_type(t, random_floats(xn, 11));
  const auto w = as_type(t, random_floats(wn, 12, 0.2f));
  const auto dy = as_type(t, random_floats(yn, 13));
  const auto dx0 = as_type(t, random_floats(xn, 14));
  tensor x_d(t, xn), w_d(t, wn), dy_d(t, yn), y_d(t, yn), dw_d(t, wn), dx_d(t, xn), acc_d(t, xn);
  x_d.put(x);
  w_d.put(w);
  dy_d.put(dy);
  acc_d.put(dx0);
  const std::size_t ws_bytes = std::max(overwrite.workspace_bytes(), accumulate.workspace_bytes());
  device_array<std::byte> ws(std::max<std::size_t>(ws_bytes, 16));
  run_context ctx;
  ctx.cudnn = cudnn.get();
  ctx.workspace = ws.data();
  ctx.workspace_bytes = ws_bytes;
  overwrite.forward(ctx, x_d.data(), w_d.data(), y_d.data());
  overwrite.backward_filter(ctx, x_d.data(), dy_d.data(), dw_d.data());
  overwrite.backward_data(ctx, w_d.data(), dy_d.data(), dx_d.data());
  accumulate.backward_data(ctx, w_d.data(), dy_d.data(), acc_d.data());
  SGP_CUDA_CHECK(cudaDeviceSynchronize());

  const auto [y, dw, dx] = conv_twin(src, g, dst, x, w, dy);
  // bf16: inputs are exact, products exact in fp32, sums in fp32; the
  // stored result is rounded to bf16 (half an ulp: 2^-9 relative). fp32:
  // accumulation order only.
  const double relative = t == act_dtype::bf16 ? std::ldexp(1.0, -8) : 0.0;
  const double spread = t == act_dtype::bf16 ? std::ldexp(1.0, -12) : 1e-6;
  SECTION("forward") {
    check_close(y_d.get(), y, {}, relative, spread);
  }
  SECTION("backward filter") {
    check_close(dw_d.get(), dw, {}, relative, spread);
  }
  SECTION("backward data") {
    check_close(dx_d.get(), dx, {}, relative, spread);
  }
  SECTION("backward data, accumulating") {
    check_close(acc_d.get(), dx, dx0, relative, spread);
  }
}

TEST_CASE("the explicit-GEMM stem convolution matches the host twin", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const tensor_shape src{2, 3, 15, 13};
  const conv_geometry_nhwc g{3, 16, 7, 2, 3};
  im2col_conv conv(src, g, true);
  const tensor_shape dst = conv.dst_shape();
  REQUIRE(dst.valid());
  const auto x = as_type(act_dtype::bf16, random_floats(src.elements(), 21));
  const auto w = as_type(act_dtype::bf16, random_floats(g.weight_elements(), 22, 0.2f));
  const auto dy = as_type(act_dtype::bf16, random_floats(dst.elements(), 23));
  tensor x_d(act_dtype::bf16, src.elements()), w_d(act_dtype::bf16, w.size()),
      dy_d(act_dtype::bf16, dy.size()), y_d(act_dtype::bf16, dst.elements()),
      dw_d(act_dtype::bf16, w.size());
  x_d.put(x);
  w_d.put(w);
  dy_d.put(dy);
  cublas_handle cublas;
  run_context ctx;
  ctx.cublas = cublas.get();
  conv.forward(ctx, x_d.data(), w_d.data(), y_d.data());
  conv.backward_filter(ctx, dy_d.data(), dw_d.data());
  SGP_CUDA_CHECK(cudaDeviceSynchronize());
  const auto want = conv_twin(src, g, dst, x, w, dy);
  // Inputs exact in bf16, products exact, fp32 sums; results rounded once
  // to bf16.
  const double relative = std::ldexp(1.0, -8);
  const double spread = std::ldexp(1.0, -12);
  SECTION("forward") {
    check_close(y_d.get(), want.y, {}, relative, spread);
  }
  SECTION("weight gradient") {
    check_close(dw_d.get(), want.dw, {}, relative, spread);
  }
}

TEST_CASE("NHWC convolutions match the host twin", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const auto t = GENERATE(act_dtype::bf16, act_dtype::f32);
  INFO((t == act_dtype::bf16 ? "bf16" : "fp32"));
  SECTION("3-channel 7x7 stride-2 stem") {
    check_conv(t, {2, 3, 15, 15}, {3, 16, 7, 2, 3});
  }
  SECTION("3x3, 16 channels") {
    check_conv(t, {2, 16, 9, 9}, {16, 8, 3, 1, 1});
  }
  SECTION("1x1 stride 2, 16 to 32 channels") {
    check_conv(t, {2, 16, 8, 8}, {16, 32, 1, 2, 0});
  }
}

}  // namespace
}  // namespace sgp::gpu::cuda
