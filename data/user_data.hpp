// Datasets of the user's own (data.name = "idx" or "npy"): images and labels
// from any path, as IDX files (MNIST-like, gzipped or not) or NumPy .npy
// arrays. Shapes are checked with errors naming the file.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.hpp"
#include "data/dataset.hpp"

namespace sgp::data {

/// One split's two files.
struct labelled_files {
  std::string images;
  std::string labels;
};

/// IDX: images with magic 0x00000803 (N, H, W) of uint8, labels 0x00000801
/// (N) of uint8. Pixels are scaled to [0, 1]; `classes` is left 0.
core::result<dataset> load_idx_split(const labelled_files& files, std::int64_t max_samples);

/// .npy: images (N, H, W) or (N, C, H, W), any supported dtype (uint8 is
/// scaled to [0, 1], other types are taken as they are); labels (N,) of an
/// integer type, each >= 0. `classes` is left 0.
core::result<dataset> load_npy_split(const labelled_files& files, std::int64_t max_samples);

/// Checks that train and test samples have the same shape, sets `classes`
/// to the largest label + 1 (at least 2), and standardises every pixel with
/// the training set's mean and standard deviation.
core::status prepare_pair(dataset& train, dataset& test, const labelled_files& train_files,
                          const labelled_files& test_files);

}  // namespace sgp::data
