// im2col_conv: the column matrix, then cuBLAS GEMMs with fp32 accumulation.
#include "gpu/cuda/im2col_conv.hpp"

#include <library_types.h>

#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"

namespace sgp::gpu::cuda {

im2col_conv::im2col_conv(const tensor_shape& src, const conv_geometry_nhwc& g, bool training)
    : out_(g.out), dst_(g.output_shape(src)) {
  SGP_ASSERT(dst_.valid());
  const int k = g.kernel * g.kernel * g.in;
  g_ = {src.n,     src.c,  src.h,  src.w, g.kernel,       g.stride,
        g.padding, dst_.h, dst_.w, k,     (k + 7) / 8 * 8};
  const auto rows = static_cast<std::size_t>(src.n) * dst_.h * dst_.w;
  col_ = device_array<std::uint16_t>(rows * static_cast<std::size_t>(g_.ldk));
  w_padded_ = device_array<std::uint16_t>(static_cast<std::size_t>(out_) * g_.ldk);
  if (training) {
    partial_ = device_array<float>(static_cast<std::size_t>(src.n) * out_ * g_.ldk);
  }
}

void im2col_conv::forward(const run_context& ctx, const void* x, const void* w, void* y) {
  launch_im2col_nhwc(x, g_, col_.data(), ctx.stream);
  launch_pad_rows_bf16(w, out_, g_.k, g_.ldk, w_padded_.data(), ctx.stream);
  // Column-major view: y [out, rows] = w_padded [ldk, out]ᵀ · col [ldk, rows].
  const float one = 1.0f;
  const float zero = 0.0f;
  const int rows = g_.n * g_.out_h * g_.out_w;
  SGP_CUDA_CHECK(cublasGemmEx(ctx.cublas, CUBLAS_OP_T, CUBLAS_OP_N, out_, rows, g_.ldk, &one,
                              w_padded_.data(), CUDA_R_16BF, g_.ldk, col_.data(), CUDA_R_16BF,
                              g_.ldk, &zero, y, CUDA_R_16BF, out_, CUBLAS_COMPUTE_32F,
                              CUBLAS_GEMM_DEFAULT));
}

void im2col_conv::backward_filter(const run_context& ctx, const void* dy, void* dw) {
  SGP_ASSERT(partial_.size() > 0);
  // Per image b: partial_b [ldk, out] = col_b [ldk, pixels] · dy_b [out, pixels]ᵀ
  // (column-major), i.e. [out, ldk] row-major: the padded KRSC gradient.
  const float one = 1.0f;
  const float zero = 0.0f;
  const int pixels = g_.out_h * g_.out_w;
  SGP_CUDA_CHECK(cublasGemmStridedBatchedEx(
      ctx.cublas, CUBLAS_OP_N, CUBLAS_OP_T, g_.ldk, out_, pixels, &one, col_.data(), CUDA_R_16BF,
      g_.ldk, static_cast<long long>(pixels) * g_.ldk, dy, CUDA_R_16BF, out_,
      static_cast<long long>(pixels) * out_, &zero, partial_.data(), CUDA_R_32F, g_.ldk,
      static_cast<long long>(out_) * g_.ldk, g_.n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  launch_sum_partials_bf16(partial_.data(), g_.n, out_, g_.k, g_.ldk, dw, ctx.stream);
}

}  // namespace sgp::gpu::cuda
