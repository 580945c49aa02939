// linear: cuBLAS SGEMMs for forward, backward-data and backward-weights, a
// bias kernel, and a GEMV against a ones vector for the bias gradient.
//
// cuBLAS is column-major: a row-major [out, in] W is a column-major in x out
// matrix, and a row-major {n, in} activation is column-major in x n. So
//   Y(out x n)  = W^T(out x in) X(in x n)          gemm(T, N)
//   dX(in x n)  = W(in x out) dY(out x n)          gemm(N, N)
//   dW(in x out) = X(in x n) dY^T(n x out)         gemm(N, T)
#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/layer_kernels.hpp"
#include "gpu/cuda/layers.hpp"

namespace sgp::gpu::cuda {
namespace {

constexpr float one = 1.0f;
constexpr float zero = 0.0f;

class linear_stage : public layer_stage {
 public:
  linear_stage(const stage_config& cfg, int in, int out, std::size_t weight_offset,
               std::size_t bias_offset)
      : n_(cfg.src.n),
        in_(in),
        out_(out),
        weight_offset_(weight_offset),
        bias_offset_(bias_offset),
        dst_(static_cast<std::size_t>(n_) * out_) {
    if (!cfg.training) return;
    ones_ = device_array<float>(static_cast<std::size_t>(n_));
    launch_fill(ones_.data(), 1.0f, n_, cfg.stream);
    if (cfg.need_diff_src) diff_src_ = device_array<float>(static_cast<std::size_t>(n_) * in_);
  }

  [[nodiscard]] const float* dst() const override { return dst_.data(); }

  void forward(const run_context& ctx, const float* src) override {
    src_ = src;
    const float* w = ctx.params + weight_offset_;
    SGP_CUDA_CHECK(cublasSgemm(ctx.cublas, CUBLAS_OP_T, CUBLAS_OP_N, out_, n_, in_, &one, w, in_,
                               src, in_, &zero, dst_.data(), out_));
    launch_add_bias_rows(dst_.data(), ctx.params + bias_offset_, n_, out_, ctx.stream);
  }

  const float* backward(const run_context& ctx, const float* diff_dst) override {
    float* dw = ctx.grads + weight_offset_;
    float* db = ctx.grads + bias_offset_;
    SGP_CUDA_CHECK(cublasSgemm(ctx.cublas, CUBLAS_OP_N, CUBLAS_OP_T, in_, out_, n_, &one, src_, in_,
                               diff_dst, out_, &zero, dw, in_));
    SGP_CUDA_CHECK(cublasSgemv(ctx.cublas, CUBLAS_OP_N, out_, n_, &one, diff_dst, out_,
                               ones_.data(), 1, &zero, db, 1));
    if (diff_src_.size() == 0) return nullptr;
    SGP_CUDA_CHECK(cublasSgemm(ctx.cublas, CUBLAS_OP_N, CUBLAS_OP_N, in_, n_, out_, &one,
                               ctx.params + weight_offset_, in_, diff_dst, out_, &zero,
                               diff_src_.data(), in_));
    return diff_src_.data();
  }

 private:
  int n_;
  int in_;
  int out_;
  std::size_t weight_offset_;
  std::size_t bias_offset_;
  device_array<float> dst_;
  device_array<float> ones_;
  device_array<float> diff_src_;
  const float* src_ = nullptr;
};

class linear : public layer {
 public:
  linear(std::string name, int in, int out) : layer(std::move(name)), in_(in), out_(out) {}

  [[nodiscard]] tensor_shape output_shape(const tensor_shape& src) const override {
    if (static_cast<std::size_t>(src.c) * src.h * src.w != static_cast<std::size_t>(in_)) {
      return {};
    }
    return {src.n, out_, 1, 1};
  }

  [[nodiscard]] std::vector<param_request> param_requests() const override {
    const auto in = static_cast<std::size_t>(in_);
    const auto out = static_cast<std::size_t>(out_);
    return {{"weight", param_kind::weight, out * in, in}, {"bias", param_kind::bias, out, in}};
  }

  void bind_params(std::span<const std::size_t> offsets) override {
    SGP_ASSERT(offsets.size() == 2);
    weight_offset_ = offsets[0];
    bias_offset_ = offsets[1];
  }

  [[nodiscard]] std::unique_ptr<layer_stage> build(const stage_config& cfg) const override {
    return std::make_unique<linear_stage>(cfg, in_, out_, weight_offset_, bias_offset_);
  }

 private:
  int in_;
  int out_;
  std::size_t weight_offset_ = 0;
  std::size_t bias_offset_ = 0;
};

}  // namespace

std::unique_ptr<layer> make_linear(std::string name, int in_features, int out_features) {
  return std::make_unique<linear>(std::move(name), in_features, out_features);
}

}  // namespace sgp::gpu::cuda
