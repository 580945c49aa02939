// cuda_model: initialisation, the training step (eager or graph replay) and
// evaluation of one replica.
#include "gpu/cuda/cuda_model.hpp"

#include <cstring>
#include <utility>
#include <vector>

#include "core/assert.hpp"
#include "gpu/param_init.hpp"

namespace sgp::gpu::cuda {
namespace {

/// Whether `p` points to device memory: a batch the caller already put on
/// the GPU (benchmarks with synthetic data, as PyTorch's reference does).
bool on_device(const void* p) {
  cudaPointerAttributes a{};
  if (cudaPointerGetAttributes(&a, p) != cudaSuccess) {
    (void)cudaGetLastError();  // not a CUDA pointer: plain host memory
    return false;
  }
  return a.type == cudaMemoryTypeDevice || a.type == cudaMemoryTypeManaged;
}

}  // namespace

cuda_model::cuda_model(std::string name, std::shared_ptr<device_context> dc,
                       std::unique_ptr<network> net, int classes, int max_batch, bool use_graphs)
    : name_(std::move(name)),
      dc_(std::move(dc)),
      net_(std::move(net)),
      classes_(classes),
      max_batch_(max_batch),
      use_graphs_(use_graphs),
      images_host_(static_cast<std::size_t>(max_batch) * net_->input_shape().elements()),
      labels_host_(static_cast<std::size_t>(max_batch)),
      totals_host_(1),
      state_host_(net_->state_size()),
      images_(images_host_.size()),
      labels_(labels_host_.size()),
      d_logits_(static_cast<std::size_t>(max_batch) * classes),
      totals_(1),
      prefetcher_(images_host_.size()) {
  SGP_ASSERT(max_batch_ > 0);
  SGP_ASSERT(net_->output_features() == static_cast<std::size_t>(classes_));
  net_->initial_state(state_host_.span());
}

void cuda_model::initialize(buffer& params, std::uint64_t seed) {
  SGP_ASSERT(params.size() == layout().total);
  const device_guard guard(dc_->device());
  std::vector<float> host(params.size());
  initialize_params(layout(), host, seed);
  net_->adjust_initial_params(host);
  SGP_CUDA_CHECK(cudaMemcpyAsync(params.data(), host.data(), host.size() * sizeof(float),
                                 cudaMemcpyHostToDevice, dc_->stream()));
  net_->initial_state(state_host_.span());
  // `host` is pageable and dies here.
  dc_->synchronize();
}

void cuda_model::check_batch(const buffer& params, const host_batch& batch) const {
  SGP_ASSERT(params.size() == layout().total);
  SGP_ASSERT(batch.size > 0 && batch.size <= max_batch_);
  SGP_ASSERT(batch.images != nullptr && batch.labels != nullptr);
}

bool cuda_model::stage(const host_batch& batch) {
  const auto n = static_cast<std::size_t>(batch.size);
  const std::size_t image_bytes = n * input_shape().elements() * sizeof(float);
  std::memcpy(labels_host_.data(), batch.labels, n * sizeof(std::int32_t));
  if (on_device(batch.images)) {
    // Device to device on the stream, ahead of the step (outside its graph,
    // whose captured copies have fixed addresses).
    SGP_CUDA_CHECK(cudaMemcpyAsync(images_.data(), batch.images, image_bytes,
                                   cudaMemcpyDeviceToDevice, dc_->stream()));
    return true;
  }
  std::memcpy(images_host_.data(), batch.images, image_bytes);
  return false;
}

void cuda_model::enqueue_inputs(int n, bool images_on_device) {
  const cudaStream_t s = dc_->stream();
  const auto count = static_cast<std::size_t>(n);
  if (!images_on_device) {
    SGP_CUDA_CHECK(cudaMemcpyAsync(images_.data(), images_host_.data(),
                                   count * input_shape().elements() * sizeof(float),
                                   cudaMemcpyHostToDevice, s));
  }
  SGP_CUDA_CHECK(cudaMemcpyAsync(labels_.data(), labels_host_.data(), count * sizeof(std::int32_t),
                                 cudaMemcpyHostToDevice, s));
  if (state_host_.size() > 0) {
    SGP_CUDA_CHECK(cudaMemcpyAsync(net_->device_state(), state_host_.data(), state_host_.bytes(),
                                   cudaMemcpyHostToDevice, s));
  }
}

void cuda_model::enqueue_training_step(const float* params, float* grads, int n,
                                       bool images_on_device) {
  const cudaStream_t s = dc_->stream();
  enqueue_inputs(n, images_on_device);
  const float* logits = net_->forward(*dc_, params, images_.data(), n, true);
  launch_softmax_xent(logits, labels_.data(), n, classes_, d_logits_.data(), totals_.data(), s);
  net_->backward(*dc_, params, d_logits_.data(), grads);
  SGP_CUDA_CHECK(cudaMemcpyAsync(totals_host_.data(), totals_.data(), sizeof(xent_totals),
                                 cudaMemcpyDeviceToHost, s));
  if (state_host_.size() > 0) {
    SGP_CUDA_CHECK(cudaMemcpyAsync(state_host_.data(), net_->device_state(), state_host_.bytes(),
                                   cudaMemcpyDeviceToHost, s));
  }
}

float cuda_model::forward_backward(const buffer& params, const host_batch& batch, buffer& grads) {
  begin_forward_backward(params, batch, grads);
  return end_forward_backward();
}

void cuda_model::begin_forward_backward(const buffer& params, const host_batch& batch,
                                        buffer& grads) {
  SGP_ASSERT(pending_batch_ == 0);
  check_batch(params, batch);
  SGP_ASSERT(grads.size() == layout().total);
  const device_guard guard(dc_->device());
  const int n = batch.size;
  // A prefetched batch is already (or soon) on the device: copied from
  // there like a device batch.
  host_batch source = batch;
  const std::size_t count = static_cast<std::size_t>(n) * input_shape().elements();
  if (const float* ready = prefetcher_.take(batch.images, count, dc_->stream())) {
    source.images = ready;
  }
  const bool device_images = stage(source);
  prefetcher_.release(dc_->stream());
  step_graph& g = graphs_[{n, device_images}];
  if (use_graphs_ && g.warm) {
    if (g.exec.empty() || g.params != params.data() || g.grads != grads.data()) {
      g.exec = graph_exec::capture(dc_->stream(), [&] {
        enqueue_training_step(params.data(), grads.data(), n, device_images);
      });
      g.params = params.data();
      g.grads = grads.data();
    }
    g.exec.launch(dc_->stream());
  } else {
    enqueue_training_step(params.data(), grads.data(), n, device_images);
    g.warm = true;
  }
  pending_batch_ = n;
}

float cuda_model::end_forward_backward() {
  SGP_ASSERT(pending_batch_ > 0);
  const device_guard guard(dc_->device());
  // The loss is returned by value, and the staging buffers are reused by
  // the next call: this is the step's one host synchronisation.
  dc_->synchronize();
  const int n = std::exchange(pending_batch_, 0);
  return static_cast<float>(totals_host_.data()->loss_sum / n);
}

void cuda_model::prefetch(const host_batch& batch) {
  if (batch.size <= 0 || batch.size > max_batch_ || batch.images == nullptr) return;
  if (on_device(batch.images)) return;  // nothing to upload
  const device_guard guard(dc_->device());
  prefetcher_.start(batch.images, static_cast<std::size_t>(batch.size) * input_shape().elements());
}

eval_counts cuda_model::evaluate(const buffer& params, const host_batch& batch) {
  check_batch(params, batch);
  const device_guard guard(dc_->device());
  const int n = batch.size;
  const cudaStream_t s = dc_->stream();
  enqueue_inputs(n, stage(batch));
  const float* logits = net_->forward(*dc_, params.data(), images_.data(), n, false);
  launch_softmax_xent(logits, labels_.data(), n, classes_, nullptr, totals_.data(), s);
  SGP_CUDA_CHECK(cudaMemcpyAsync(totals_host_.data(), totals_.data(), sizeof(xent_totals),
                                 cudaMemcpyDeviceToHost, s));
  // Counts are returned by value.
  dc_->synchronize();
  const xent_totals& t = *totals_host_.data();
  return eval_counts{t.loss_sum, static_cast<std::int64_t>(t.correct), n};
}

}  // namespace sgp::gpu::cuda
