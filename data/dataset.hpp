// An in-memory labelled image set: float pixels (N*C*H*W, sample-major) and
// int32 class labels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sgp::data {

/// A whole split in memory. Sample i's pixels are
/// images[i * sample_elements() .. (i + 1) * sample_elements()), laid out C, H, W.
struct dataset {
  int channels = 0;
  int height = 0;
  int width = 0;
  int classes = 0;
  std::vector<float> images;         ///< N*C*H*W
  std::vector<std::int32_t> labels;  ///< N, each in [0, classes)

  /// Number of samples.
  [[nodiscard]] std::size_t size() const { return labels.size(); }

  /// Floats per sample (C*H*W).
  [[nodiscard]] std::size_t sample_elements() const {
    return static_cast<std::size_t>(channels) * static_cast<std::size_t>(height) *
           static_cast<std::size_t>(width);
  }
};

}  // namespace sgp::data
