// The small zoo models' layer descriptions (gpu/model_spec.hpp), which both
// backends build from.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "gpu/model_spec.hpp"

using namespace sgp::gpu;

namespace {

std::vector<std::string> names(const std::vector<layer_spec>& l) {
  std::vector<std::string> out;
  for (const auto& s : l) out.push_back(s.name);
  return out;
}

}  // namespace

TEST_CASE("small_model_spec describes mlp and cnn with their shapes", "[gpu]") {
  auto mlp = small_model_spec("mlp", {1, 28, 28}, 10);
  REQUIRE(mlp.ok());
  REQUIRE(mlp->has_value());
  const auto& m = **mlp;
  CHECK(names(m) == std::vector<std::string>{"flatten", "fc1", "relu1", "fc2", "relu2", "fc3"});
  CHECK(m[1].what == layer_spec::kind::linear);
  CHECK(m[1].in == 784);
  CHECK(m[1].out == 1024);
  CHECK(m[5].in == 1024);
  CHECK(m[5].out == 10);

  auto cnn = small_model_spec("cnn", {3, 30, 22}, 7);
  REQUIRE(cnn.ok());
  REQUIRE(cnn->has_value());
  const auto& c = **cnn;
  CHECK(names(c) == std::vector<std::string>{"conv1", "relu1", "pool1", "conv2", "relu2", "pool2",
                                             "flatten", "fc1", "relu3", "fc2"});
  CHECK(c[0].in == 3);
  CHECK(c[0].out == 32);
  CHECK(c[0].kernel == 3);
  CHECK(c[0].pad == 1);
  CHECK(c[3].in == 32);
  CHECK(c[3].out == 64);
  CHECK(c[2].what == layer_spec::kind::max_pool2d);
  CHECK(c[2].kernel == 2);
  CHECK(c[2].stride == 2);
  CHECK(c[7].in == 64 * (30 / 4) * (22 / 4));  // two 2x2 pools, rounding down
  CHECK(c[9].out == 7);

  auto bn = small_model_spec("cnn-bn", {1, 28, 28}, 10);
  REQUIRE(bn.ok());
  REQUIRE(bn->has_value());
  CHECK(names(**bn) == std::vector<std::string>{"conv1", "bn1", "relu1", "pool1", "conv2", "bn2",
                                                "relu2", "pool2", "flatten", "fc1", "relu3",
                                                "fc2"});
  CHECK((**bn)[5].what == layer_spec::kind::batch_norm);
  CHECK((**bn)[5].out == 64);
}

TEST_CASE("small_model_spec refuses bad inputs and leaves other names to the backend", "[gpu]") {
  auto small = small_model_spec("cnn", {1, 3, 28}, 10);
  REQUIRE_FALSE(small.ok());
  CHECK_THAT(small.err().message, Catch::Contains("model 'cnn'") && Catch::Contains("4x4"));
  auto classes = small_model_spec("mlp", {1, 28, 28}, 1);
  REQUIRE_FALSE(classes.ok());
  CHECK_THAT(classes.err().message, Catch::Contains("at least 2 classes"));
  auto shape = small_model_spec("mlp", {0, 28, 28}, 10);
  REQUIRE_FALSE(shape.ok());
  CHECK_THAT(shape.err().message, Catch::Contains("input shape must be positive"));
  for (const char* other : {"resnet18", "nonsense"}) {
    auto r = small_model_spec(other, {3, 32, 32}, 10);
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_value());
  }
  CHECK_FALSE(check_model_input("resnet50", {3, 32, 32}, 0).ok());
}
