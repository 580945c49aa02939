// ar-sgd's sum across processes over NCCL (gpu/cuda/nccl_process_sum): two
// "processes" (threads, one GPU each) sum in fp32 and get the same bits,
// as Gloo's sum does; the rendezvous goes through the functions given (a
// map here, the cluster's store in the product); a peer that never comes
// is an error at the deadline, not a hang. Compiled only with NCCL.
#ifdef SGP_HAVE_NCCL

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/flat_ops.hpp"
#include "core/nccl_env.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/nccl_process_sum.hpp"
#include "gpu/cuda/stream.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

using namespace std::chrono_literals;

/// The rendezvous store as a map shared by the threads.
struct map_store {
  std::mutex mutex;
  std::condition_variable arrived;
  std::map<std::string, std::vector<char>> entries;
};

process_sum_setup setup_for(map_store& store, std::uint32_t process, int device,
                            std::chrono::milliseconds timeout) {
  process_sum_setup s;
  s.process = process;
  s.names = {"p0", "p1"};
  s.device = device;
  s.timeout = timeout;
  s.publish = [&store](const std::string& key, const std::vector<char>& value) {
    const std::lock_guard lock(store.mutex);
    store.entries[key] = value;
    store.arrived.notify_all();
  };
  s.fetch = [&store](const std::string& key,
                     std::chrono::milliseconds t) -> core::result<std::vector<char>> {
    std::unique_lock lock(store.mutex);
    if (!store.arrived.wait_for(lock, t, [&] { return store.entries.count(key) > 0; })) {
      return core::make_error("no entry '" + key + "'");
    }
    return store.entries[key];
  };
  return s;
}

/// p0 on GPU 0 and p1 on GPU 1, their rendezvous through `store`.
std::pair<std::unique_ptr<process_sum>, std::unique_ptr<process_sum>> two_processes(
    map_store& store) {
  core::disable_nvlink_multicast();  // as main does, before the threads
  auto a = sgp::gpu::cuda::make_nccl_process_sum(setup_for(store, 0, 0, 20000ms));
  auto b = sgp::gpu::cuda::make_nccl_process_sum(setup_for(store, 1, 1, 20000ms));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  return {std::move(a).value(), std::move(b).value()};
}

}  // namespace

TEST_CASE("NCCL sums over two processes' GPUs in fp32 and both get the same bits", "[gpu]") {
  SGP_SKIP_WITHOUT_GPUS(2);
  map_store store;
  auto [a, b] = two_processes(store);
  const std::vector<bool> both{true, true};
  const std::size_t n = 100003;
  for (std::uint64_t iteration = 0; iteration < 3; ++iteration) {
    std::vector<double> va(n + 1);
    std::vector<double> vb(n + 1);
    for (std::size_t i = 0; i < n; ++i) {
      va[i] = 0.001 * static_cast<double>(i) + static_cast<double>(iteration);
      vb[i] = -0.5 * static_cast<double>(i % 97) + 1e-9;  // rounds to fp32 first
    }
    va[n] = 1.0;  // the counts, as the AllReduce actor appends them
    vb[n] = 2.0;
    core::result<std::vector<double>> ra = core::make_error("not run");
    std::thread other([&] { ra = a->sum(iteration, va, both); });
    const auto rb = b->sum(iteration, vb, both);
    other.join();
    REQUIRE(ra.ok());
    REQUIRE(rb.ok());
    CHECK(ra.value() == rb.value());
    bool exact = true;
    for (std::size_t i = 0; i <= n; ++i) {
      const float expected = static_cast<float>(va[i]) + static_cast<float>(vb[i]);
      exact = exact && ra.value()[i] == static_cast<double>(expected);
    }
    CHECK(exact);
    CHECK(ra.value()[n] == 3.0);
  }
  // One process left: its values as they are, no communicator.
  const std::vector<bool> alone{true, false};
  const auto solo = a->sum(3, {1.25, 1.0}, alone);
  REQUIRE(solo.ok());
  CHECK(solo.value() == std::vector<double>{1.25, 1.0});
}

