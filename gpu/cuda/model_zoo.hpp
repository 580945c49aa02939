// The layer lists of the models the CUDA backend builds: "mlp", "cnn",
// "cnn-bn", from the same descriptions as gpu/cpu/model_zoo.cpp's
// (gpu/model_spec.hpp); and "resnet18", "resnet50" (bf16 compute, fp32
// master weights) with their fp32 twins "resnet18-fp32", "resnet50-fp32",
// which only this backend builds.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "gpu/backend.hpp"
#include "gpu/cuda/layer.hpp"

namespace sgp::gpu::cuda {

/// The layers of model `name` for `input` samples and `classes` outputs; an
/// error for an unknown name or an input too small for the model.
core::result<std::vector<std::unique_ptr<layer>>> make_layers(const std::string& name,
                                                              sample_shape input, int classes);

}  // namespace sgp::gpu::cuda
