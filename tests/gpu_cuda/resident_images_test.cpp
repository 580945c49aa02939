// Batches gathered on the GPU from resident images against the host gather
// (data::gather_batch, the CPU twin): bit for bit, with the float4 and the
// scalar kernel, batches past one launch's 512 indices, repeated indices;
// and one copy per GPU shared by its backends.
#include <sys/mman.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "data/batch.hpp"
#include "data/synthetic.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/gather_kernels.hpp"
#include "gpu/cuda/resident_images.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

using testing::cuda_or_fail;
using testing::fetch;

TEST_CASE("rows gathered on the GPU equal data::gather_batch", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto be = cuda_or_fail();
  // 3x8x8 = 192 floats a row (float4 kernel), 1x7x5 = 35 (scalar kernel).
  for (const int width : {8, 5}) {
    const int channels = width == 8 ? 3 : 1;
    const int height = width == 8 ? 8 : 7;
    const data::dataset d = data::make_synthetic(300, channels, height, width, 10, 17);
    const std::size_t row = d.sample_elements();
    // 700 indices: two launches; every index of the set at least twice.
    std::vector<std::size_t> indices(700);
    for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = (i * 37 + 11) % d.size();
    std::vector<float> expected(indices.size() * row);
    std::vector<std::int32_t> labels(indices.size());
    data::gather_batch(d, indices, expected.data(), labels.data());

    auto set = be->make_resident_images(d.images, row);
    REQUIRE(set != nullptr);
    auto dst = be->allocate(indices.size() * row + 3);  // longer than the batch
    be->gather_images(*set, indices, dst);
    const auto got = fetch(*be, dst);
    INFO("row " << row);
    REQUIRE(std::vector<float>(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(
                                                              expected.size())) == expected);
    // Past the batch: untouched (allocate zero-fills).
    for (std::size_t k = expected.size(); k < got.size(); ++k) REQUIRE(got[k] == 0.0f);

    std::vector<std::int32_t> only_labels(indices.size());
    data::gather_labels(d, indices, only_labels.data());
    REQUIRE(only_labels == labels);
  }
}

TEST_CASE(
    "backends of one GPU share its resident images; SGP_RESIDENT_DATA=0 keeps them on the host",
    "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto a = cuda_or_fail();
  auto b = cuda_or_fail();
  const data::dataset d = data::make_synthetic(40, 1, 4, 4, 3, 5);
  auto first = a->make_resident_images(d.images, d.sample_elements());
  auto second = b->make_resident_images(d.images, d.sample_elements());
  REQUIRE(first != nullptr);
  REQUIRE(first == second);
  // Another host array: another copy.
  const data::dataset other = data::make_synthetic(40, 1, 4, 4, 3, 5);
  auto third = a->make_resident_images(other.images, other.sample_elements());
  REQUIRE(third != nullptr);
  REQUIRE(third != first);
  // A set larger than a quarter of the free memory stays on the host.
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  REQUIRE(cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess);
  const std::size_t floats = (free_bytes / 4 / sizeof(float) / 1024 + 1) * 1024;
  // Address space only (never touched: the check refuses before copying).
  void* huge = ::mmap(nullptr, floats * sizeof(float), PROT_READ,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  REQUIRE(huge != MAP_FAILED);
  const auto refused = a->make_resident_images({static_cast<const float*>(huge), floats}, 1024);
  ::munmap(huge, floats * sizeof(float));
  REQUIRE(refused == nullptr);
  ::setenv("SGP_RESIDENT_DATA", "0", 1);
  const auto off = a->make_resident_images(other.images, other.sample_elements());
  ::unsetenv("SGP_RESIDENT_DATA");
  REQUIRE(off == nullptr);
}

}  // namespace
}  // namespace sgp::gpu::cuda
