// Flat parameter-vector helpers: BLAS-1 style loops over std::span, used by
// the push-sum reference code and as the CPU oracle for GPU kernels.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>

#include "core/assert.hpp"

namespace sgp::core {

/// y += a * x. Sizes must match.
template <class T>
void axpy(T a, std::span<const T> x, std::span<T> y) {
  SGP_ASSERT(x.size() == y.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] += a * x[i];
}

/// y += x. Sizes must match.
template <class T>
void add(std::span<const T> x, std::span<T> y) {
  SGP_ASSERT(x.size() == y.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] += x[i];
}

/// x *= a.
template <class T>
void scale(T a, std::span<T> x) {
  for (auto& v : x) v *= a;
}

/// dst = src. Sizes must match.
template <class T>
void copy(std::span<const T> src, std::span<T> dst) {
  SGP_ASSERT(src.size() == dst.size());
  std::copy(src.begin(), src.end(), dst.begin());
}

/// Sum of the elements, accumulated in double whatever T is.
template <class T>
double sum(std::span<const T> x) {
  double total = 0.0;
  for (const auto v : x) total += static_cast<double>(v);
  return total;
}

/// Whether every element is finite (true for an empty span).
template <class T>
bool all_finite(std::span<const T> x) {
  return std::all_of(x.begin(), x.end(), [](T v) { return std::isfinite(v); });
}

/// max_i |a_i - b_i| in double (0 for empty spans). Sizes must match.
template <class T>
double max_abs_diff(std::span<const T> a, std::span<const T> b) {
  SGP_ASSERT(a.size() == b.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  }
  return worst;
}

/// ar-sgd's average from a sum over processes: out[k] = sums[k] / count,
/// divided in double and rounded once to fp32. When the sums and the count
/// are fp32 values (a sum over NCCL or Gloo in fp32) this is fp32's
/// correctly rounded quotient, so the GPU twin
/// (gpu/cuda/flat_kernels.hpp: launch_divide_by_last) gives the same bits
/// and replicas averaged on the host and on a GPU stay identical.
template <class T>
void average_of_sum(std::span<const T> sums, double count, std::span<float> out) {
  SGP_ASSERT(sums.size() == out.size());
  for (std::size_t i = 0; i < sums.size(); ++i) {
    out[i] = static_cast<float>(static_cast<double>(sums[i]) / count);
  }
}

/// De-biased model z = x / w (push-sum). w must be positive.
template <class T>
void debias(std::span<const T> x, double w, std::span<T> z) {
  SGP_ASSERT(x.size() == z.size());
  SGP_ASSERT(w > 0.0);
  const double inv = 1.0 / w;
  for (std::size_t i = 0; i < x.size(); ++i) {
    z[i] = static_cast<T>(static_cast<double>(x[i]) * inv);
  }
}

}  // namespace sgp::core
