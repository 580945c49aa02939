// Double-buffered host-to-device copies of the next training batch's images
// on a copy stream of their own: while step k computes on the node's stream,
// batch k+1 crosses PCIe from pinned memory. Two slots, each with a pinned
// host buffer, a device buffer and two events (copy done; consumer done), so
// a slot is never overwritten while its copy or its reader is in flight.
#pragma once

#include <cuda_runtime.h>

#include <array>
#include <cstddef>

#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/stream.hpp"

namespace sgp::gpu::cuda {

class batch_prefetcher {
 public:
  /// Slots of `max_floats` image values on the current device.
  explicit batch_prefetcher(std::size_t max_floats);

  /// Copies `count` floats at `images` (host memory) into the next slot's
  /// pinned buffer and queues their upload on the copy stream. `images` may
  /// be reused as soon as this returns.
  void start(const float* images, std::size_t count);

  /// The device copy of `images` when one of the last two start() calls
  /// got these `images` and `count` (the caller has not changed them
  /// since): `s` is made to wait for the upload. nullptr otherwise.
  const float* take(const float* images, std::size_t count, cudaStream_t s);

  /// Work queued on `s` so far is the last reader of the slot that take()
  /// returned; the slot is reused only after it.
  void release(cudaStream_t s);

 private:
  struct slot {
    pinned_array<float> host;
    device_array<float> device;
    event copied;
    event consumed;
    bool pending = false;  ///< started, not taken yet
    const float* images = nullptr;
    std::size_t count = 0;
  };

  cuda::stream copy_;
  std::array<slot, 2> slots_;
  int next_ = 0;
  int taken_ = -1;  ///< slot handed out by the last take()
};

}  // namespace sgp::gpu::cuda
