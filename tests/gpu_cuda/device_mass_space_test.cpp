// The device mass space (x and running sums on the GPU) against its CPU
// twin, core::host_mass_space<float>: the same sends, applies, steps and
// de-biasing (also a step fused into a send) give the same bits; mass is
// conserved across spaces; blocks of another kind are refused. Also
// sgd_delta against the CPU backend.
#include <cuda_runtime.h>

#include <memory>
#include <vector>

#include "core/host_block_pool.hpp"
#include "core/host_mass_space.hpp"
#include "core/running_sums.hpp"
#include "gpu/cpu/cpu_backend.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/host_pinning.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

using testing::cuda_or_fail;
using testing::fetch;
using testing::put;
using testing::random_floats;

/// One node on each side: running sums over a device space and over a host space.
struct twin {
  twin(backend& gpu, std::size_t id, const std::vector<float>& x, double w)
      : device(id, gpu.make_mass_space(x), w), host(id, x, w) {}
  core::running_sums device;
  core::running_sums host;
};

/// Four twins of `n` random elements (seeds from `seed`), weight 1.
std::vector<twin> four_twins(backend& gpu, std::size_t n, std::uint64_t seed) {
  std::vector<twin> nodes;
  for (std::size_t i = 0; i < 4; ++i) nodes.emplace_back(gpu, i, random_floats(n, seed + i), 1.0);
  return nodes;
}

TEST_CASE("device mass space matches the host space bit for bit", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto gpu = cuda_or_fail();
  const std::size_t n = 100003;
  auto nodes = four_twins(*gpu, n, 20);
  auto exchange = [&](std::size_t from, const std::vector<std::size_t>& to, bool bf16,
                      bool deliver) {
    auto dm = nodes[from].device.push(to, bf16);
    auto hm = nodes[from].host.push(to, bf16);
    REQUIRE(dm.size() == hm.size());
    for (std::size_t k = 0; k < dm.size(); ++k) {
      CHECK(dm[k].mass->to_host() == hm[k].mass->to_host());
      if (!deliver) continue;
      CHECK(nodes[dm[k].to].device.apply(dm[k]) == core::apply_outcome::applied);
      CHECK(nodes[hm[k].to].host.apply(hm[k]) == core::apply_outcome::applied);
    }
  };
  exchange(0, {1}, false, true);
  exchange(1, {0, 2, 3}, false, true);
  exchange(2, {3}, true, false);  // lost: the next message on the edge recovers it
  exchange(2, {3}, true, true);
  exchange(3, {0, 1, 2}, true, true);
  exchange(0, {1}, false, true);
  // A step (delta in device memory) and z = x / w.
  const auto delta = random_floats(n, 99, 0.01f);
  auto d_gpu = put(*gpu, delta);
  auto z_gpu = gpu->allocate(n);
  for (auto& node : nodes) {
    node.device.space().add_scaled({d_gpu.data(), n}, 0.75f);
    node.host.space().add_scaled(delta, 0.75f);
    CHECK(node.device.w() == node.host.w());
    CHECK(node.device.x() == node.host.x());
    node.device.space().debias(node.device.w(), {z_gpu.data(), n});
    std::vector<float> z_host(n);
    node.host.space().debias(node.host.w(), z_host);
    CHECK(fetch(*gpu, z_gpu) == z_host);
  }
}

TEST_CASE("device step_and_send matches the host space bit for bit", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto gpu = cuda_or_fail();
  const std::size_t n = 100003;
  auto nodes = four_twins(*gpu, n, 40);
  const auto delta = random_floats(n, 98, 0.01f);
  auto d_gpu = put(*gpu, delta);
  // A step fused into each push, for 0, 1 and 3 peers, fp32 and bf16 shares,
  // first and later messages on an edge.
  auto exchange = [&](std::size_t from, const std::vector<std::size_t>& to, bool bf16) {
    const core::running_sums::step on_device{{d_gpu.data(), n}, 0.5f};
    const core::running_sums::step on_host{delta, 0.5f};
    auto dm = nodes[from].device.push(to, bf16, &on_device);
    auto hm = nodes[from].host.push(to, bf16, &on_host);
    REQUIRE(dm.size() == hm.size());
    CHECK(nodes[from].device.x() == nodes[from].host.x());
    for (std::size_t k = 0; k < dm.size(); ++k) {
      CHECK(dm[k].mass->to_host() == hm[k].mass->to_host());
      CHECK(nodes[dm[k].to].device.apply(dm[k]) == core::apply_outcome::applied);
      CHECK(nodes[hm[k].to].host.apply(hm[k]) == core::apply_outcome::applied);
    }
  };
  exchange(0, {}, false);
  exchange(0, {1}, false);
  exchange(1, {0, 2, 3}, false);
  exchange(0, {1}, false);
  exchange(2, {3}, true);
  exchange(3, {0, 1, 2}, true);
  for (auto& node : nodes) {
    CHECK(node.device.w() == node.host.w());
    CHECK(node.device.x() == node.host.x());
  }
}

