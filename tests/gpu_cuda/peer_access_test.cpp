// Peer access: the matrix answers by device id with true on the diagonal,
// agrees with cudaDeviceCanAccessPeer, and copy_between_devices (direct,
// peer-to-peer and through pinned staging in chunks) copies every byte.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/peer_access.hpp"
#include "gpu/cuda/stream.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

/// `n` bytes of a pattern that a shifted or truncated copy would not match.
std::vector<std::uint8_t> pattern(std::size_t n, std::uint64_t seed) {
  core::rng gen(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(gen.below(256));
  return v;
}

/// Copies `host` to `src_device`, copies it over with copy_between_devices
/// (on a stream of `src_device`, the sender), and returns what `dst_device` holds.
std::vector<std::uint8_t> round_trip(const std::vector<std::uint8_t>& host, int src_device,
                                     int dst_device, const peer_matrix& peers,
                                     std::span<std::byte> staging) {
  device_array<std::uint8_t> dst = [&] {
    const device_guard guard(dst_device);
    device_array<std::uint8_t> d(host.size());
    SGP_CUDA_CHECK(cudaMemset(d.data(), 0, d.bytes()));
    // The copy below runs on a non-blocking stream, which does not wait
    // for the legacy stream's memset (nor a pageable memcpy's DMA).
    SGP_CUDA_CHECK(cudaDeviceSynchronize());
    return d;
  }();
  const device_guard guard(src_device);
  const stream s;
  device_array<std::uint8_t> src(host.size());
  SGP_CUDA_CHECK(cudaMemcpy(src.data(), host.data(), src.bytes(), cudaMemcpyHostToDevice));
  SGP_CUDA_CHECK(cudaDeviceSynchronize());
  const auto st = copy_between_devices(dst.data(), dst_device, src.data(), src_device, host.size(),
                                       s.get(), peers, staging);
  INFO((st.ok() ? std::string() : st.err().message));
  REQUIRE(st.ok());
  s.synchronize();
  std::vector<std::uint8_t> out(host.size());
  SGP_CUDA_CHECK(cudaMemcpy(out.data(), dst.data(), dst.bytes(), cudaMemcpyDeviceToHost));
  return out;
}

TEST_CASE("peer_matrix answers by device id with true on the diagonal", "[gpu]") {
  // No device needed: a hand-made matrix over devices 3 and 5.
  const peer_matrix m({3, 5}, {false, true, false, false});
  CHECK(m.contains(3));
  CHECK_FALSE(m.contains(4));
  CHECK(m.can_access(3, 3));  // the diagonal is true whatever was passed
  CHECK(m.can_access(5, 5));
  CHECK(m.can_access(3, 5));
  CHECK_FALSE(m.can_access(5, 3));  // not symmetric
  CHECK_FALSE(m.can_access(3, 4));  // not in the matrix
}

TEST_CASE("enable_peer_access refuses bad device lists", "[gpu]") {
  const std::vector<int> out_of_range{cuda_device_count()};
  CHECK_FALSE(enable_peer_access(out_of_range).ok());
  if (cuda_device_count() > 0) {
    const std::vector<int> twice{0, 0};
    const auto m = enable_peer_access(twice);
    REQUIRE_FALSE(m.ok());
    CHECK(m.err().message.find("listed twice") != std::string::npos);
  }
}

TEST_CASE("enable_peer_access agrees with cudaDeviceCanAccessPeer", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  std::vector<int> devices;
  for (int d = 0; d < cuda_device_count(); ++d) devices.push_back(d);
  const auto m = enable_peer_access(devices);
  INFO((m.ok() ? std::string() : m.err().message));
  REQUIRE(m.ok());
  CHECK(m->devices() == devices);
  // Idempotent: a second call finds access already enabled.
  const auto again = enable_peer_access(devices);
  REQUIRE(again.ok());
  for (const int a : devices) {
    for (const int b : devices) {
      int can = 0;
      if (a != b) SGP_CUDA_CHECK(cudaDeviceCanAccessPeer(&can, a, b));
      const bool expected = a == b || can != 0;
      CHECK(m->can_access(a, b) == expected);
      CHECK(again->can_access(a, b) == expected);
    }
  }
  CHECK(cudaGetLastError() == cudaSuccess);  // nothing left for a later check
}

TEST_CASE("copy_between_devices copies every byte on one device", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const std::vector<int> devices{0};
  const auto m = enable_peer_access(devices);
  REQUIRE(m.ok());
  const auto host = pattern(1000003, 1);
  CHECK(round_trip(host, 0, 0, *m, {}) == host);
  // A device outside the matrix is an error.
  const auto st = copy_between_devices(nullptr, 1, nullptr, 0, 4, nullptr, *m, {});
  REQUIRE_FALSE(st.ok());
  CHECK(st.err().message.find("not in the peer matrix") != std::string::npos);
}

TEST_CASE("copy_through_host copies in chunks through pinned staging", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const device_guard guard(0);
  const stream s;
  const auto host = pattern(100003, 2);  // not a multiple of the chunk
  device_array<std::uint8_t> src(host.size()), dst(host.size());
  SGP_CUDA_CHECK(cudaMemcpy(src.data(), host.data(), src.bytes(), cudaMemcpyHostToDevice));
  SGP_CUDA_CHECK(cudaMemset(dst.data(), 0, dst.bytes()));
  SGP_CUDA_CHECK(cudaDeviceSynchronize());  // before the non-blocking stream s reads
  pinned_array<std::byte> staging(4096);
  const auto st = copy_through_host(dst.data(), src.data(), host.size(), s.get(), staging.span());
  INFO((st.ok() ? std::string() : st.err().message));
  REQUIRE(st.ok());
  s.synchronize();
  std::vector<std::uint8_t> out(host.size());
  SGP_CUDA_CHECK(cudaMemcpy(out.data(), dst.data(), dst.bytes(), cudaMemcpyDeviceToHost));
  CHECK(out == host);

  // Pageable or missing staging is refused instead of silently syncing.
  std::vector<std::byte> pageable(4096);
  const auto refused = copy_through_host(dst.data(), src.data(), 16, s.get(), pageable);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().message.find("not pinned") != std::string::npos);
  CHECK_FALSE(copy_through_host(dst.data(), src.data(), 16, s.get(), {}).ok());
}

TEST_CASE("copy_between_devices copies between two devices both ways", "[gpu]") {
  SGP_SKIP_WITHOUT_GPUS(2);
  const std::vector<int> devices{0, 1};
  const auto real = enable_peer_access(devices);
  REQUIRE(real.ok());
  // The same pair with peer access denied: forces the staging path.
  const peer_matrix none(devices, {true, false, false, true});
  pinned_array<std::byte> staging(1 << 16);
  const auto host = pattern((1 << 20) + 7, 3);
  for (const peer_matrix* m : {&*real, &none}) {
    CHECK(round_trip(host, 0, 1, *m, staging.span()) == host);
    CHECK(round_trip(host, 1, 0, *m, staging.span()) == host);
  }
}

}  // namespace
}  // namespace sgp::gpu::cuda
