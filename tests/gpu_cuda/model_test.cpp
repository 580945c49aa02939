// mlp, cnn and cnn-bn on the CUDA backend against the CPU backend from the
// same seed and batches: layout, initial weights, loss, gradients, batch-norm
// statistics, evaluation, and several SGD steps (eager and graph replay).
#include <memory>
#include <string>

#include "core/flat_ops.hpp"
#include "gpu/cpu/cpu_backend.hpp"
#include "tests/gpu_cuda/gpu_test_support.hpp"

namespace sgp::gpu::cuda {
namespace {

using testing::relative_max_diff;

constexpr int classes = 10;
constexpr int max_batch = 32;
const sample_shape shape{1, 28, 28};

// fp32 tolerances: loss relative, gradients per segment relative to the
// segment's largest CPU gradient (cuDNN and oneDNN sum in different orders).
constexpr double loss_tolerance = 1e-4;
constexpr double grad_tolerance = 1e-3;
constexpr double param_tolerance = 1e-4;

struct replica {
  std::unique_ptr<backend> be;
  std::unique_ptr<model> m;
  buffer params, grads, momentum;

  replica(std::unique_ptr<backend> b, const std::string& name) : be(std::move(b)) {
    auto made = be->make_model(name, shape, classes, max_batch);
    REQUIRE(made.ok());
    m = std::move(made).value();
    params = be->allocate(m->layout().total);
    grads = be->allocate(m->layout().total);
    momentum = be->allocate(m->layout().total);
    m->initialize(params, 1234);
  }

  std::vector<float> host(const buffer& b) {
    std::vector<float> v(b.size());
    be->download(b, v);
    return v;
  }
};

struct batch_data {
  std::vector<float> images;
  std::vector<std::int32_t> labels;
  host_batch view() const {
    return {images.data(), labels.data(), static_cast<int>(labels.size())};
  }
};

batch_data make_batch(int n, std::uint64_t seed) {
  return {testing::random_floats(static_cast<std::size_t>(n) * shape.elements(), seed),
          testing::random_labels(static_cast<std::size_t>(n), classes, seed + 1)};
}

void check_grads(const param_layout& layout, const std::vector<float>& got,
                 const std::vector<float>& want) {
  for (const auto& seg : layout.segments) {
    const std::span<const float> g(got.data() + seg.offset, seg.size);
    const std::span<const float> w(want.data() + seg.offset, seg.size);
    INFO("segment " << seg.name);
    CHECK(relative_max_diff(g, w, 1e-3) <= grad_tolerance);
  }
}

void check_stats(model& a, model& b) {
  const auto sa = a.running_stats();
  const auto sb = b.running_stats();
  REQUIRE(sa.size() == sb.size());
  if (!sa.empty()) CHECK(relative_max_diff(sa, sb) <= 1e-4);
}

TEST_CASE("cuda models match the CPU backend", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  for (const std::string name : {"mlp", "cnn", "cnn-bn"}) {
    INFO("model " << name);
    auto cuda_be = make_cuda_backend(0);
    REQUIRE(cuda_be.ok());
    replica gpu(std::move(cuda_be).value(), name);
    replica cpu(cpu::make_cpu_backend(0), name);

    // Same layout, same initial weights bit for bit.
    const auto& gl = gpu.m->layout();
    const auto& cl = cpu.m->layout();
    REQUIRE(gl.total == cl.total);
    REQUIRE(gl.decayed == cl.decayed);
    REQUIRE(gl.segments.size() == cl.segments.size());
    for (std::size_t i = 0; i < gl.segments.size(); ++i) {
      CHECK(gl.segments[i].name == cl.segments[i].name);
      CHECK(gl.segments[i].offset == cl.segments[i].offset);
      CHECK(gl.segments[i].size == cl.segments[i].size);
      CHECK(gl.segments[i].fan_in == cl.segments[i].fan_in);
      CHECK(gl.segments[i].kind == cl.segments[i].kind);
    }
    CHECK(gpu.host(gpu.params) == cpu.host(cpu.params));
    CHECK(gpu.m->running_stats().size() == cpu.m->running_stats().size());

    // Training steps: full batches (the second and later replay a graph),
    // then a partial batch, each followed by the same SGD step.
    const sgd_options opt{0.9f, true, 1e-4f};
    for (int step = 0; step < 5; ++step) {
      INFO("step " << step);
      const int n = step < 4 ? max_batch : 17;
      const batch_data data = make_batch(n, 100 + step);
      const float gl_loss = gpu.m->forward_backward(gpu.params, data.view(), gpu.grads);
      const float cl_loss = cpu.m->forward_backward(cpu.params, data.view(), cpu.grads);
      CHECK(gl_loss == Approx(cl_loss).epsilon(loss_tolerance));
      check_grads(gl, gpu.host(gpu.grads), cpu.host(cpu.grads));
      check_stats(*gpu.m, *cpu.m);
      gpu.be->sgd_step(opt, 0.05f, gl.decayed, gpu.params, gpu.grads, gpu.momentum);
      cpu.be->sgd_step(opt, 0.05f, cl.decayed, cpu.params, cpu.grads, cpu.momentum);
      CHECK(relative_max_diff(gpu.host(gpu.params), cpu.host(cpu.params)) <= param_tolerance);
    }

    // Evaluation (batch norm on running statistics), full and partial.
    for (const int n : {max_batch, 9}) {
      const batch_data data = make_batch(n, 900 + n);
      const eval_counts ge = gpu.m->evaluate(gpu.params, data.view());
      const eval_counts ce = cpu.m->evaluate(cpu.params, data.view());
      CHECK(ge.samples == n);
      CHECK(ge.loss_sum == Approx(ce.loss_sum).epsilon(loss_tolerance));
      CHECK(std::abs(ge.correct - ce.correct) <= 1);
    }
  }
}

TEST_CASE("cuda training step follows new parameter and gradient buffers", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto cuda_be = make_cuda_backend(0);
  REQUIRE(cuda_be.ok());
  replica gpu(std::move(cuda_be).value(), "cnn-bn");
  const batch_data data = make_batch(max_batch, 7);
  // Warm the graph with one buffer pair, then switch both: the step must be
  // recaptured and use the new buffers (same values, so the same result).
  (void)gpu.m->forward_backward(gpu.params, data.view(), gpu.grads);
  const auto stats =
      std::vector<float>(gpu.m->running_stats().begin(), gpu.m->running_stats().end());
  const float first = gpu.m->forward_backward(gpu.params, data.view(), gpu.grads);
  const auto first_grads = gpu.host(gpu.grads);

  buffer params2 = gpu.be->allocate(gpu.params.size());
  buffer grads2 = gpu.be->allocate(gpu.grads.size());
  gpu.be->upload(gpu.host(gpu.params), params2);
  // Restore the statistics through the host mirror (as a checkpoint would).
  std::copy(stats.begin(), stats.end(), gpu.m->running_stats().begin());
  const float second = gpu.m->forward_backward(params2, data.view(), grads2);
  // Some cuDNN backward algorithms sum with atomics: equal up to rounding.
  CHECK(second == Approx(first).epsilon(1e-6));
  CHECK(relative_max_diff(gpu.host(grads2), first_grads) <= 1e-5);
}

}  // namespace
}  // namespace sgp::gpu::cuda

