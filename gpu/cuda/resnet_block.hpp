// A ResNet residual block (basic or bottleneck, as torchvision defines them)
// on channels-last tensors: its convolutions and batch norms for one batch
// size and mode, its activations, and its forward and backward. The block's
// last batch norm is fused with the residual add and the ReLU; a projection
// shortcut (1x1 conv + batch norm) is used where the stride or width change.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gpu/cuda/bn_nhwc.hpp"
#include "gpu/cuda/conv_nhwc.hpp"

namespace sgp::gpu::cuda {

/// A convolution and the batch norm that follows it: the unit every
/// ResNet conv is part of. Offsets are bound by the network.
struct conv_bn_unit {
  std::string conv_name;  ///< e.g. "layer1.0.conv1"
  std::string bn_name;    ///< e.g. "layer1.0.bn1"
  conv_geometry_nhwc geometry;
  bool zero_init_scale = false;   ///< the block's last BN (zero-init residual)
  std::size_t weight_offset = 0;  ///< in the flat parameter vector (KRSC)
  bn_binding bn;
};

/// What a block is: its units are [conv1, conv2(, conv3)(, downsample)].
struct block_spec {
  bool bottleneck = false;
  bool projection = false;
  std::size_t first_unit = 0;  ///< index into the network's unit list
  std::size_t units = 0;
};

/// Where this step's conv weights are: the compute copy (type t) of all
/// conv weights, packed as in the flat vector from `first_offset` on.
struct weight_view {
  act_dtype t = act_dtype::bf16;
  const std::byte* weights = nullptr;
  std::byte* grads = nullptr;  ///< backward: conv weight gradients, same packing
  std::size_t first_offset = 0;
  [[nodiscard]] const void* w(const conv_bn_unit& u) const {
    return weights + (u.weight_offset - first_offset) * dtype_bytes(t);
  }
  [[nodiscard]] void* dw(const conv_bn_unit& u) const {
    return grads + (u.weight_offset - first_offset) * dtype_bytes(t);
  }
};

/// Activation-gradient scratch shared by all blocks (each holds the largest
/// tensor of the network), and the batch norms' scratch.
struct block_scratch {
  void* s1 = nullptr;
  void* s2 = nullptr;
  void* s3 = nullptr;
  bn_scratch bn;
};

/// One block for one batch size and mode.
class residual_block_stage {
 public:
  residual_block_stage(cudnnHandle_t cudnn, act_dtype t, const tensor_shape& src,
                       const block_spec& spec, std::span<const conv_bn_unit> units, bool training,
                       conv_algo_cache& cache);

  [[nodiscard]] const tensor_shape& dst_shape() const { return dst_shape_; }
  [[nodiscard]] const void* dst() const { return out_.data(); }
  [[nodiscard]] std::size_t workspace_bytes() const { return workspace_; }
  /// Largest tensor (elements) that the block's backward puts in scratch.
  [[nodiscard]] std::size_t max_elements() const { return max_elements_; }
  [[nodiscard]] std::size_t partial_floats() const { return partial_floats_; }

  void forward(const run_context& ctx, const weight_view& wv, const bn_scratch& s, const void* x);
  /// Writes the conv weight gradients (wv.grads), the BN gradients
  /// (ctx.grads) and dx, the gradient of the block's input.
  void backward(const run_context& ctx, const weight_view& wv, const block_scratch& s,
                const void* dy, void* dx);

 private:
  act_dtype t_;
  block_spec spec_;
  std::vector<conv_bn_unit> units_;
  std::vector<conv_nhwc> convs_;
  std::vector<bn_nhwc> bns_;
  /// Per unit: conv output and BN output (the last main-path unit's BN
  /// output is out_).
  std::vector<device_array<std::byte>> conv_out_;
  std::vector<device_array<std::byte>> bn_out_;
  device_array<std::byte> out_;
  tensor_shape dst_shape_;
  std::size_t workspace_ = 0;
  std::size_t max_elements_ = 0;
  std::size_t partial_floats_ = 0;
  const void* x_ = nullptr;
};

}  // namespace sgp::gpu::cuda
