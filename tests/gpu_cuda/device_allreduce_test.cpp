// make_device_allreduce over CUDA backends: one backend is a clique of one
// (the average leaves the buffer as it is), three backends on one GPU are
// summed there with core's bits, two GPUs average exactly and rebuild over
// a subset. Without NCCL in the binary the factory says so.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/flat_ops.hpp"
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

#ifdef SGP_HAVE_NCCL
/// x, y and z uploaded to backends a, b and c and averaged by `clique`
/// (which must succeed): the three buffers.
struct three_grads {
  buffer a, b, c;
};
three_grads average_three(device_allreduce& clique, std::array<backend*, 3> on,
                          const std::vector<float>& x, const std::vector<float>& y,
                          const std::vector<float>& z) {
  three_grads g{put(*on[0], x), put(*on[1], y), put(*on[2], z)};
  const std::array<buffer*, 3> grads{&g.a, &g.b, &g.c};
  const auto st = clique.average(grads, 0);
  INFO((st.ok() ? std::string() : st.err().message));
  REQUIRE(st.ok());
  return g;
}
#endif

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
  const auto st = (*clique)->average(grads, 0);
  INFO((st.ok() ? std::string() : st.err().message));
  REQUIRE(st.ok());
  CHECK(fetch(*be, g) == host);

  // Wrong arity is an error; after abort average is refused until a rebuild.
  const std::array<buffer*, 2> two{&g, &g};
  CHECK_FALSE((*clique)->average(two, 0).ok());
  (*clique)->abort();
  CHECK((*clique)->size() == 0);
  CHECK_FALSE((*clique)->average(grads, 0).ok());
  const auto rebuilt = (*clique)->rebuild(backends);
  INFO((rebuilt.ok() ? std::string() : rebuilt.err().message));
  REQUIRE(rebuilt.ok());
  REQUIRE((*clique)->average(grads, 0).ok());
  CHECK(fetch(*be, g) == host);
#endif
}

TEST_CASE("device allreduce sums backends that share a GPU there: core's bits, no host copy",
          "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
#ifdef SGP_HAVE_NCCL
  auto a = cuda_backend_on(0);
  auto b = cuda_backend_on(0);
  auto c = cuda_backend_on(0);
  const std::array<backend*, 3> backends{a.get(), b.get(), c.get()};
  auto clique = make_device_allreduce(backends);
  INFO((clique.ok() ? std::string() : clique.err().message));
  REQUIRE(clique.ok());
  CHECK((*clique)->devices() == std::vector<int>{0});
  CHECK((*clique)->describe() ==
        "NCCL over GPUs [0] (3 nodes: those sharing a GPU summed there first)");
  const std::size_t n = 100003;
  const auto x = testing::random_floats(n, 21);
  const auto y = testing::random_floats(n, 22);
  const auto z = testing::random_floats(n, 23);
  // The CPU twin: (x + y) + z in fp32, in node order, divided by 3.
  std::vector<float> sum = x;
  for (std::size_t i = 0; i < n; ++i) sum[i] = (sum[i] + y[i]) + z[i];
  std::vector<float> expected(n);
  core::average_of_sum<float>(sum, 3.0, expected);
  auto [ga, gb, gc] = average_three(**clique, backends, x, y, z);
  const std::array<buffer*, 3> grads{&ga, &gb, &gc};
  // Each backend's buffer, read on its own stream: the average is there.
  CHECK(fetch(*a, ga) == expected);
  CHECK(fetch(*b, gb) == expected);
  CHECK(fetch(*c, gc) == expected);
  // Before any membership change no node can come late: nothing is kept.
  CHECK_FALSE((*clique)->recall(0, ga, *a).ok());

  // A node left: rebuilt over the other two (still one GPU).
  const std::array<backend*, 2> two{a.get(), c.get()};
  REQUIRE((*clique)->rebuild(two).ok());
  const std::array<buffer*, 2> grads2{&ga, &gc};
  ga = put(*a, x);
  gc = put(*c, z);
  REQUIRE((*clique)->average(grads2, 5).ok());
  std::vector<float> expected2(n);
  for (std::size_t i = 0; i < n; ++i) sum[i] = x[i] + z[i];
  core::average_of_sum<float>(sum, 2.0, expected2);
  CHECK(fetch(*a, ga) == expected2);
  CHECK(fetch(*c, gc) == expected2);
  // b comes back late for iteration 5 (a revived node at its donor's
  // iteration): it gets the average the others applied, on its stream.
  gb = put(*b, y);
  const auto recalled = (*clique)->recall(5, gb, *b);
  INFO((recalled.ok() ? std::string() : recalled.err().message));
  REQUIRE(recalled.ok());
  CHECK(fetch(*b, gb) == expected2);
  // An iteration that was not kept is an error and leaves the buffer alone.
  gb = put(*b, y);
  const auto missing = (*clique)->recall(4, gb, *b);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.err().message.find("iteration 4 is not kept") != std::string::npos);
  CHECK(fetch(*b, gb) == y);
  // Wrong arity names the node count.
  const auto wrong = (*clique)->average(grads, 0);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.err().message.find("3 buffers for 2 nodes") != std::string::npos);
#else
  SGP_SKIP("NCCL not built in");
#endif
}

TEST_CASE("device allreduce over two GPUs, one shared by two nodes, gives core's bits", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
#ifdef SGP_HAVE_NCCL
  SGP_SKIP_WITHOUT_GPUS(2);
  auto a = cuda_backend_on(0);
  auto b = cuda_backend_on(1);
  auto c = cuda_backend_on(0);
  const std::array<backend*, 3> backends{a.get(), b.get(), c.get()};
  auto clique = make_device_allreduce(backends);
  INFO((clique.ok() ? std::string() : clique.err().message));
  REQUIRE(clique.ok());
  CHECK((*clique)->devices() == std::vector<int>{0, 1});
  const std::size_t n = (1u << 18) + 7;
  const auto x = testing::random_floats(n, 31);
  const auto y = testing::random_floats(n, 32);
  const auto z = testing::random_floats(n, 33);
  auto [ga, gb, gc] = average_three(**clique, backends, x, y, z);
  // GPU 0 sums its nodes (a, then c), NCCL adds GPU 1's: with two ranks
  // NCCL's sum of two values is one fp32 addition.
  std::vector<float> twin(n);
  std::vector<float> sum(n);
  for (std::size_t i = 0; i < n; ++i) sum[i] = (x[i] + z[i]) + y[i];
  core::average_of_sum<float>(sum, 3.0, twin);
  CHECK(fetch(*a, ga) == twin);
  CHECK(fetch(*b, gb) == twin);
  CHECK(fetch(*c, gc) == twin);
#else
  SGP_SKIP("NCCL not built in");
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
  const auto st = (*clique)->average(grads, 0);
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
  REQUIRE((*clique)->average(alone, 0).ok());
  CHECK(fetch(*b1, g1) == expected);
#else
  SGP_SKIP("NCCL not built in");
#endif
}

}  // namespace
}  // namespace sgp::gpu::cuda
