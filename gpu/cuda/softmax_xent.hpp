// Softmax cross-entropy on device logits: one kernel computes the loss, the
// gradient of the mean loss and the accuracy counts of a whole batch.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace sgp::gpu::cuda {

/// What the kernel writes (device memory; copy it back to read it).
struct xent_totals {
  double loss_sum;    ///< sum over samples of -log softmax(logits)[label]
  long long correct;  ///< samples whose arg-max logit is the label
};

/// Rows are samples ({n, classes} row-major). Writes `totals`; when `grad` is
/// not null also writes d(mean loss)/d(logits) = (softmax - onehot) / n.
/// Sums are reduced in a fixed order (deterministic). Labels must lie in
/// [0, classes).
void launch_softmax_xent(const float* logits, const std::int32_t* labels, int n, int classes,
                         float* grad, xent_totals* totals, cudaStream_t stream);

}  // namespace sgp::gpu::cuda
