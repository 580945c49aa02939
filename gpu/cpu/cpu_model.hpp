// A model on the CPU backend: a network plus softmax cross-entropy, behind
// the backend-neutral gpu::model interface.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gpu/backend.hpp"
#include "gpu/cpu/network.hpp"

namespace sgp::gpu::cpu {

/// gpu::model on oneDNN.
class cpu_model : public model {
 public:
  /// `threads` > 0 is set as the OpenMP thread count on every call, since
  /// the count is per calling thread and primitives are tuned for it.
  cpu_model(std::string name, std::unique_ptr<network> net, int classes, int max_batch,
            int threads);

  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] const param_layout& layout() const override { return net_->layout(); }
  [[nodiscard]] sample_shape input_shape() const override { return net_->input_shape(); }
  [[nodiscard]] int classes() const override { return classes_; }
  [[nodiscard]] int max_batch() const override { return max_batch_; }

  /// Also resets the running statistics (mean 0, variance 1).
  void initialize(buffer& params, std::uint64_t seed) override;
  float forward_backward(const buffer& params, const host_batch& batch, buffer& grads) override;
  eval_counts evaluate(const buffer& params, const host_batch& batch) override;
  std::span<float> running_stats() override { return net_->state(); }

 private:
  void check_batch(const buffer& params, const host_batch& batch) const;

  std::string name_;
  std::unique_ptr<network> net_;
  int classes_;
  int max_batch_;
  int threads_;
  std::vector<float> d_logits_;
};

}  // namespace sgp::gpu::cpu