TEST_CASE("after a rebuild the process behind takes the sum the one ahead applied", "[gpu]") {
  // As after a failure: p0 completed iteration 0 (here alone) and is at 1;
  // p1's sum of 0 failed (here: it summed alone too) and it redoes 0 once
  // both are live again. The new communicator's first step is the
  // agreement: p0 broadcasts what it applied for 0, p1 takes it, and then
  // both sum 1.
  SGP_SKIP_WITHOUT_GPUS(2);
  map_store store;
  auto [a, b] = two_processes(store);
  // p0's iteration 0 (sums are fp32 values, a process alone's too).
  const std::vector<double> applied0{0.125, -2.5, 3.0, 1.0};
  const std::vector<double> a1{1.0, 2.0, 3.0, 1.0};
  const std::vector<double> b1{0.5, 0.25, -3.0, 1.0};
  core::result<std::vector<double>> ra = core::make_error("not run");
  std::thread p0([&] {
    if (!a->sum(0, applied0, {true, false}).ok()) return;
    ra = a->sum(1, a1, {true, true});
  });
  REQUIRE(b->sum(0, {9.0, 9.0, 9.0, 1.0}, {false, true}).ok());
  const auto redone = b->sum(0, {7.0, 7.0, 7.0, 1.0}, {true, true});
  core::result<std::vector<double>> rb = core::make_error("not run");
  if (redone.ok()) rb = b->sum(1, b1, {true, true});
  p0.join();
  REQUIRE(redone.ok());
  CHECK(redone.value() == applied0);  // bit for bit, not its own
  REQUIRE(ra.ok());
  REQUIRE(rb.ok());
  CHECK(ra.value() == rb.value());
  CHECK(ra.value() == std::vector<double>{1.5, 2.25, 0.0, 2.0});
}

