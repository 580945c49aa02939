// Softmax cross-entropy on plain logits {n, classes}: the loss of every
// model, computed with our own loop (numerically stable log-sum-exp).
#pragma once

#include <cstdint>
#include <span>

#include "gpu/backend.hpp"

namespace sgp::gpu::cpu {

/// Mean cross-entropy of `logits` (n rows of `classes`) against `labels`
/// (n entries in [0, classes)). When `grad` is non-empty (n * classes
/// floats) it receives d(mean loss)/d(logits) = (softmax - onehot) / n.
double softmax_xent(std::span<const float> logits, std::span<const std::int32_t> labels,
                    int classes, std::span<float> grad);

/// Sum of per-sample cross-entropy and the number of rows whose argmax (the
/// first one on ties) equals the label.
eval_counts softmax_xent_eval(std::span<const float> logits, std::span<const std::int32_t> labels,
                              int classes);

}  // namespace sgp::gpu::cpu
