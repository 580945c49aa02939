// The zoo's small models (mlp, cnn, cnn-bn) as a list of layer descriptions
// that both backends build from (gpu/cpu/model_zoo.cpp, gpu/cuda/model_zoo.cpp):
// one architecture, one naming, one parameter order, checked in one place.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "gpu/backend.hpp"

namespace sgp::gpu {

/// One layer of a zoo model. The fields a kind does not use stay 0.
struct layer_spec {
  enum class kind { flatten, linear, relu, conv2d, batch_norm, max_pool2d };
  kind what = kind::relu;
  std::string name;  ///< also the prefix of its parameters' names
  int in = 0;        ///< linear: input features; conv2d: input channels
  int out = 0;       ///< linear: output features; conv2d, batch_norm: channels
  int kernel = 0;    ///< conv2d, max_pool2d
  int stride = 0;    ///< conv2d, max_pool2d
  int pad = 0;       ///< conv2d
};

/// Checks what every model needs: a positive input shape and at least 2
/// classes; the error names the model.
core::status check_model_input(const std::string& name, sample_shape input, int classes);

/// The layers of "mlp", "cnn" or "cnn-bn" for `input` samples and `classes`
/// outputs (after check_model_input); nullopt for any other name (a model
/// that only one backend builds, or none); an error for an input too small
/// for the model.
core::result<std::optional<std::vector<layer_spec>>> small_model_spec(const std::string& name,
                                                                      sample_shape input,
                                                                      int classes);

}  // namespace sgp::gpu
