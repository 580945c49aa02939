// Gathers the samples of one batch into contiguous arrays (the layout the
// backends take: N*C*H*W floats and N labels).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "data/dataset.hpp"

namespace sgp::data {

/// Copies sample indices[i]'s pixels to images[i * d.sample_elements() ...]
/// and its label to labels[i]. `images` holds at least
/// indices.size() * d.sample_elements() floats, `labels` indices.size()
/// ints; every index must be < d.size().
void gather_batch(const dataset& d, std::span<const std::size_t> indices, float* images,
                  std::int32_t* labels);

/// The labels alone (the images gathered elsewhere: on a GPU that holds them).
void gather_labels(const dataset& d, std::span<const std::size_t> indices, std::int32_t* labels);

}  // namespace sgp::data
