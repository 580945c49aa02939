// Batch gathering (see batch.hpp).
#include "data/batch.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace sgp::data {

void gather_batch(const dataset& d, std::span<const std::size_t> indices, float* images,
                  std::int32_t* labels) {
  const std::size_t per_sample = d.sample_elements();
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const std::size_t index = indices[i];
    SGP_ASSERT(index < d.size());
    const float* source = d.images.data() + index * per_sample;
    std::copy(source, source + per_sample, images + i * per_sample);
    labels[i] = d.labels[index];
  }
}

void gather_labels(const dataset& d, std::span<const std::size_t> indices, std::int32_t* labels) {
  for (std::size_t i = 0; i < indices.size(); ++i) {
    SGP_ASSERT(indices[i] < d.size());
    labels[i] = d.labels[indices[i]];
  }
}

}  // namespace sgp::data
