// Synthetic class-pattern-plus-noise images (see synthetic.hpp).
#include "data/synthetic.hpp"

#include <algorithm>
#include <span>

#include "core/assert.hpp"
#include "core/rng.hpp"

namespace sgp::data {
namespace {

constexpr float pattern_amplitude = 0.5f;
constexpr float noise_std = 1.0f;
constexpr std::uint64_t pattern_seed = 0x5367705061747465ULL;  // fixed: patterns are shared

}  // namespace

dataset make_synthetic(std::int64_t samples, int channels, int height, int width, int classes,
                       std::uint64_t seed) {
  SGP_ASSERT(samples >= 0 && channels > 0 && height > 0 && width > 0 && classes > 0);
  dataset out;
  out.channels = channels;
  out.height = height;
  out.width = width;
  out.classes = classes;
  const std::size_t n = static_cast<std::size_t>(samples);
  const std::size_t per_sample = out.sample_elements();

  // Blocky patterns: each cell_size x cell_size block shares one sign, so
  // the classes differ in spatial structure a convolution can pick up.
  const int cell = std::max(1, std::min(height, width) / 7);
  const int cells_y = (height + cell - 1) / cell;
  const int cells_x = (width + cell - 1) / cell;
  core::rng pattern_rng(core::mix_seed(pattern_seed ^ core::mix_seed(per_sample) ^
                                       static_cast<std::uint64_t>(classes)));
  std::vector<float> patterns(static_cast<std::size_t>(classes) * per_sample);
  for (int k = 0; k < classes; ++k) {
    for (int c = 0; c < channels; ++c) {
      std::vector<float> signs(static_cast<std::size_t>(cells_y) * cells_x);
      for (float& s : signs) s = pattern_rng.uniform() < 0.5 ? -1.0f : 1.0f;
      for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
          const std::size_t at =
              k * per_sample + (static_cast<std::size_t>(c) * height + y) * width + x;
          patterns[at] = pattern_amplitude * signs[(y / cell) * cells_x + x / cell];
        }
      }
    }
  }

  // Balanced labels in a seeded order, then pattern + noise.
  core::rng sample_rng(core::mix_seed(seed));
  out.labels.resize(n);
  for (std::size_t i = 0; i < n; ++i) out.labels[i] = static_cast<std::int32_t>(i % classes);
  sample_rng.shuffle(std::span<std::int32_t>(out.labels));
  out.images.resize(n * per_sample);
  for (std::size_t i = 0; i < n; ++i) {
    const float* pattern = patterns.data() + static_cast<std::size_t>(out.labels[i]) * per_sample;
    float* image = out.images.data() + i * per_sample;
    for (std::size_t j = 0; j < per_sample; ++j) {
      image[j] = pattern[j] + noise_std * static_cast<float>(sample_rng.normal());
    }
  }
  return out;
}

}  // namespace sgp::data
