// A device guard on a thread without a CUDA context leaves the device it
// made current (putting GPU 0 back would create a context there, in a
// process that may never use GPU 0); on a thread with one it puts the
// previous device back.
#include <thread>

#include "gpu/cuda/stream.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {

TEST_CASE("a device guard on a fresh thread makes no context on GPU 0", "[gpu]") {
  SGP_SKIP_WITHOUT_GPUS(2);
  bool before = true;
  bool inside = false;
  int after = -1;
  std::thread fresh([&] {
    before = thread_has_context();
    {
      const device_guard guard(1);
      inside = thread_has_context();
    }
    (void)cudaGetDevice(&after);
  });
  fresh.join();
  CHECK_FALSE(before);
  CHECK(inside);
  CHECK(after == 1);  // left on GPU 1, not "back" on GPU 0
  std::thread used([&] {
    (void)cudaSetDevice(0);
    (void)cudaFree(nullptr);  // GPU 0's context, current here
    { const device_guard guard(1); }
    (void)cudaGetDevice(&after);
  });
  used.join();
  CHECK(after == 0);
}

}  // namespace sgp::gpu::cuda
