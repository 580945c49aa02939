// How a network's layers' parameter tensors are laid out in the flat vector,
// shared by every backend so that the same model has the same layout (and,
// with gpu/param_init, the same initial weights) everywhere.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "gpu/backend.hpp"

namespace sgp::gpu {

/// One parameter tensor that a layer asks for.
struct param_request {
  std::string name;  ///< suffix after the layer name, e.g. "weight"
  param_kind kind;
  std::size_t size;
  std::size_t fan_in;
};

/// Lays out the tensors that each layer asks for (`requests[i]` for the
/// layer named `names[i]`): decayed tensors (weights) first, then the rest,
/// each in layer order. `offsets[i][r]` receives where request r of layer i
/// starts.
param_layout lay_out_params(const std::vector<std::string>& names,
                            const std::vector<std::vector<param_request>>& requests,
                            std::vector<std::vector<std::size_t>>& offsets);

/// lay_out_params over a backend's layers (pointers with name(),
/// param_requests() and bind_params(offsets)); binds each layer to its
/// offsets and returns the layout.
template <class Layers>
param_layout lay_out_layers(const Layers& layers) {
  std::vector<std::string> names;
  std::vector<std::vector<param_request>> requests;
  for (const auto& l : layers) {
    names.push_back(l->name());
    requests.push_back(l->param_requests());
  }
  std::vector<std::vector<std::size_t>> offsets;
  param_layout layout = lay_out_params(names, requests, offsets);
  for (std::size_t i = 0; i < offsets.size(); ++i) layers[i]->bind_params(offsets[i]);
  return layout;
}

}  // namespace sgp::gpu
