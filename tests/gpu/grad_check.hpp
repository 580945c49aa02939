// Test helpers for the CPU backend: random tensors and a central finite
// difference gradient check that skips points where the function has a kink.
#pragma once

#include <cmath>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/rng.hpp"

namespace sgp::gpu::test {

/// n floats uniform in [lo, hi).
inline std::vector<float> uniform_vector(core::rng& gen, std::size_t n, double lo, double hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(gen.uniform(lo, hi));
  return v;
}

/// sum(y * r) in double.
inline double weighted_sum(const float* y, const std::vector<float>& r) {
  double sum = 0.0;
  for (std::size_t i = 0; i < r.size(); ++i) sum += static_cast<double>(y[i]) * r[i];
  return sum;
}

/// Outcome of comparing analytic gradients with finite differences.
struct grad_report {
  int checked = 0;
  int skipped = 0;  ///< points where eps and eps/2 disagree (a kink nearby)
  std::vector<std::string> failures;
};

/// Compares `analytic[i]` with the central difference (f(x + h) - f(x - h))
/// / 2h for each index in `indices`, perturbing `x[i]` in place (restored
/// afterwards). A point is skipped as non-smooth (a ReLU or max-pool kink
/// within h) when the central differences at h and h/2 disagree, or when the
/// gap between forward and backward one-sided differences does not halve with
/// h, as it does for a smooth function (a kink right at x keeps it constant).
inline void check_gradient(const std::string& what, std::vector<float>& x,
                           const std::vector<float>& analytic,
                           const std::vector<std::size_t>& indices,
                           const std::function<double()>& f, float eps, double atol, double rtol,
                           grad_report& report) {
  auto at = [&](std::size_t i, float h) {
    const float saved = x[i];
    x[i] = saved + h;
    const double value = f();
    x[i] = saved;
    return value;
  };
  const double f0 = f();
  for (const std::size_t i : indices) {
    const double fp1 = at(i, eps), fm1 = at(i, -eps);
    const double fp2 = at(i, eps / 2), fm2 = at(i, -eps / 2);
    const double n1 = (fp1 - fm1) / (2.0 * eps);
    const double n2 = (fp2 - fm2) / static_cast<double>(eps);
    const double gap1 = (fp1 - 2.0 * f0 + fm1) / eps;        // forward - backward at h
    const double gap2 = (fp2 - 2.0 * f0 + fm2) / (eps / 2);  // the same at h/2
    const double tol = atol + rtol * std::abs(n1);
    if (std::abs(n1 - n2) > tol || std::abs(gap2 - gap1 / 2) > tol) {
      ++report.skipped;
      continue;
    }
    ++report.checked;
    const double a = analytic[i];
    if (std::abs(a - n1) > atol + rtol * std::max(std::abs(a), std::abs(n1))) {
      report.failures.push_back(what + "[" + std::to_string(i) + "]: analytic " +
                                std::to_string(a) + " numeric " + std::to_string(n1));
    }
  }
}

/// Up to `count` distinct indices in [0, n) (all of them when n <= count).
inline std::vector<std::size_t> pick_indices(core::rng& gen, std::size_t n, std::size_t count) {
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  if (n <= count) return all;
  gen.shuffle(std::span<std::size_t>(all));
  all.resize(count);
  return all;
}

}  // namespace sgp::gpu::test
