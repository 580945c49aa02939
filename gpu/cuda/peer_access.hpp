// Direct (peer-to-peer) access between the GPUs of this process, and a copy
// between two devices that takes the direct path where peer access is on
// and goes through pinned host memory where it is not (GPUs on different
// PCIe root complexes, say). Both paths stay on one stream: no host sync.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace sgp::gpu::cuda {

/// Which device may read and write which device's memory directly.
/// `can_access(a, b)`: kernels and copy engines on device `a` reach device
/// `b`'s memory over NVLink/PCIe peer-to-peer. True on the diagonal (a
/// device always reaches its own memory); not necessarily symmetric.
class peer_matrix {
 public:
  /// `access[i * devices.size() + j]`: devices[i] can access devices[j].
  /// Devices are distinct; access has devices.size()^2 entries.
  peer_matrix(std::vector<int> devices, std::vector<bool> access);

  [[nodiscard]] const std::vector<int>& devices() const { return devices_; }
  /// Whether `device` is one of devices().
  [[nodiscard]] bool contains(int device) const;
  /// See the class comment; false when either device is not in the matrix.
  [[nodiscard]] bool can_access(int accessor, int owner) const;

 private:
  [[nodiscard]] std::ptrdiff_t index_of(int device) const;

  std::vector<int> devices_;
  std::vector<bool> access_;
};

/// For every ordered pair of distinct `devices` that cudaDeviceCanAccessPeer
/// allows, enables peer access (cudaDeviceEnablePeerAccess; "already
/// enabled" counts as success, a device past its peer limit as no access).
/// Process-wide and idempotent; restores the current device. A device out
/// of range or listed twice is an error.
core::result<peer_matrix> enable_peer_access(std::span<const int> devices);

/// Copies `bytes` from `src` (memory of `src_device`) to `dst` (memory of
/// `dst_device`), enqueued on `stream`: the sender's stream (a stream of
/// `src_device`). Same device: a device-to-device copy. `src_device` can
/// access `dst_device`: cudaMemcpyPeerAsync. Otherwise through `staging`
/// (copy_through_host). Asynchronous; `src` must stay valid and `staging`
/// unused by other streams until the stream reaches this point.
core::status copy_between_devices(void* dst, int dst_device, const void* src, int src_device,
                                  std::size_t bytes, cudaStream_t stream, const peer_matrix& peers,
                                  std::span<std::byte> staging);

/// Copies `bytes` from device memory `src` to device memory `dst` (any
/// devices) through `staging`, pinned host memory (cudaMallocHost or
/// cudaHostRegister), in chunks of staging.size(): device-to-host then
/// host-to-device per chunk, all on `stream`, whose order keeps a chunk
/// from overwriting the staging buffer before the previous one has left.
/// Empty or pageable staging with bytes > 0 is an error.
core::status copy_through_host(void* dst, const void* src, std::size_t bytes, cudaStream_t stream,
                               std::span<std::byte> staging);

}  // namespace sgp::gpu::cuda