TEST_CASE("device mass space conserves mass across nodes and refuses foreign blocks", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto gpu = cuda_or_fail();
  const std::size_t n = 4099;
  std::vector<core::running_sums> nodes;
  std::vector<double> total(n, 0.0);
  for (std::size_t i = 0; i < 12; ++i) {
    const auto x = random_floats(n, 40 + i);
    for (std::size_t c = 0; c < n; ++c) total[c] += x[c];
    nodes.emplace_back(i, gpu->make_mass_space(x), 1.0);
  }
  // Node 0 pushes to 11 peers at once (two passes of the send kernel), with
  // a step fused into the first pass: it must count once, not twice or not
  // at all (about 0.005 per element, far above the bound below). Then every node
  // pushes to its successor, every third message lost.
  const auto delta = random_floats(n, 77, 0.01f);
  auto d_gpu = put(*gpu, delta);
  const core::running_sums::step first{{d_gpu.data(), n}, 0.5f};
  for (std::size_t c = 0; c < n; ++c) total[c] += static_cast<double>(0.5f * delta[c]);
  std::vector<std::size_t> all;
  for (std::size_t i = 1; i < 12; ++i) all.push_back(i);
  for (auto& m : nodes[0].push(all, false, &first)) {
    CHECK(nodes[m.to].apply(m) == core::apply_outcome::applied);
  }
  int sent = 0;
  for (int round = 0; round < 20; ++round) {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const std::size_t to[] = {(i + 1) % nodes.size()};
      for (auto& m : nodes[i].push(to)) {
        if (++sent % 3 != 0) (void)nodes[m.to].apply(m);
      }
    }
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::size_t to = (i + 1) % nodes.size();
    CHECK(nodes[to].apply(nodes[i].resend(to)) == core::apply_outcome::applied);
  }
  std::vector<double> now(n, 0.0);
  double w = 0.0;
  for (const auto& node : nodes) {
    const auto x = node.x();
    for (std::size_t c = 0; c < n; ++c) now[c] += x[c];
    w += node.w();
  }
  double worst = 0.0;
  for (std::size_t c = 0; c < n; ++c) worst = std::max(worst, std::abs(now[c] - total[c]));
  CHECK(worst < 1e-4);  // float x at 12 nodes, |x| ~ 1
  CHECK(std::abs(w - 12.0) < 1e-12);

  // A host block of the wrong size is refused, nothing added.
  core::running_sums small(1, std::vector<float>(n - 1, 1.0f));
  const std::size_t to_zero[] = {0};
  const auto wrong = small.push(to_zero);
  const auto before = nodes[0].x();
  CHECK(nodes[0].apply(wrong[0]) == core::apply_outcome::malformed);
  CHECK(nodes[0].x() == before);
}

TEST_CASE("a host block (a push from another process) is applied as the host space does", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto gpu = cuda_or_fail();
  const std::size_t n = 50021;
  core::running_sums sender(1, random_floats(n, 5), 1.0);
  twin receiver(*gpu, 0, random_floats(n, 6), 1.0);
  const std::size_t to_zero[] = {0};
  for (int round = 0; round < 3; ++round) {
    const auto m = sender.push(to_zero);
    REQUIRE(dynamic_cast<const core::host_mass*>(m[0].mass.get()) != nullptr);
    CHECK(receiver.device.apply(m[0]) == core::apply_outcome::applied);
    CHECK(receiver.host.apply(m[0]) == core::apply_outcome::applied);
  }
  CHECK(receiver.device.x() == receiver.host.x());
  CHECK(receiver.device.w() == receiver.host.w());
}

