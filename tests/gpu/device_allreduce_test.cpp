// make_device_allreduce over CPU backends: an error that says why, so that
// ar-sgd averages on the host.
#include <catch2/catch.hpp>

#include <array>
#include <string>

#include "gpu/backend_factory.hpp"
#include "gpu/device_allreduce.hpp"

using namespace sgp::gpu;

TEST_CASE("make_device_allreduce refuses CPU backends and no backends", "[gpu][cpu]") {
  auto a = make_backend("cpu", 1);
  auto b = make_backend("cpu", 1);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const std::array<backend*, 2> two{a->get(), b->get()};
  const auto cpu = make_device_allreduce(two);
  REQUIRE_FALSE(cpu.ok());
  CHECK(cpu.err().message.find("backend 'cpu'") != std::string::npos);

  const auto one = make_device_allreduce(std::span<backend* const>(two.data(), 1));
  REQUIRE_FALSE(one.ok());

  const auto none = make_device_allreduce({});
  REQUIRE_FALSE(none.ok());
  CHECK(none.err().message.find("no backends") != std::string::npos);
}
