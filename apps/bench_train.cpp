// bench_train: a node's training step in a loop (model forward_backward on a
// host batch, then the backend's SGD step), timed with a steady clock after
// warm-up. forward_backward synchronises (it returns the loss), so the wall
// time of the loop is the time of the steps; one last synchronising download
// closes the final SGD step.
//
// ResNets run on 3x224x224 images and 1000 classes with the synthetic
// batches kept in device memory on the CUDA backend (as the PyTorch
// reference keeps them): the host-to-device copy of the batch is excluded
// from the timing, and the model copies it device to device each step.
// The other models use 1x28x28 images, 10 classes, host batches.
#include "apps/bench_train.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "config/names.hpp"
#include "core/log.hpp"
#include "core/memory.hpp"
#include "core/rng.hpp"
#include "gpu/backend.hpp"
#include "gpu/backend_factory.hpp"

namespace sgp::apps {

namespace {

/// --model is a config model name (config/names.hpp).
bool is_resnet(const std::string& model) {
  const auto kind = config::from_name<config::model_kind>(model);
  return kind && config::is_resnet(*kind);
}

/// The backend's model name for a model and dtype: ResNets compute in bf16
/// as "resnetNN" and in fp32 as "resnetNN-fp32"; the others only in fp32.
std::string model_name(const bench_train_options& opt) {
  if (is_resnet(opt.model)) return opt.dtype == "bf16" ? opt.model : opt.model + "-fp32";
  return opt.model;
}

}  // namespace

int run_bench_train(const bench_train_options& opt) {
  const bool resnet = is_resnet(opt.model);
  if (opt.dtype != "fp32" && !(resnet && opt.dtype == "bf16")) {
    std::fprintf(stderr,
                 "sgp: error: bench train: --dtype %s is not implemented for --model %s (valid: "
                 "fp32; bf16 for resnet18, resnet50 on --backend cuda)\n",
                 opt.dtype.c_str(), opt.model.c_str());
    return 2;
  }
  if (opt.batch <= 0 || opt.steps <= 0 || opt.warmup < 0) {
    std::fprintf(stderr,
                 "sgp: error: bench train: --batch and --steps must be > 0, --warmup >= 0\n");
    return 2;
  }
  {
    // The distinct input batches and the model's own input buffer, at least.
    const gpu::sample_shape in = resnet ? gpu::sample_shape{3, 224, 224} : gpu::sample_shape{};
    const double need = (resnet ? 3.0 : 5.0) * opt.batch * static_cast<double>(in.elements()) * 4;
    if (auto st = core::check_memory(
            need, core::physical_memory_bytes(),
            "bench train: --batch " + std::to_string(opt.batch) + ": its input buffers");
        !st.ok()) {
      std::fprintf(stderr, "sgp: error: %s\n", st.err().message.c_str());
      return 2;
    }
  }
  auto backend = gpu::make_backend(opt.backend, 0);
  if (!backend.ok()) {
    std::fprintf(stderr, "sgp: error: bench train: --backend %s: %s\n", opt.backend.c_str(),
                 backend.err().message.c_str());
    return 1;
  }
  auto& be = *backend.value();
  const gpu::sample_shape shape = resnet ? gpu::sample_shape{3, 224, 224} : gpu::sample_shape{};
  const int classes = resnet ? 1000 : 10;
  auto made = be.make_model(model_name(opt), shape, classes, opt.batch);
  if (!made.ok()) {
    std::fprintf(stderr, "bench train: %s\n", made.err().message.c_str());
    return 1;
  }
  auto& model = *made.value();

  // Synthetic data: a few distinct batches, cycled, so the step sees new
  // host data each time as in training.
  const int distinct = resnet ? 2 : 4;
  core::rng gen(42);
  const std::size_t per_batch = static_cast<std::size_t>(opt.batch) * shape.elements();
  std::vector<float> images(per_batch * distinct);
  std::vector<std::int32_t> labels(static_cast<std::size_t>(opt.batch) * distinct);
  for (auto& v : images) v = static_cast<float>(gen.normal());
  for (auto& l : labels) l = static_cast<std::int32_t>(gen.below(classes));

  // Images on the device for ResNets on a GPU backend (see the top).
  const bool device_data = resnet && be.name() != "cpu";
  gpu::buffer device_images;
  if (device_data) {
    device_images = be.allocate(images.size());
    be.upload(images, device_images);
    core::log(core::log_level::info, "bench train",
              "batches in device memory (host-to-device copy excluded)");
  }
  const float* image_base = device_data ? device_images.data() : images.data();

  const std::size_t total = model.layout().total;
  gpu::buffer params = be.allocate(total);
  gpu::buffer grads = be.allocate(total);
  gpu::buffer momentum = be.allocate(total);
  gpu::buffer probe = be.allocate(1);
  model.initialize(params, 1);
  const gpu::sgd_options sgd{};
  const float lr = 0.01f;
  float loss = 0.0f;
  auto step = [&](int i) {
    const int b = i % distinct;
    const gpu::host_batch batch{image_base + b * per_batch, labels.data() + b * opt.batch,
                                opt.batch};
    loss = model.forward_backward(params, batch, grads);
    be.sgd_step(sgd, lr, model.layout().decayed, params, grads, momentum);
  };
  float probe_host = 0.0f;
  for (int i = 0; i < opt.warmup; ++i) step(i);
  be.download(probe, {&probe_host, 1});
  gpu::profiled_region(true);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < opt.steps; ++i) step(i);
  be.download(probe, {&probe_host, 1});
  const auto stop = std::chrono::steady_clock::now();
  gpu::profiled_region(false);

  const double ms = std::chrono::duration<double, std::milli>(stop - start).count() / opt.steps;
  std::printf(
      "bench train: model=%s batch=%d dtype=%s backend=%s params=%zu steps=%d: "
      "%.4f ms/step, %.0f samples/s (last loss %.4f)\n",
      opt.model.c_str(), opt.batch, opt.dtype.c_str(), be.name().c_str(), total, opt.steps, ms,
      opt.batch * 1000.0 / ms, static_cast<double>(loss));
  return 0;
}

}  // namespace sgp::apps
