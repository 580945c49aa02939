// The layer lists of the models the CPU backend builds ("mlp", "cnn",
// "cnn-bn", described in gpu/model_spec.hpp), for any input shape and number
// of classes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "gpu/backend.hpp"
#include "gpu/cpu/layer.hpp"

namespace sgp::gpu::cpu {

/// The layers of model `name` for `input` samples and `classes` outputs;
/// an error for an unknown name or an input too small for the model.
core::result<std::vector<std::unique_ptr<layer>>> make_layers(const std::string& name,
                                                              sample_shape input, int classes);

}  // namespace sgp::gpu::cpu
