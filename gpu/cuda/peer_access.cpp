// Peer access between devices and the copy that uses it (see peer_access.hpp).
#include "gpu/cuda/peer_access.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/assert.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/cuda_backend.hpp"
#include "gpu/cuda/stream.hpp"

namespace sgp::gpu::cuda {
namespace {

std::string device_text(int device) {
  return "device " + std::to_string(device);
}

}  // namespace

peer_matrix::peer_matrix(std::vector<int> devices, std::vector<bool> access)
    : devices_(std::move(devices)), access_(std::move(access)) {
  SGP_ASSERT(access_.size() == devices_.size() * devices_.size());
}

std::ptrdiff_t peer_matrix::index_of(int device) const {
  const auto it = std::find(devices_.begin(), devices_.end(), device);
  return it == devices_.end() ? -1 : it - devices_.begin();
}

bool peer_matrix::contains(int device) const {
  return index_of(device) >= 0;
}

bool peer_matrix::can_access(int accessor, int owner) const {
  const std::ptrdiff_t i = index_of(accessor);
  const std::ptrdiff_t j = index_of(owner);
  if (i < 0 || j < 0) return false;
  if (i == j) return true;
  return access_[static_cast<std::size_t>(i) * devices_.size() + static_cast<std::size_t>(j)];
}

core::result<peer_matrix> enable_peer_access(std::span<const int> devices) {
  const int count = cuda_device_count();
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (devices[i] < 0 || devices[i] >= count) {
      return core::make_error("peer access: " + device_text(devices[i]) + " out of range (" +
                              std::to_string(count) + " devices)");
    }
    if (std::count(devices.begin(), devices.end(), devices[i]) > 1) {
      return core::make_error("peer access: " + device_text(devices[i]) + " listed twice");
    }
  }
  const std::size_t n = devices.size();
  std::vector<bool> access(n * n, false);
  for (std::size_t i = 0; i < n; ++i) {
    access[i * n + i] = true;
    // Enabling is a property of the current device (the accessor).
    const device_guard guard(devices[i]);
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      int can = 0;
      SGP_CUDA_CHECK(cudaDeviceCanAccessPeer(&can, devices[i], devices[j]));
      if (can == 0) continue;
      const cudaError_t status = cudaDeviceEnablePeerAccess(devices[j], 0);
      if (status == cudaSuccess || status == cudaErrorPeerAccessAlreadyEnabled) {
        access[i * n + j] = true;
      } else if (status != cudaErrorTooManyPeers) {
        (void)cudaGetLastError();
        return core::make_error("peer access from " + device_text(devices[i]) + " to " +
                                device_text(devices[j]) + ": " + cudaGetErrorString(status));
      }
      // Both non-success codes above are not sticky, but they are the
      // last error: clear it so that the next launch check does not see it.
      if (status != cudaSuccess) (void)cudaGetLastError();
    }
  }
  return peer_matrix(std::vector<int>(devices.begin(), devices.end()), std::move(access));
}

core::status copy_through_host(void* dst, const void* src, std::size_t bytes, cudaStream_t stream,
                               std::span<std::byte> staging) {
  if (bytes == 0) return {};
  if (staging.empty()) return core::make_error("copy through host: empty staging buffer");
  cudaPointerAttributes attributes{};
  if (cudaPointerGetAttributes(&attributes, staging.data()) != cudaSuccess) {
    (void)cudaGetLastError();
    return core::make_error("copy through host: cannot query the staging buffer");
  }
  // Pageable staging would make each copy synchronous with the host.
  if (attributes.type != cudaMemoryTypeHost) {
    return core::make_error("copy through host: the staging buffer is not pinned host memory");
  }
  auto* out = static_cast<std::byte*>(dst);
  const auto* in = static_cast<const std::byte*>(src);
  for (std::size_t done = 0; done < bytes;) {
    const std::size_t chunk = std::min(staging.size(), bytes - done);
    // Copies on one stream run in order, so this chunk's device-to-host
    // copy starts only after the previous chunk has left the staging buffer.
    SGP_CUDA_CHECK(
        cudaMemcpyAsync(staging.data(), in + done, chunk, cudaMemcpyDeviceToHost, stream));
    SGP_CUDA_CHECK(
        cudaMemcpyAsync(out + done, staging.data(), chunk, cudaMemcpyHostToDevice, stream));
    done += chunk;
  }
  return {};
}

core::status copy_between_devices(void* dst, int dst_device, const void* src, int src_device,
                                  std::size_t bytes, cudaStream_t stream, const peer_matrix& peers,
                                  std::span<std::byte> staging) {
  for (const int d : {src_device, dst_device}) {
    if (!peers.contains(d)) {
      return core::make_error("copy between devices: " + device_text(d) +
                              " is not in the peer matrix");
    }
  }
  if (bytes == 0) return {};
  if (src_device == dst_device) {
    SGP_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream));
    return {};
  }
  if (peers.can_access(src_device, dst_device)) {
    SGP_CUDA_CHECK(cudaMemcpyPeerAsync(dst, dst_device, src, src_device, bytes, stream));
    return {};
  }
  auto copied = copy_through_host(dst, src, bytes, stream, staging);
  if (!copied.ok()) {
    return copied.err().with_context("copy from " + device_text(src_device) + " to " +
                                     device_text(dst_device));
  }
  return {};
}

}  // namespace sgp::gpu::cuda