TEST_CASE("NCCL's device path averages in place with the host path's bits", "[gpu]") {
  // p0 averages its gradient on GPU 0 (one node per process), p1 sums on
  // the host (several nodes): they take part in one sum, and p0's average
  // is bit for bit what p1 computes from the sum it gets back. Then a
  // rebuild: p1 falls one iteration behind and takes what p0 applied.
  SGP_SKIP_WITHOUT_GPUS(2);
  map_store store;
  auto [a, b] = two_processes(store);
  const std::vector<bool> both{true, true};
  const std::size_t n = 50021;
  const device_guard guard(0);
  device_array<float> grad(n);
  for (std::uint64_t iteration = 0; iteration < 2; ++iteration) {
    const auto ga = testing::random_floats(n, 20 + iteration);
    const auto gb = testing::random_floats(n, 30 + iteration, 3.0f);
    SGP_CUDA_CHECK(cudaMemcpy(grad.data(), ga.data(), grad.bytes(), cudaMemcpyHostToDevice));
    std::vector<double> vb(gb.begin(), gb.end());
    vb.push_back(2.0);  // p1's two nodes
    core::result<double> ra = core::make_error("not run");
    std::thread other([&] {
      float* grads[] = {grad.data()};
      ra = a->average_on_device(iteration, grads, n, 1.0, both);
    });
    const auto rb = b->sum(iteration, vb, both);
    other.join();
    REQUIRE(ra.ok());
    REQUIRE(rb.ok());
    CHECK(ra.value() == 3.0);
    std::vector<float> expected(n);
    core::average_of_sum<double>(std::span<const double>(rb.value()).first(n), rb.value()[n],
                                 expected);
    std::vector<float> got(n);
    SGP_CUDA_CHECK(cudaMemcpy(got.data(), grad.data(), grad.bytes(), cudaMemcpyDeviceToHost));
    CHECK(got == expected);
    bool exact = true;
    for (std::size_t i = 0; i < n; ++i) exact = exact && rb.value()[i] == double(ga[i] + gb[i]);
    CHECK(exact);
  }
  // p0 completes iteration 2 alone; p1 (its sum of 2 "failed") redoes it
  // with p0, which is at 3: p1 gets p0's sum of 2, then both sum 3. The
  // new communicator is over the same live set as the first: its unique id
  // must not be the first one's (in a cluster a live set never comes back
  // under ar-sgd, which lets no process rejoin).
  {
    const std::lock_guard lock(store.mutex);
    store.entries.clear();
  }
  std::vector<float> applied(n);
  core::result<double> ra = core::make_error("not run");
  std::thread p0([&] {
    const auto g2 = testing::random_floats(n, 40);
    SGP_CUDA_CHECK(cudaMemcpy(grad.data(), g2.data(), grad.bytes(), cudaMemcpyHostToDevice));
    float* grads[] = {grad.data()};
    if (!a->average_on_device(2, grads, n, 1.0, {true, false}).ok()) return;
    SGP_CUDA_CHECK(cudaMemcpy(applied.data(), grad.data(), grad.bytes(), cudaMemcpyDeviceToHost));
    ra = a->average_on_device(3, grads, n, 1.0, both);
  });
  std::vector<double> mine(n + 1, 5.0);
  REQUIRE(b->sum(2, mine, {false, true}).ok());
  const auto redone = b->sum(2, mine, both);
  core::result<std::vector<double>> rb = core::make_error("not run");
  if (redone.ok()) rb = b->sum(3, mine, both);
  p0.join();
  if (!redone.ok()) WARN(redone.err().message);
  REQUIRE(redone.ok());
  CHECK(redone.value()[n] == 1.0);  // p0's count alone, not p1's
  bool same = true;
  for (std::size_t i = 0; i < n; ++i) same = same && redone.value()[i] == double(applied[i]);
  CHECK(same);  // p0's gradient divided by 1: what p0 applied
  REQUIRE(ra.ok());
  REQUIRE(rb.ok());
  CHECK(ra.value() == 6.0);
}