TEST_CASE("a pinned host block is uploaded before apply returns, and pins are undone", "[gpu]") {
  // The bridge forwards pushes from another process in pinned blocks of a
  // pool (core/host_pinning.hpp): the upload is then a DMA that returns at
  // once, and the block goes back to the pool as soon as the worker lets
  // it go. Overwriting it right after apply must not change what arrived.
  SGP_SKIP_WITHOUT_GPU();
  auto gpu = cuda_or_fail();
  const std::size_t n = 1u << 22;  // 32 MiB of doubles: a copy that takes a while
  const auto pinning = cuda_host_pinning();
  const auto x0 = random_floats(n, 7);
  auto device = gpu->make_mass_space(x0);
  core::host_mass_space<float> host(x0);
  auto pool = std::make_shared<core::host_block_pool>(1, pinning);
  const double* address = nullptr;
  for (int round = 0; round < 2; ++round) {
    auto block = std::make_shared<core::host_mass>(pool, n);
    if (round == 1) CHECK(block->data() == address);  // the pool's buffer again
    address = block->data();
    unsigned int flags = 0;
    CHECK(cudaHostGetFlags(&flags, block->data()) == cudaSuccess);  // registered
    const auto v = random_floats(n, 8 + round, 0.5f);
    for (std::size_t i = 0; i < n; ++i) block->data()[i] = v[i];
    const core::shared_mass in = block;
    const auto kept_device = device->apply(in, nullptr);
    const auto kept_host = host.apply(in, nullptr);
    REQUIRE(kept_device != nullptr);
    REQUIRE(kept_host != nullptr);
    for (std::size_t i = 0; i < n; ++i) block->data()[i] = 1e30;  // the bridge's next push
    CHECK(device->x_host() == host.x_host());
  }
  // A second buffer exceeds the pool's bound of one: freed (unpinned first).
  {
    auto a = std::make_shared<core::host_mass>(pool, n);
    auto b = std::make_shared<core::host_mass>(pool, n);
    unsigned int flags = 0;
    CHECK(cudaHostGetFlags(&flags, a->data()) == cudaSuccess);
    CHECK(cudaHostGetFlags(&flags, b->data()) == cudaSuccess);
  }
  CHECK(pool->cached() == 1);
}

TEST_CASE("cuda sgd_delta matches the CPU backend", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto gpu = cuda_or_fail();
  auto cpu = cpu::make_cpu_backend(1);
  const std::size_t n = 50021;
  const std::size_t decayed = 30011;
  for (const bool nesterov : {true, false}) {
    const sgd_options opt{0.9f, nesterov, 5e-4f};
    const auto x = random_floats(n, 1);
    const auto m = random_floats(n, 2, 0.1f);
    const auto g = random_floats(n, 3, 0.01f);
    buffer gx = put(*gpu, x), gm = put(*gpu, m), gg = put(*gpu, g), gd = gpu->allocate(n);
    buffer cx = put(*cpu, x), cm = put(*cpu, m), cg = put(*cpu, g), cd = cpu->allocate(n);
    gpu->sgd_delta(opt, 0.05f, decayed, gx, gg, gm, gd);
    cpu->sgd_delta(opt, 0.05f, decayed, cx, cg, cm, cd);
    CHECK(fetch(*gpu, gx) == x);
    CHECK(fetch(*gpu, gm) == fetch(*cpu, cm));
    CHECK(fetch(*gpu, gd) == fetch(*cpu, cd));
  }
}

