// Softmax cross-entropy: gradient against finite differences, values
// against a direct formula, and the accuracy count.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "gpu/cpu/softmax_xent.hpp"
#include "grad_check.hpp"

using namespace sgp::gpu;
using sgp::core::rng;

TEST_CASE("softmax cross-entropy gradient matches finite differences", "[gpu][cpu]") {
  rng gen(3);
  const int n = 4;
  const int classes = 5;
  std::vector<float> logits = test::uniform_vector(gen, n * classes, -3.0, 3.0);
  const std::vector<std::int32_t> labels{0, 4, 2, 2};
  std::vector<float> grad(logits.size());
  cpu::softmax_xent(logits, labels, classes, grad);

  auto loss = [&] { return cpu::softmax_xent(logits, labels, classes, {}); };
  test::grad_report report;
  test::check_gradient("logits", logits, grad, test::pick_indices(gen, logits.size(), 100), loss,
                       1e-2f, 1e-5, 1e-3, report);
  for (const auto& f : report.failures) UNSCOPED_INFO(f);
  CHECK(report.failures.empty());
  CHECK(report.checked == n * classes);

  // Each row of (softmax - onehot) / n sums to zero.
  for (int i = 0; i < n; ++i) {
    double row = 0.0;
    for (int k = 0; k < classes; ++k) row += grad[i * classes + k];
    CHECK(std::abs(row) < 1e-6);
  }
}

TEST_CASE("softmax cross-entropy value and accuracy count", "[gpu][cpu]") {
  // Row 0: uniform over 3 classes → loss log 3, argmax 0 (first on ties).
  // Row 1: large logits (stability) with the label at the max.
  const std::vector<float> logits{0.0f, 0.0f, 0.0f, 1000.0f, 0.0f, 998.0f};
  const std::vector<std::int32_t> labels{1, 0};
  const double expected1 = std::log(1.0 + std::exp(-1000.0) + std::exp(-2.0));
  const double mean = cpu::softmax_xent(logits, labels, 3, {});
  CHECK(mean == Approx((std::log(3.0) + expected1) / 2).epsilon(1e-9));
  const eval_counts counts = cpu::softmax_xent_eval(logits, labels, 3);
  CHECK(counts.samples == 2);
  CHECK(counts.correct == 1);
  CHECK(counts.loss_sum == Approx(std::log(3.0) + expected1).epsilon(1e-9));
}
