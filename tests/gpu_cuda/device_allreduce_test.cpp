// make_device_allreduce over CUDA backends: one backend is a clique of one
// (the average leaves the buffer as it is), two backends on one GPU are
// refused with the GPU named, two GPUs average exactly and rebuild over a
// subset. Without NCCL in the binary the factory says so.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "gpu/backend_factory.hpp"
#include "gpu/device_allreduce.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

using testing::fetch;
using testing::put;

std::unique_ptr<backend> cuda_backend_on(int device) {
  auto b = make_backend("cuda", 0, device);
  INFO((b.ok() ? std::string() : b.err().message));
  REQUIRE(b.ok());
  return std::move(b).value();
}

TEST_CASE("device allreduce over one CUDA backend leaves the buffer as it is", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto be = cuda_backend_on(0);
  const std::array<backend*, 1> backends{be.get()};
  auto clique = make_device_allreduce(backends);
#ifndef SGP_HAVE_NCCL
  REQUIRE_FALSE(clique.ok());
  CHECK(clique.err().message.find("NCCL") != std::string::npos);
#else
  INFO((clique.ok() ? std::string() : clique.err().message));
  REQUIRE(clique.ok());
  CHECK((*clique)->devices() == std::vector<int>{0});
  CHECK((*clique)->describe() == "NCCL over GPUs [0]");
  const auto host = testing::random_floats(10007, 11);
  buffer g = put(*be, host);
  const std::array<buffer*, 1> grads{&g};
  const auto st = (*clique)->average(grads);
  INFO((st.ok() ? std::string() : st.err().message));
  REQUIRE(st.ok());
  CHECK(fetch(*be, g) == host);

  // Wrong arity is an error; after abort average is refused until a rebuild.
  const std::array<buffer*, 2> two{&g, &g};
  CHECK_FALSE((*clique)->average(two).ok());
  (*clique)->abort();
  CHECK((*clique)->size() == 0);
  CHECK_FALSE((*clique)->average(grads).ok());
  const auto rebuilt = (*clique)->rebuild(backends);
  INFO((rebuilt.ok() ? std::string() : rebuilt.err().message));
  REQUIRE(rebuilt.ok());
  REQUIRE((*clique)->average(grads).ok());
  CHECK(fetch(*be, g) == host);
#endif
}

TEST_CASE("device allreduce refuses two backends on one GPU and names it", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto a = cuda_backend_on(0);
  auto b = cuda_backend_on(0);
  const std::array<backend*, 2> backends{a.get(), b.get()};
  const auto clique = make_device_allreduce(backends);
  REQUIRE_FALSE(clique.ok());
#ifdef SGP_HAVE_NCCL
  CHECK(clique.err().message.find("share GPU 0") != std::string::npos);
#endif
}

TEST_CASE("device allreduce averages two GPUs exactly and rebuilds over one", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
#ifdef SGP_HAVE_NCCL
  SGP_SKIP_WITHOUT_GPUS(2);
  auto b0 = cuda_backend_on(0);
  auto b1 = cuda_backend_on(1);
  const std::array<backend*, 2> backends{b0.get(), b1.get()};
  auto clique = make_device_allreduce(backends);
  INFO((clique.ok() ? std::string() : clique.err().message));
  REQUIRE(clique.ok());
  CHECK((*clique)->describe() == "NCCL over GPUs [0, 1]");
  // Small integers: sum and halving are exact in fp32 in any order.
  const std::size_t n = (1u << 18) + 5;
  std::vector<float> x(n), y(n), expected(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = static_cast<float>(i % 1024);
    x[i] = k;
    y[i] = 3.0f * k + 2.0f;
    expected[i] = 2.0f * k + 1.0f;
  }
  buffer g0 = put(*b0, x);
  buffer g1 = put(*b1, y);
  const std::array<buffer*, 2> grads{&g0, &g1};
  const auto st = (*clique)->average(grads);
  INFO((st.ok() ? std::string() : st.err().message));
  REQUIRE(st.ok());
  CHECK(fetch(*b0, g0) == expected);
  CHECK(fetch(*b1, g1) == expected);

  // Node 0 died: the clique is rebuilt over rank 1 alone.
  const std::array<backend*, 1> survivor{b1.get()};
  const auto rebuilt = (*clique)->rebuild(survivor);
  INFO((rebuilt.ok() ? std::string() : rebuilt.err().message));
  REQUIRE(rebuilt.ok());
  CHECK((*clique)->devices() == std::vector<int>{1});
  const std::array<buffer*, 1> alone{&g1};
  REQUIRE((*clique)->average(alone).ok());
  CHECK(fetch(*b1, g1) == expected);
#else
  SGP_SKIP("NCCL not built in");
#endif
}

}  // namespace
}  // namespace sgp::gpu::cuda
