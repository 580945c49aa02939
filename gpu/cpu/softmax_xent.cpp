// softmax_xent: loss, gradient and accuracy counts over plain logits.
#include "gpu/cpu/softmax_xent.hpp"

#include <algorithm>
#include <cmath>

#include "core/assert.hpp"

namespace sgp::gpu::cpu {
namespace {

/// log(sum(exp(row))) in double, shifted by the row maximum.
double log_sum_exp(const float* row, int classes, float max) {
  double sum = 0.0;
  for (int k = 0; k < classes; ++k) sum += std::exp(static_cast<double>(row[k] - max));
  return static_cast<double>(max) + std::log(sum);
}

}  // namespace

double softmax_xent(std::span<const float> logits, std::span<const std::int32_t> labels,
                    int classes, std::span<float> grad) {
  const std::size_t n = labels.size();
  SGP_ASSERT(n > 0 && classes > 0);
  SGP_ASSERT(logits.size() == n * static_cast<std::size_t>(classes));
  SGP_ASSERT(grad.empty() || grad.size() == logits.size());
  double loss = 0.0;
  const double inv_n = 1.0 / static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = logits.data() + i * classes;
    const int label = labels[i];
    SGP_ASSERT(label >= 0 && label < classes);
    const float max = *std::max_element(row, row + classes);
    const double lse = log_sum_exp(row, classes, max);
    loss += lse - row[label];
    if (grad.empty()) continue;
    float* g = grad.data() + i * classes;
    for (int k = 0; k < classes; ++k) {
      const double p = std::exp(static_cast<double>(row[k]) - lse);
      g[k] = static_cast<float>((p - (k == label ? 1.0 : 0.0)) * inv_n);
    }
  }
  return loss * inv_n;
}

eval_counts softmax_xent_eval(std::span<const float> logits, std::span<const std::int32_t> labels,
                              int classes) {
  const std::size_t n = labels.size();
  SGP_ASSERT(classes > 0);
  SGP_ASSERT(logits.size() == n * static_cast<std::size_t>(classes));
  eval_counts counts;
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = logits.data() + i * classes;
    const int label = labels[i];
    SGP_ASSERT(label >= 0 && label < classes);
    const float* best = std::max_element(row, row + classes);
    counts.loss_sum += log_sum_exp(row, classes, *best) - row[label];
    if (best - row == label) ++counts.correct;
  }
  counts.samples = static_cast<std::int64_t>(n);
  return counts;
}

}  // namespace sgp::gpu::cpu
