// A synthetic, learnable image classification set for tests and quick runs.
#pragma once

#include <cstdint>

#include "data/dataset.hpp"

namespace sgp::data {

/// `samples` images of channels x height x width in `classes` balanced
/// classes. Each class has a fixed blocky +-0.5 pattern (4x4-pixel cells on
/// 28x28, scaled with the size); a sample is its class's pattern plus
/// N(0, 1) noise per pixel, so a linear model or a CNN learns it well.
/// The patterns depend only on the shape and class count, not on `seed`:
/// a train and a test set made with different seeds share them. Labels and
/// noise come from `seed`; the same arguments give the same set everywhere.
dataset make_synthetic(std::int64_t samples, int channels, int height, int width, int classes,
                       std::uint64_t seed);

}  // namespace sgp::data
