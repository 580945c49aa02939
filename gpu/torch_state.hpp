// A trained model as PyTorch's state_dict for the matching module: the
// tensors of bench/torch_reference.py's nn.Sequential (mlp, cnn, cnn-bn),
// named by their index in it ("1.weight", "4.running_mean"), with PyTorch's
// shapes; written as RUN_DIR/model.safetensors.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/safetensors.hpp"
#include "gpu/backend.hpp"

namespace sgp::gpu {

/// The tensors of model `model` (mlp, cnn or cnn-bn) from its flat
/// parameters (laid out by `layout`) and its batch-norm running statistics
/// (each batch-norm layer's mean then variance, in layer order; empty when it
/// has none). `batches_tracked` fills num_batches_tracked. An error for other
/// models (the ResNets) or when sizes do not match.
core::result<std::vector<core::named_tensor>> torch_state(const std::string& model,
                                                          const param_layout& layout,
                                                          std::span<const float> params,
                                                          std::span<const float> running_stats,
                                                          std::int64_t batches_tracked);

}  // namespace sgp::gpu