namespace sgp::gpu::cuda {
namespace {

TEST_CASE("a prefetched batch trains like the same batch uploaded in the step", "[gpu]") {
  SGP_SKIP_WITHOUT_GPU();
  auto make = [] {
    auto b = make_cuda_backend(0);
    REQUIRE(b.ok());
    return replica(std::move(b).value(), "cnn-bn");
  };
  // Two instances may pick different cuDNN algorithms (cudnnFind times
  // them), so results agree to rounding, not bit for bit. A wrong or stale
  // batch would be off by orders of magnitude more.
  replica plain = make();
  replica fetched = make();
  auto compare = [&](float a, float b) {
    CHECK(std::abs(a - b) <= 1e-5f * std::abs(a));
    const auto ga = plain.host(plain.grads);
    const auto gb = fetched.host(fetched.grads);
    CHECK(relative_max_diff(gb, ga) <= 1e-4);
  };
  // Two host buffers, as the compute engine alternates them; the batch of
  // step k+1 is announced before step k runs.
  std::vector<batch_data> batches;
  for (int k = 0; k < 5; ++k) batches.push_back(make_batch(max_batch, 70 + 2 * k));
  batch_data slots[2] = {batches[0], batches[1]};
  fetched.m->prefetch(slots[0].view());
  for (int k = 0; k < 5; ++k) {
    const batch_data& now = slots[k % 2];
    if (k + 1 < 5) {
      // Same sizes: the assignment keeps the slot's memory (and pointer).
      slots[(k + 1) % 2] = batches[static_cast<std::size_t>(k + 1)];
      fetched.m->prefetch(slots[(k + 1) % 2].view());
    }
    INFO("step " << k);
    const float a = plain.m->forward_backward(plain.params, batches[k].view(), plain.grads);
    const float b = fetched.m->forward_backward(fetched.params, now.view(), fetched.grads);
    compare(a, b);
  }
  // A batch other than the prefetched one is uploaded in the step, not
  // swapped for the prefetched images.
  const auto other = make_batch(max_batch, 99);
  const auto announced = make_batch(max_batch, 98);
  fetched.m->prefetch(announced.view());
  const float a = plain.m->forward_backward(plain.params, other.view(), plain.grads);
  const float b = fetched.m->forward_backward(fetched.params, other.view(), fetched.grads);
  compare(a, b);
}

TEST_CASE("a step begun, then the next batch written and prefetched, ends like forward_backward",
          "[gpu]") {
  // The compute engine's order: begin step k, fill the other host slot with
  // batch k+1 and prefetch it while the device computes, end step k.
  SGP_SKIP_WITHOUT_GPU();
  auto make = [] {
    auto b = make_cuda_backend(0);
    REQUIRE(b.ok());
    return replica(std::move(b).value(), "cnn-bn");
  };
  replica plain = make();
  replica split = make();
  std::vector<batch_data> batches;
  for (int k = 0; k < 6; ++k) batches.push_back(make_batch(max_batch, 40 + k));
  batch_data slots[2] = {batches[0], batches[1]};
  for (int k = 0; k < 5; ++k) {
    INFO("step " << k);
    const float a = plain.m->forward_backward(plain.params, batches[k].view(), plain.grads);
    split.m->begin_forward_backward(split.params, slots[k % 2].view(), split.grads);
    slots[(k + 1) % 2] = batches[static_cast<std::size_t>(k + 1)];
    split.m->prefetch(slots[(k + 1) % 2].view());
    const float b = split.m->end_forward_backward();
    CHECK(std::abs(a - b) <= 1e-5f * std::abs(a));
    CHECK(relative_max_diff(split.host(split.grads), plain.host(plain.grads)) <= 1e-4);
  }
}

}  // namespace
}  // namespace sgp::gpu::cuda
