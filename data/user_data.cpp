// Loading of the user's IDX and .npy datasets (see user_data.hpp).
#include "data/user_data.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "data/idx_file.hpp"
#include "data/npy_file.hpp"

namespace sgp::data {
namespace {

constexpr std::uint32_t images_magic = 0x00000803;
constexpr std::uint32_t labels_magic = 0x00000801;
/// Labels must stay below this (config's data.classes upper limit).
constexpr double max_label = 99999;
constexpr std::uint64_t max_side = 1u << 16;

std::string shape_of(const dataset& d) {
  std::string out = "(";
  out.append(std::to_string(d.channels)).append(", ").append(std::to_string(d.height));
  return out.append(", ").append(std::to_string(d.width)).append(")");
}

core::status check_label(const std::string& path, double label, std::size_t index) {
  if (!(label >= 0.0) || label > max_label || label != std::floor(label)) {
    return core::error{path + ": label " + std::to_string(label) + " at index " +
                       std::to_string(index) + " is not an integer in 0.." +
                       std::to_string(static_cast<int>(max_label))};
  }
  return {};
}

}  // namespace

core::result<dataset> load_idx_split(const labelled_files& files, std::int64_t max_samples) {
  const std::uint64_t limit = max_samples > 0 ? static_cast<std::uint64_t>(max_samples) : 0;
  auto images = read_idx_gz(files.images, images_magic, "pixels", limit, false);
  if (!images.ok()) return images.err();
  if (images->items == 0) return core::error{files.images + ": holds no images"};
  auto labels = read_idx_gz(files.labels, labels_magic, "labels", limit, false);
  if (!labels.ok()) return labels.err();
  if (labels->dims[0] != images->dims[0]) {
    return core::error{files.labels + ": " + std::to_string(labels->dims[0]) + " labels, but " +
                       files.images + " has " + std::to_string(images->dims[0]) + " images"};
  }
  if (images->dims[1] == 0 || images->dims[2] == 0 || images->dims[1] > max_side ||
      images->dims[2] > max_side) {
    return core::error{files.images + ": images are " + std::to_string(images->dims[1]) + "x" +
                       std::to_string(images->dims[2]) + " (each side must be 1.." +
                       std::to_string(max_side) + ")"};
  }
  dataset out;
  out.channels = 1;
  out.height = static_cast<int>(images->dims[1]);
  out.width = static_cast<int>(images->dims[2]);
  out.labels.assign(labels->bytes.begin(), labels->bytes.end());
  out.images.resize(images->bytes.size());
  for (std::size_t i = 0; i < out.images.size(); ++i) {
    out.images[i] = static_cast<float>(images->bytes[i]) / 255.0f;
  }
  return out;
}

core::result<dataset> load_npy_split(const labelled_files& files, std::int64_t max_samples) {
  const std::uint64_t limit = max_samples > 0 ? static_cast<std::uint64_t>(max_samples) : 0;
  auto images = read_npy(files.images, limit);
  if (!images.ok()) return images.err();
  const auto& s = images->shape;
  if (s.size() != 3 && s.size() != 4) {
    return core::error{files.images + ": images must have shape (N, H, W) or (N, C, H, W), got " +
                       shape_text(s)};
  }
  if (images->items == 0) return core::error{files.images + ": holds no images (N = 0)"};
  for (std::size_t d = 1; d < s.size(); ++d) {
    if (s[d] == 0 || s[d] > max_side) {
      return core::error{files.images + ": shape " + shape_text(s) + ": every dimension but N " +
                         "must be 1.." + std::to_string(max_side)};
    }
  }
  auto labels = read_npy(files.labels, limit);
  if (!labels.ok()) return labels.err();
  if (labels->shape.size() != 1) {
    return core::error{files.labels + ": labels must have shape (N,), got " +
                       shape_text(labels->shape)};
  }
  if (!labels->is_integer) {
    return core::error{files.labels + ": labels must be integers, got dtype '" + labels->dtype +
                       "'"};
  }
  if (labels->shape[0] != s[0]) {
    return core::error{files.labels + ": " + std::to_string(labels->shape[0]) + " labels, but " +
                       files.images + " has " + std::to_string(s[0]) + " images"};
  }
  dataset out;
  out.channels = s.size() == 4 ? static_cast<int>(s[1]) : 1;
  out.height = static_cast<int>(s[s.size() - 2]);
  out.width = static_cast<int>(s[s.size() - 1]);
  out.labels.resize(labels->values.size());
  for (std::size_t i = 0; i < out.labels.size(); ++i) {
    if (auto st = check_label(files.labels, labels->values[i], i); !st.ok()) return st.err();
    out.labels[i] = static_cast<std::int32_t>(labels->values[i]);
  }
  const double scale = images->is_uint8 ? 1.0 / 255.0 : 1.0;
  out.images.resize(images->values.size());
  for (std::size_t i = 0; i < out.images.size(); ++i) {
    const double v = images->values[i];
    if (!std::isfinite(v)) {
      return core::error{files.images + ": value " + std::to_string(v) + " at flat index " +
                         std::to_string(i) + " is not finite"};
    }
    out.images[i] = static_cast<float>(v * scale);
  }
  return out;
}

core::status prepare_pair(dataset& train, dataset& test, const labelled_files& train_files,
                          const labelled_files& test_files) {
  if (train.channels != test.channels || train.height != test.height || train.width != test.width) {
    return core::error{test_files.images + ": test samples are " + shape_of(test) + " but " +
                       train_files.images + " has " + shape_of(train) +
                       " (channels, height, width)"};
  }
  std::int32_t top = 0;
  for (const auto l : train.labels) top = std::max(top, l);
  for (const auto l : test.labels) top = std::max(top, l);
  train.classes = test.classes = std::max(top + 1, 2);
  double sum = 0.0;
  double sum_sq = 0.0;
  for (const float v : train.images) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(std::max<std::size_t>(train.images.size(), 1));
  const double mean = sum / n;
  const double var = std::max(sum_sq / n - mean * mean, 0.0);
  // A constant image set keeps its scale (nothing to standardise).
  const double inv_std = var > 1e-12 ? 1.0 / std::sqrt(var) : 1.0;
  for (auto* d : {&train, &test}) {
    for (float& v : d->images) v = static_cast<float>((v - mean) * inv_std);
  }
  return {};
}

}  // namespace sgp::data
