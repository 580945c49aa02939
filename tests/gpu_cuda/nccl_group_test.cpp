// nccl_group: bad device lists are errors, the average over one rank is the
// identity, two ranks average exactly, abort then create and rebuild over a
// subset work. Compiled only when NCCL is linked (SGP_HAVE_NCCL).
#ifdef SGP_HAVE_NCCL

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/nccl_group.hpp"
#include "gpu/cuda/stream.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

/// A device buffer on `device` holding `host`, with a stream on that device.
struct rank_buffer {
  rank_buffer(int d, const std::vector<float>& host) : device(d) {
    const device_guard guard(d);
    s = std::make_unique<stream>();
    data = std::make_unique<device_array<float>>(host.size());
    SGP_CUDA_CHECK(cudaMemcpy(data->data(), host.data(), data->bytes(), cudaMemcpyHostToDevice));
    // A pageable upload may still be in flight when cudaMemcpy returns, and
    // the non-blocking stream s does not wait for it.
    SGP_CUDA_CHECK(cudaDeviceSynchronize());
  }
  /// Waits for the stream (the test's one host sync) and downloads.
  std::vector<float> fetch() const {
    const device_guard guard(device);
    s->synchronize();
    std::vector<float> host(data->size());
    SGP_CUDA_CHECK(cudaMemcpy(host.data(), data->data(), data->bytes(), cudaMemcpyDeviceToHost));
    return host;
  }

  int device;
  std::unique_ptr<stream> s;
  std::unique_ptr<device_array<float>> data;
};

/// Averages one buffer on device 0 with a one-rank group; checks it is unchanged.
void check_one_rank_identity(nccl_group& group, std::uint64_t seed) {
  REQUIRE(group.size() == 1);
  const std::size_t n = 10007;
  const auto host = testing::random_floats(n, seed);
  const rank_buffer b(group.devices()[0], host);
  const std::array<float*, 1> buffers{b.data->data()};
  const std::array<cudaStream_t, 1> streams{b.s->get()};
  const auto st = group.all_reduce_average(buffers, n, streams);
  INFO((st.ok() ? std::string() : st.err().message));
  REQUIRE(st.ok());
  CHECK(b.fetch() == host);
  CHECK(group.async_error().ok());
}

TEST_CASE("nccl_group rejects an empty, repeated or out-of-range device list", "[gpu]") {
  // No device needed: these are refused before NCCL is called.
  const auto empty = nccl_group::create({});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.err().message.find("no devices") != std::string::npos);
  const auto out_of_range = nccl_group::create({cuda_device_count()});
  REQUIRE_FALSE(out_of_range.ok());
  CHECK(out_of_range.err().message.find("out of range") != std::string::npos);
  if (cuda_device_count() > 0) {
    const auto twice = nccl_group::create({0, 0});
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.err().message.find("listed twice") != std::string::npos);
  }
}

TEST_CASE("nccl_group average over one rank leaves the buffer unchanged", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto group = nccl_group::create({0});
  INFO((group.ok() ? std::string() : group.err().message));
  REQUIRE(group.ok());
  CHECK(group->devices() == std::vector<int>{0});
  check_one_rank_identity(*group, 1);

  // Wrong arity is an error, not a hang.
  const std::array<float*, 2> two{nullptr, nullptr};
  const std::array<cudaStream_t, 1> one{nullptr};
  const auto wrong = group->all_reduce_average(two, 1, one);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.err().message.find("2 buffers") != std::string::npos);
}

TEST_CASE("nccl_group abort then create again works", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto group = nccl_group::create({0});
  REQUIRE(group.ok());
  group->abort();
  CHECK(group->empty());
  CHECK(group->devices().empty());
  const std::array<float*, 0> none{};
  const std::array<cudaStream_t, 0> no_streams{};
  CHECK_FALSE(group->all_reduce_average(none, 0, no_streams).ok());

  auto again = nccl_group::create({0});
  INFO((again.ok() ? std::string() : again.err().message));
  REQUIRE(again.ok());
  check_one_rank_identity(*again, 2);

  // Moving hands the communicators over; the moved-from group is empty.
  nccl_group moved = std::move(again).value();
  check_one_rank_identity(moved, 3);
}

TEST_CASE("nccl_group rebuild keeps only the survivors", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  std::vector<int> all{0};
  if (cuda_device_count() >= 2) all.push_back(1);
  auto group = nccl_group::create(all);
  REQUIRE(group.ok());
  // A device that is not a member is refused and the group is untouched.
  const auto stranger = group->rebuild({cuda_device_count()});
  REQUIRE_FALSE(stranger.ok());
  CHECK(stranger.err().message.find("not a member") != std::string::npos);
  CHECK(group->size() == all.size());

  const auto rebuilt = group->rebuild({0});
  INFO((rebuilt.ok() ? std::string() : rebuilt.err().message));
  REQUIRE(rebuilt.ok());
  CHECK(group->devices() == std::vector<int>{0});
  check_one_rank_identity(*group, 4);
}

TEST_CASE("nccl_group averages two ranks exactly", "[gpu]") {
  SGP_SKIP_WITHOUT_GPUS(2);
  auto group = nccl_group::create({0, 1});
  INFO((group.ok() ? std::string() : group.err().message));
  REQUIRE(group.ok());
  // Small integers: the sum and the halving are exact in fp32 whichever
  // way NCCL orders them (sum then scale, or scale then sum).
  const std::size_t n = (1u << 20) + 3;
  std::vector<float> a(n), b(n), expected(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<float>(i % 4096);
    a[i] = k;
    b[i] = 3.0f * k + 2.0f;
    expected[i] = 2.0f * k + 1.0f;
  }
  const rank_buffer ra(0, a);
  const rank_buffer rb(1, b);
  const std::array<float*, 2> buffers{ra.data->data(), rb.data->data()};
  const std::array<cudaStream_t, 2> streams{ra.s->get(), rb.s->get()};
  const auto st = group->all_reduce_average(buffers, n, streams);
  INFO((st.ok() ? std::string() : st.err().message));
  REQUIRE(st.ok());
  CHECK(ra.fetch() == expected);
  CHECK(rb.fetch() == expected);
  CHECK(group->async_error().ok());
}

}  // namespace
}  // namespace sgp::gpu::cuda

#endif  // SGP_HAVE_NCCL
