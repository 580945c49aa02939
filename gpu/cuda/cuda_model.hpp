// A model on the CUDA backend: a network plus softmax cross-entropy behind
// gpu::model. Host batches go through pinned staging buffers and are copied
// asynchronously on the node's stream (a batch whose images already sit in
// device memory is copied device to device instead); a batch announced with
// prefetch() is uploaded on a copy stream while the previous step computes.
// A training step at a fixed batch size and fixed parameter/gradient
// buffers is replayed as one CUDA graph.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "gpu/backend.hpp"
#include "gpu/cuda/batch_prefetcher.hpp"
#include "gpu/cuda/device_context.hpp"
#include "gpu/cuda/device_memory.hpp"
#include "gpu/cuda/graph.hpp"
#include "gpu/cuda/network.hpp"
#include "gpu/cuda/softmax_xent.hpp"

namespace sgp::gpu::cuda {

/// gpu::model on cuDNN and cuBLAS.
///
/// running_stats() is a pinned host mirror of the batch-norm statistics and
/// is the authoritative copy between calls: every forward_backward and
/// evaluate uploads it before computing (so a caller may overwrite it, e.g.
/// when restoring a checkpoint), and forward_backward writes the updated
/// statistics back into it before returning.
class cuda_model : public model {
 public:
  /// `use_graphs`: replay training steps as CUDA graphs (from the second
  /// step of a batch size on; the first runs eagerly to build plans).
  cuda_model(std::string name, std::shared_ptr<device_context> dc, std::unique_ptr<network> net,
             int classes, int max_batch, bool use_graphs);

  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] const param_layout& layout() const override { return net_->layout(); }
  [[nodiscard]] sample_shape input_shape() const override { return net_->input_shape(); }
  [[nodiscard]] int classes() const override { return classes_; }
  [[nodiscard]] int max_batch() const override { return max_batch_; }

  void initialize(buffer& params, std::uint64_t seed) override;
  float forward_backward(const buffer& params, const host_batch& batch, buffer& grads) override;
  void begin_forward_backward(const buffer& params, const host_batch& batch,
                              buffer& grads) override;
  float end_forward_backward() override;
  void prefetch(const host_batch& batch) override;
  eval_counts evaluate(const buffer& params, const host_batch& batch) override;
  std::span<float> running_stats() override { return state_host_.span(); }

 private:
  /// The captured training step of one batch size.
  struct step_graph {
    bool warm = false;  ///< ran eagerly once (plans built, modules loaded)
    const float* params = nullptr;
    float* grads = nullptr;
    graph_exec exec;
  };

  void check_batch(const buffer& params, const host_batch& batch) const;
  /// Copies the batch into the pinned staging buffers (host memcpy), or,
  /// for images in device memory, queues their device-to-device copy and
  /// stages only the labels. Returns whether the images were on the device.
  bool stage(const host_batch& batch);
  /// Queues uploads of the staged batch (images unless already on the
  /// device) and of the BN statistics.
  void enqueue_inputs(int n, bool images_on_device);
  /// Queues one whole training step (inputs, forward, loss, backward,
  /// totals and statistics back to pinned memory).
  void enqueue_training_step(const float* params, float* grads, int n, bool images_on_device);

  std::string name_;
  std::shared_ptr<device_context> dc_;
  std::unique_ptr<network> net_;
  int classes_;
  int max_batch_;
  bool use_graphs_;
  pinned_array<float> images_host_;
  pinned_array<std::int32_t> labels_host_;
  pinned_array<xent_totals> totals_host_;
  pinned_array<float> state_host_;
  device_array<float> images_;
  device_array<std::int32_t> labels_;
  device_array<float> d_logits_;
  device_array<xent_totals> totals_;
  /// By batch size and whether the images came from device memory.
  std::map<std::pair<int, bool>, step_graph> graphs_;
  batch_prefetcher prefetcher_;
  int pending_batch_ = 0;  ///< samples of the step begun and not ended; 0: none
};

}  // namespace sgp::gpu::cuda
