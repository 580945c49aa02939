// Device-resident dataset images (see resident_images.hpp).
#include "gpu/cuda/resident_images.hpp"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <tuple>

#include "core/assert.hpp"
#include "gpu/cuda/stream.hpp"

namespace sgp::gpu::cuda {

device_resident_images::device_resident_images(std::span<const float> images,
                                               std::size_t sample_elements, int device)
    : images_(images.size()),
      samples_(sample_elements == 0 ? 0 : images.size() / sample_elements),
      sample_elements_(sample_elements),
      device_(device) {
  SGP_ASSERT(sample_elements > 0 && images.size() % sample_elements == 0);
  if (!images.empty()) {
    // Pageable source: cudaMemcpy is synchronous, once per set and device.
    SGP_CUDA_CHECK(
        cudaMemcpy(images_.data(), images.data(), images.size_bytes(), cudaMemcpyHostToDevice));
  }
}

std::shared_ptr<const device_resident_images> resident_images_on(std::span<const float> images,
                                                                 std::size_t sample_elements,
                                                                 int device) {
  const char* off = std::getenv("SGP_RESIDENT_DATA");
  if (off != nullptr && std::strcmp(off, "0") == 0) return nullptr;
  if (images.empty() || sample_elements == 0) return nullptr;
  // One copy per (host array, device), alive while a backend uses it.
  using key = std::tuple<const float*, std::size_t, int>;
  static std::mutex mutex;
  static std::map<key, std::weak_ptr<const device_resident_images>> held;
  const std::lock_guard lock(mutex);
  const key k{images.data(), images.size(), device};
  if (auto it = held.find(k); it != held.end()) {
    if (auto alive = it->second.lock()) return alive;
  }
  const device_guard guard(device);
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  SGP_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  if (images.size_bytes() > free_bytes / 4) return nullptr;
  auto made = std::make_shared<const device_resident_images>(images, sample_elements, device);
  held[k] = made;
  return made;
}

}  // namespace sgp::gpu::cuda
