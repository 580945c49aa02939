// Flat vector helpers for float and double.
#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "core/flat_ops.hpp"
#include "core/rng.hpp"

using namespace sgp::core;

TEMPLATE_TEST_CASE("flat ops compute axpy, scale, copy, sum, diff, debias", "[core]", float,
                   double) {
  std::vector<TestType> x{1, 2, 3, -4};
  std::vector<TestType> y{10, 20, 30, 40};
  axpy<TestType>(TestType(2), x, y);
  CHECK(y == std::vector<TestType>{12, 24, 36, 32});
  add<TestType>(x, y);
  CHECK(y == std::vector<TestType>{13, 26, 39, 28});
  scale<TestType>(TestType(0.5), y);
  CHECK(y == std::vector<TestType>{6.5, 13, 19.5, 14});
  CHECK(sum<TestType>(y) == Approx(53.0));
  CHECK(max_abs_diff<TestType>(x, y) == Approx(18.0));
  std::vector<TestType> z(4);
  copy<TestType>(x, z);
  CHECK(z == x);
  CHECK(max_abs_diff<TestType>(x, z) == 0.0);
  debias<TestType>(x, 0.5, z);
  CHECK(z == std::vector<TestType>{2, 4, 6, -8});
}

TEST_CASE("sum accumulates float in double", "[core]") {
  std::vector<float> x(1 << 20, 0.1f);
  CHECK(sum<float>(x) == Approx(static_cast<double>(0.1f) * (1 << 20)).epsilon(1e-12));
}

TEST_CASE("average_of_sum of fp32 sums is fp32's correctly rounded quotient", "[core]") {
  // The GPU twin divides in fp32; the host divides in double and rounds
  // once. For fp32 operands the two agree bit for bit (a double has more
  // than 2 * 24 + 2 bits), which keeps replicas averaged either way equal.
  sgp::core::rng gen(11);
  std::vector<float> sums(20000);
  for (auto& v : sums) v = static_cast<float>(1e3 * gen.normal());
  for (const float count : {1.0f, 3.0f, 7.0f, 10.0f, 24.0f}) {
    std::vector<float> out(sums.size());
    sgp::core::average_of_sum<float>(sums, count, out);
    bool same = true;
    for (std::size_t i = 0; i < sums.size(); ++i) same = same && out[i] == sums[i] / count;
    CHECK(same);
  }
}

TEST_CASE("all_finite finds a NaN or an infinity anywhere", "[core]") {
  using sgp::core::all_finite;
  std::vector<float> x{1.0f, -2.0f, 3.0e38f, 0.0f};
  CHECK(all_finite<float>(x));
  CHECK(all_finite<float>(std::span<const float>{}));
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto y = x;
    y[i] = std::numeric_limits<float>::quiet_NaN();
    CHECK_FALSE(all_finite<float>(y));
    y[i] = -std::numeric_limits<float>::infinity();
    CHECK_FALSE(all_finite<float>(y));
  }
  std::vector<double> d{1e308, -1e308};
  CHECK(all_finite<double>(d));
  d[1] *= 10.0;  // overflows to -inf
  CHECK_FALSE(all_finite<double>(d));
}
