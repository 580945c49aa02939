// runtime::evaluate counts every test sample once, whatever the batch.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

#include "data/synthetic.hpp"
#include "gpu/backend_factory.hpp"
#include "runtime/evaluation.hpp"

namespace {

struct fixture {
  std::unique_ptr<sgp::gpu::backend> backend;
  std::unique_ptr<sgp::gpu::model> small;  ///< batches of 8
  std::unique_ptr<sgp::gpu::model> large;  ///< batches of 64
  sgp::gpu::buffer params;

  fixture() {
    backend = sgp::gpu::make_backend("cpu", 1).value();
    const sgp::gpu::sample_shape shape{1, 8, 8};
    small = backend->make_model("mlp", shape, 4, 8).value();
    large = backend->make_model("mlp", shape, 4, 64).value();
    params = backend->allocate(small->layout().total);
    small->initialize(params, 7);
  }
};

}  // namespace

TEST_CASE("an evaluation scores the whole test set, whatever the batch", "[runtime]") {
  fixture f;
  const auto test = sgp::data::make_synthetic(21, 1, 8, 8, 4, 2);  // 8 + 8 + 5
  const auto a = sgp::runtime::evaluate(*f.small, f.params, test);
  const auto b = sgp::runtime::evaluate(*f.large, f.params, test);
  REQUIRE(a.accuracy == b.accuracy);
  REQUIRE(a.loss == Approx(b.loss).epsilon(1e-5));
  REQUIRE(a.loss > 0.0);
  const double correct = a.accuracy * 21.0;
  REQUIRE(correct == Approx(std::round(correct)));
  REQUIRE(a.accuracy >= 0.0);
  REQUIRE(a.accuracy <= 1.0);
}

TEST_CASE("an empty test set scores zero, not NaN", "[runtime]") {
  fixture f;
  const auto empty = sgp::data::make_synthetic(0, 1, 8, 8, 4, 2);
  const auto s = sgp::runtime::evaluate(*f.small, f.params, empty);
  REQUIRE(s.accuracy == 0.0);
  REQUIRE(s.loss == 0.0);
}