TEST_CASE("nodes on two GPUs built while the other GPU is current push, step and de-bias",
          "[gpu]") {
  // The multi-GPU crash: a space built on a thread whose current device is
  // another GPU (an actor's thread) created its events there, and the first
  // step failed with "invalid resource handle" in cudaEventRecord.
  SGP_SKIP_WITHOUT_GPUS(2);
  const std::size_t n = 4099;
  auto gpu0 = cuda_or_fail(0);
  auto gpu1 = cuda_or_fail(1);
  const auto x0 = random_floats(n, 5);
  const auto x1 = random_floats(n, 6);
  SGP_CUDA_CHECK(cudaSetDevice(1));
  core::running_sums a(0, gpu0->make_mass_space(x0), 1.0);
  SGP_CUDA_CHECK(cudaSetDevice(0));
  core::running_sums b(1, gpu1->make_mass_space(x1), 1.0);
  core::running_sums ha(0, x0, 1.0);
  core::running_sums hb(1, x1, 1.0);
  const auto delta = random_floats(n, 7, 0.01f);
  auto d0 = put(*gpu0, delta);
  auto d1 = put(*gpu1, delta);
  auto z1 = gpu1->allocate(n);
  const std::vector<std::size_t> to0{0};
  const std::vector<std::size_t> to1{1};
  for (int round = 0; round < 3; ++round) {
    SGP_CUDA_CHECK(cudaSetDevice(round % 2));
    a.space().add_scaled({d0.data(), n}, 0.5f);
    b.space().add_scaled({d1.data(), n}, 0.5f);
    ha.space().add_scaled(delta, 0.5f);
    hb.space().add_scaled(delta, 0.5f);
    for (auto& m : a.push(to1, false)) CHECK(b.apply(m) == core::apply_outcome::applied);
    for (auto& m : ha.push(to1, false)) CHECK(hb.apply(m) == core::apply_outcome::applied);
    for (auto& m : b.push(to0, false)) CHECK(a.apply(m) == core::apply_outcome::applied);
    for (auto& m : hb.push(to0, false)) CHECK(ha.apply(m) == core::apply_outcome::applied);
    b.space().debias(b.w(), {z1.data(), n});
    std::vector<float> z_host(n);
    hb.space().debias(hb.w(), z_host);
    CHECK(fetch(*gpu1, z1) == z_host);
  }
  CHECK(a.x() == ha.x());
  CHECK(b.x() == hb.x());
  CHECK(a.w() + b.w() == 2.0);
}

TEST_CASE("a lost push's block is not reused while the next push still reads it", "[gpu]") {
  // Under loss nobody but the sender holds an edge's last block, and the
  // sender drops it as soon as the next push is queued. Its free used to wait
  // only for its write, so with the next push queued behind a busy compute
  // stream, another node's stream could reuse the memory first and the push
  // added the wrong old sums (GPU training diverged under 30 % loss).
  SGP_SKIP_WITHOUT_GPU();
  auto gpu = cuda_or_fail();
  const auto placement = cuda_placement_of(*gpu);
  REQUIRE(placement.has_value());
  const std::size_t n = std::size_t{8} << 20;
  const auto xa = random_floats(n, 61);
  const auto xb = random_floats(n, 62);
  const auto xc = random_floats(n, 63);
  core::running_sums a(0, gpu->make_mass_space(xa), 1.0);
  core::running_sums b(1, gpu->make_mass_space(xb), 1.0);
  core::running_sums c(2, gpu->make_mass_space(xc), 1.0);
  core::running_sums ha(0, xa, 1.0);
  core::running_sums hb(1, xb, 1.0);
  core::running_sums hc(2, xc, 1.0);
  const std::vector<std::size_t> to_b{1};
  (void)a.push(to_b, false);  // lost
  (void)ha.push(to_b, false);
  // Hold the compute stream for tens of milliseconds: a step's push waits
  // for it (the step's delta is written there).
  const std::size_t scratch_bytes = std::size_t{1} << 30;
  void* scratch = nullptr;
  SGP_CUDA_CHECK(cudaMalloc(&scratch, scratch_bytes));
  const auto compute = static_cast<cudaStream_t>(placement->stream);
  auto delta = put(*gpu, std::vector<float>(n, 0.0f));
  for (int i = 0; i < 100; ++i) {
    SGP_CUDA_CHECK(cudaMemsetAsync(scratch, i, scratch_bytes, compute));
  }
  const core::running_sums::step on_device{{delta.data(), n}, 1.0f};
  const std::vector<float> zero(n, 0.0f);
  const core::running_sums::step on_host{zero, 1.0f};
  auto dm = a.push(to_b, false, &on_device);  // drops the lost push's block
  auto hm = ha.push(to_b, false, &on_host);
  // Another node allocates and writes blocks of the same size meanwhile.
  const std::vector<std::size_t> to_a{0};
  std::vector<std::vector<core::push_message>> others;
  for (int i = 0; i < 4; ++i) {
    others.push_back(c.push(to_a, false));
    (void)hc.push(to_a, false);
  }
  REQUIRE(dm.size() == 1);
  CHECK(dm[0].mass->to_host() == hm[0].mass->to_host());
  CHECK(b.apply(dm[0]) == core::apply_outcome::applied);
  CHECK(hb.apply(hm[0]) == core::apply_outcome::applied);
  CHECK(b.x() == hb.x());
  CHECK(a.x() == ha.x());
  SGP_CUDA_CHECK(cudaFree(scratch));
}

}  // namespace
}  // namespace sgp::gpu::cuda
