// A dataset's images in device memory, shared by every backend of one GPU
// that asks for the same images (gpu::backend::make_resident_images): a
// batch is then gathered on the GPU (gather_kernels.hpp) instead of being
// gathered, pinned and uploaded from the host at every step.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "gpu/backend.hpp"
#include "gpu/cuda/device_memory.hpp"

namespace sgp::gpu::cuda {

class device_resident_images final : public resident_images {
 public:
  device_resident_images(std::span<const float> images, std::size_t sample_elements, int device);

  [[nodiscard]] const float* data() const { return images_.data(); }
  [[nodiscard]] std::size_t samples() const { return samples_; }
  [[nodiscard]] std::size_t sample_elements() const { return sample_elements_; }
  [[nodiscard]] int device() const { return device_; }

 private:
  device_array<float> images_;
  std::size_t samples_;
  std::size_t sample_elements_;
  int device_;
};

/// The images on `device`: the copy another backend of that device already
/// holds for the same host array, or a new one (uploaded synchronously);
/// nullptr when they would take more than a quarter of the device's free
/// memory, or when the environment sets SGP_RESIDENT_DATA=0 (to compare
/// with batches from the host).
std::shared_ptr<const device_resident_images> resident_images_on(std::span<const float> images,
                                                                 std::size_t sample_elements,
                                                                 int device);

}  // namespace sgp::gpu::cuda
