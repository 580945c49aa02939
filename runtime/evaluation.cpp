// Implementation of the test-set evaluation (see evaluation.hpp).
#include "runtime/evaluation.hpp"

#include <algorithm>
#include <cstdint>

namespace sgp::runtime {

test_score evaluate(gpu::model& model, const gpu::buffer& params, const data::dataset& test) {
  gpu::eval_counts total;
  const std::size_t per_sample = test.sample_elements();
  const auto batch = static_cast<std::size_t>(model.max_batch());
  for (std::size_t first = 0; first < test.size(); first += batch) {
    const std::size_t n = std::min(batch, test.size() - first);
    const auto c = model.evaluate(params, {test.images.data() + first * per_sample,
                                           test.labels.data() + first, static_cast<int>(n)});
    total.loss_sum += c.loss_sum;
    total.correct += c.correct;
    total.samples += c.samples;
  }
  const double samples = static_cast<double>(std::max<std::int64_t>(total.samples, 1));
  return {static_cast<double>(total.correct) / samples, total.loss_sum / samples};
}

}  // namespace sgp::runtime