TEST_CASE("NCCL's device path sums a process's several gradients on its GPU first", "[gpu]") {
  // p0 has three nodes: two on its GPU 0 and one on GPU 1 (as a process
  // with devices [0, 1] places three nodes); p1 has one on GPU 1. p0's
  // gradients are summed in fp32 in the order given, that sum goes into
  // the sum across processes, and every one of the four buffers ends with
  // the same bits: the total divided by 4 (core::add and
  // core::average_of_sum, the CPU twins).
  SGP_SKIP_WITHOUT_GPUS(2);
  map_store store;
  auto [a, b] = two_processes(store);
  const std::vector<bool> both{true, true};
  const std::size_t n = 30011;
  std::vector<std::vector<float>> host;
  for (std::uint64_t k = 0; k < 4; ++k) host.push_back(testing::random_floats(n, 50 + k, 1.0f + k));
  auto upload = [&](int device, const std::vector<float>& h) {
    const device_guard guard(device);
    device_array<float> d(n);
    SGP_CUDA_CHECK(cudaMemcpy(d.data(), h.data(), d.bytes(), cudaMemcpyHostToDevice));
    return d;
  };
  auto download = [&](int device, const device_array<float>& d) {
    const device_guard guard(device);
    std::vector<float> h(n);
    SGP_CUDA_CHECK(cudaMemcpy(h.data(), d.data(), d.bytes(), cudaMemcpyDeviceToHost));
    return h;
  };
  const int devices[] = {0, 0, 1, 1};  // the last one is p1's
  std::vector<device_array<float>> grads;
  for (std::size_t k = 0; k < 4; ++k) grads.push_back(upload(devices[k], host[k]));
  core::result<double> ra = core::make_error("not run");
  std::thread other([&] {
    float* mine[] = {grads[0].data(), grads[1].data(), grads[2].data()};
    ra = a->average_on_device(0, mine, n, 3.0, both);
  });
  float* theirs[] = {grads[3].data()};
  const auto rb = b->average_on_device(0, theirs, n, 1.0, both);
  other.join();
  REQUIRE(ra.ok());
  REQUIRE(rb.ok());
  CHECK(ra.value() == 4.0);
  CHECK(rb.value() == 4.0);
  std::vector<float> sums = host[0];
  core::add<float>(host[1], sums);
  core::add<float>(host[2], sums);
  core::add<float>(host[3], sums);  // p0's sum + p1's: one fp32 addition
  std::vector<float> expected(n);
  core::average_of_sum<float>(sums, 4.0, expected);
  for (std::size_t k = 0; k < 4; ++k) {
    INFO("gradient " << k << " on GPU " << devices[k]);
    CHECK(download(devices[k], grads[k]) == expected);
  }

  // A process whose nodes are none on its GPU (its first node died): the
  // average is made in scratch memory there and copied out.
  const auto g1 = testing::random_floats(n, 60);
  const auto g2 = testing::random_floats(n, 61);
  auto on1 = upload(1, g1);
  auto also1 = upload(1, g2);
  ra = core::make_error("not run");
  std::thread again([&] {
    float* mine[] = {on1.data()};
    ra = a->average_on_device(1, mine, n, 1.0, both);
  });
  float* theirs2[] = {also1.data()};
  const auto rb2 = b->average_on_device(1, theirs2, n, 1.0, both);
  again.join();
  REQUIRE(ra.ok());
  REQUIRE(rb2.ok());
  std::vector<float> s2 = g1;
  core::add<float>(g2, s2);
  core::average_of_sum<float>(s2, 2.0, expected);
  CHECK(download(1, on1) == expected);
  CHECK(download(1, also1) == expected);
}

TEST_CASE("an NCCL rendezvous with a process that never comes fails at the deadline", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  const std::vector<bool> both{true, true};
  {
    // Process 1 waits (twice the timeout) for the unique id that process 0 never publishes.
    map_store store;
    auto b = sgp::gpu::cuda::make_nccl_process_sum(setup_for(store, 1, 0, 1500ms));
    REQUIRE(b.ok());
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = b.value()->sum(0, {1.0, 1.0}, both);
    CHECK_FALSE(r.ok());
    CHECK(std::chrono::steady_clock::now() - t0 < 10s);
    if (!r.ok()) CHECK(r.err().message.find("p0, p1") != std::string::npos);
    // The device path's failure leaves the gradient as it was.
    const device_guard guard(0);
    const auto g = testing::random_floats(1000, 9);
    device_array<float> grad(g.size());
    SGP_CUDA_CHECK(cudaMemcpy(grad.data(), g.data(), grad.bytes(), cudaMemcpyHostToDevice));
    float* grads[] = {grad.data()};
    CHECK_FALSE(b.value()->average_on_device(0, grads, g.size(), 1.0, both).ok());
    std::vector<float> after(g.size());
    SGP_CUDA_CHECK(cudaMemcpy(after.data(), grad.data(), grad.bytes(), cudaMemcpyDeviceToHost));
    CHECK(after == g);
  }
  {
    // Process 0 publishes the id and waits for process 1 in the communicator's set-up.
    map_store store;
    auto a = sgp::gpu::cuda::make_nccl_process_sum(setup_for(store, 0, 0, 1500ms));
    REQUIRE(a.ok());
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = a.value()->sum(0, {1.0, 1.0}, both);
    CHECK_FALSE(r.ok());
    CHECK(std::chrono::steady_clock::now() - t0 < 10s);
    if (!r.ok()) CHECK(r.err().message.find("timed out") != std::string::npos);
  }
}

}  // namespace sgp::gpu::cuda

#endif  // SGP_HAVE_NCCL
