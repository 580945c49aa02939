// Fashion-MNIST from its gzipped IDX files (Debian's fashion-mnist package
// puts them in /usr/share/datasets/fashion-mnist).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.hpp"
#include "data/dataset.hpp"

namespace sgp::data {

enum class split { train, test };

/// Mean and standard deviation of the training pixels scaled to [0, 1].
inline constexpr float fashion_mnist_mean = 0.2860f;
inline constexpr float fashion_mnist_std = 0.3530f;

/// Loads `dir`/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz: 1x28x28
/// images, 10 classes; pixels scaled to [0, 1] then normalised with
/// fashion_mnist_mean / fashion_mnist_std. `max_samples` > 0 keeps only the
/// first that many samples. Checks magic numbers, 28x28 images, matching
/// image and label counts, labels in 0..9, and the gzip streams; every error
/// names the file it was about.
core::result<dataset> load_fashion_mnist(const std::string& dir, split s,
                                         std::int64_t max_samples = 0);

}  // namespace sgp::data
