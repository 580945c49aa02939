// Fashion-MNIST loading and normalisation (see fashion_mnist.hpp).
#include "data/fashion_mnist.hpp"

#include <array>
#include <filesystem>

#include "data/idx_file.hpp"

namespace sgp::data {
namespace {

constexpr std::uint32_t images_magic = 0x00000803;
constexpr std::uint32_t labels_magic = 0x00000801;
constexpr int side = 28;
constexpr int classes = 10;

}  // namespace

core::result<dataset> load_fashion_mnist(const std::string& dir, split s,
                                         std::int64_t max_samples) {
  const std::string prefix = s == split::train ? "train" : "t10k";
  const std::string images_path =
      (std::filesystem::path(dir) / (prefix + "-images-idx3-ubyte.gz")).string();
  const std::string labels_path =
      (std::filesystem::path(dir) / (prefix + "-labels-idx1-ubyte.gz")).string();
  const std::uint64_t limit = max_samples > 0 ? static_cast<std::uint64_t>(max_samples) : 0;

  auto images = read_idx_gz(images_path, images_magic, "pixels", limit);
  if (!images.ok()) return images.err();
  if (images->items == 0) return core::error{images_path + ": holds no images"};
  if (images->dims[1] != side || images->dims[2] != side) {
    return core::error{images_path + ": images are " + std::to_string(images->dims[1]) + "x" +
                       std::to_string(images->dims[2]) + " (expected 28x28)"};
  }
  auto labels = read_idx_gz(labels_path, labels_magic, "labels", limit);
  if (!labels.ok()) return labels.err();
  if (labels->dims[0] != images->dims[0]) {
    return core::error{labels_path + ": " + std::to_string(labels->dims[0]) + " labels, but " +
                       images_path + " has " + std::to_string(images->dims[0]) + " images"};
  }

  dataset out;
  out.channels = 1;
  out.height = side;
  out.width = side;
  out.classes = classes;
  out.labels.resize(labels->items);
  for (std::size_t i = 0; i < labels->items; ++i) {
    const std::uint8_t label = labels->bytes[i];
    if (label >= classes) {
      return core::error{labels_path + ": label " + std::to_string(label) + " at index " +
                         std::to_string(i) + " is out of range 0..9"};
    }
    out.labels[i] = label;
  }

  std::array<float, 256> normalised{};
  for (int v = 0; v < 256; ++v) {
    normalised[v] = (static_cast<float>(v) / 255.0f - fashion_mnist_mean) / fashion_mnist_std;
  }
  out.images.resize(images->bytes.size());
  for (std::size_t i = 0; i < images->bytes.size(); ++i) {
    out.images[i] = normalised[images->bytes[i]];
  }
  return out;
}

}  // namespace sgp::data
