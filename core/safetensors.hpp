// The safetensors format (what PyTorch users load with
// `safetensors.torch.load_file`): an 8-byte little-endian header length, a
// JSON header naming each tensor's dtype, shape and byte range, then the
// tensors' raw little-endian bytes. Used to keep the trained model
// (RUN_DIR/model.safetensors).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sgp::core {

/// One named tensor: float32 data, or int64 (batch norm's num_batches_tracked).
struct named_tensor {
  std::string name;
  std::vector<std::int64_t> shape;  ///< empty for a scalar
  std::vector<float> f32;           ///< the data when `is_i64` is false
  std::vector<std::int64_t> i64;    ///< the data when `is_i64` is true
  bool is_i64 = false;
};

/// The file's bytes: header (padded with spaces to a multiple of 8, as the
/// reference writer does) and data, tensors in the given order. An error when
/// a tensor's element count does not match its shape or two share a name.
[[nodiscard]] result<std::string> encode_safetensors(
    const std::vector<named_tensor>& tensors, const std::map<std::string, std::string>& metadata);

/// encode_safetensors written to `path` atomically (a temporary file, every
/// write checked, then renamed).
[[nodiscard]] status write_safetensors(const std::string& path,
                                       const std::vector<named_tensor>& tensors,
                                       const std::map<std::string, std::string>& metadata);

}  // namespace sgp::core
