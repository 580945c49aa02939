// residual_block_stage: main path conv -> BN -> ReLU ... conv -> BN, then
// relu(BN(last) + shortcut) in one pass; backward in reverse, with the
// shortcut's gradient written first and the main path's added onto it by
// the first conv's backward-data (beta = 1).
#include "gpu/cuda/resnet_block.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace sgp::gpu::cuda {
namespace {

device_array<std::byte> activation(act_dtype t, const tensor_shape& s) {
  return device_array<std::byte>(s.elements() * dtype_bytes(t));
}

}  // namespace

residual_block_stage::residual_block_stage(cudnnHandle_t cudnn, act_dtype t,
                                           const tensor_shape& src, const block_spec& spec,
                                           std::span<const conv_bn_unit> units, bool training,
                                           conv_algo_cache& cache)
    : t_(t), spec_(spec), units_(units.begin(), units.end()) {
  SGP_ASSERT(units_.size() == spec.units);
  const std::size_t main = spec.units - (spec.projection ? 1 : 0);
  SGP_ASSERT(main == (spec.bottleneck ? 3u : 2u));
  convs_.reserve(units_.size());
  bns_.reserve(units_.size());
  max_elements_ = src.elements();
  tensor_shape shape = src;
  for (std::size_t i = 0; i < units_.size(); ++i) {
    const bool shortcut = i == main;
    const tensor_shape in = shortcut ? src : shape;
    // Every conv needs its input gradient (blocks never start a network);
    // the first adds it onto the shortcut's, which backward writes first.
    convs_.emplace_back(cudnn, t, in, units_[i].geometry, training,
                        i == 0 ? dx_mode::accumulate : dx_mode::overwrite, cache);
    const tensor_shape out = convs_.back().dst_shape();
    const long long rows = static_cast<long long>(out.n) * out.h * out.w;
    bns_.emplace_back(t, units_[i].bn, rows, training);
    conv_out_.push_back(activation(t, out));
    const bool last_main = i + 1 == main;
    bn_out_.push_back(last_main ? device_array<std::byte>() : activation(t, out));
    workspace_ = std::max(workspace_, convs_.back().workspace_bytes());
    partial_floats_ = std::max(partial_floats_, bns_.back().partial_floats());
    max_elements_ = std::max(max_elements_, out.elements());
    if (!shortcut) shape = out;
  }
  dst_shape_ = shape;
  if (spec.projection) {
    SGP_ASSERT(convs_[main].dst_shape().c == dst_shape_.c);
    SGP_ASSERT(convs_[main].dst_shape().h == dst_shape_.h);
  } else {
    SGP_ASSERT(src.c == dst_shape_.c && src.h == dst_shape_.h && src.w == dst_shape_.w);
  }
  out_ = activation(t, dst_shape_);
}

void residual_block_stage::forward(const run_context& ctx, const weight_view& wv,
                                   const bn_scratch& s, const void* x) {
  x_ = x;
  const std::size_t main = spec_.units - (spec_.projection ? 1 : 0);
  const void* residual = x;
  if (spec_.projection) {
    convs_[main].forward(ctx, x, wv.w(units_[main]), conv_out_[main].data());
    bns_[main].forward(ctx, s, conv_out_[main].data(), nullptr, false, bn_out_[main].data());
    residual = bn_out_[main].data();
  }
  const void* in = x;
  for (std::size_t i = 0; i < main; ++i) {
    convs_[i].forward(ctx, in, wv.w(units_[i]), conv_out_[i].data());
    if (i + 1 < main) {
      bns_[i].forward(ctx, s, conv_out_[i].data(), nullptr, true, bn_out_[i].data());
      in = bn_out_[i].data();
    } else {
      bns_[i].forward(ctx, s, conv_out_[i].data(), residual, true, out_.data());
    }
  }
}

void residual_block_stage::backward(const run_context& ctx, const weight_view& wv,
                                    const block_scratch& s, const void* dy, void* dx) {
  SGP_ASSERT(x_ != nullptr && dx != nullptr);
  const std::size_t main = spec_.units - (spec_.projection ? 1 : 0);
  const std::size_t last = main - 1;
  // Tail: g = dy * (out > 0) goes to the shortcut (straight into dx for an
  // identity); s1 = gradient of the last conv's output.
  void* shortcut_grad = spec_.projection ? s.s2 : dx;
  bns_[last].backward(ctx, s.bn, conv_out_[last].data(), out_.data(), dy, s.s1, shortcut_grad);
  for (std::size_t i = last;; --i) {
    // s1 holds the gradient of conv i's output.
    const void* in = i == 0 ? x_ : bn_out_[i - 1].data();
    convs_[i].backward_filter(ctx, in, s.s1, wv.dw(units_[i]));
    if (i == 0) break;
    convs_[i].backward_data(ctx, wv.w(units_[i]), s.s1, s.s3);
    bns_[i - 1].backward(ctx, s.bn, conv_out_[i - 1].data(), bn_out_[i - 1].data(), s.s3, s.s1,
                         nullptr);
  }
  if (spec_.projection) {
    bns_[main].backward(ctx, s.bn, conv_out_[main].data(), nullptr, s.s2, s.s3, nullptr);
    convs_[main].backward_filter(ctx, x_, s.s3, wv.dw(units_[main]));
    convs_[main].backward_data(ctx, wv.w(units_[main]), s.s3, dx);
  }
  // dx already holds the shortcut's gradient: add the main path's.
  convs_[0].backward_data(ctx, wv.w(units_[0]), s.s1, dx);
}

}  // namespace sgp::gpu::cuda
