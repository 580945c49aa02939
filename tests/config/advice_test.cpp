#include "config/advice.hpp"

#include <catch2/catch.hpp>

namespace {

/// Resolved through config::resolve, as sgp does.
std::vector<std::string> advice_of(const std::string& name, const std::string& variant,
                                   const std::string& space, int nodes = 8) {
  sgp::config::config c;
  c.cluster.nodes = nodes;
  c.algorithm.name = name;
  c.algorithm.osgp_variant = variant;
  c.algorithm.step_space = space;
  auto set = sgp::config::resolve(c);
  REQUIRE(set.ok());
  return sgp::config::advice_for(c, *set);
}

}  // namespace

TEST_CASE("advice warns of osgp's bounded variant with x-space steps, and of nothing else",
          "[config]") {
  const auto warned = advice_of("osgp", "bounded", "x");
  REQUIRE(warned.size() == 1);
  CHECK(warned[0].find("algorithm.step_space = \"x\"") != std::string::npos);
  CHECK(warned[0].find("osgp_variant = \"reference\"") != std::string::npos);

  CHECK(advice_of("osgp", "bounded", "z").empty());
  CHECK(advice_of("osgp", "bounded", "balanced").empty());
  CHECK(advice_of("osgp", "reference", "x").empty());
  CHECK(advice_of("sgp", "bounded", "x").empty());
  CHECK(advice_of("osgp", "bounded", "x", 1).empty());  // one node never pushes
}

TEST_CASE("a one-node run names the actor keys it does not use, and only those given", "[config]") {
  sgp::config::config c;
  CHECK(sgp::config::unused_by_one_node(c).empty());
  c.cluster.actor_threads = 4;
  auto said = sgp::config::unused_by_one_node(c);
  REQUIRE(said.size() == 1);
  CHECK(said[0].find("cluster.actor_threads is not used") == 0);
  c.cluster.actor_polling = "quiet";
  said = sgp::config::unused_by_one_node(c);
  REQUIRE(said.size() == 2);
  CHECK(said[1].find("cluster.actor_polling is not used") == 0);
  c.cluster.actor_threads = 0;
  said = sgp::config::unused_by_one_node(c);
  REQUIRE(said.size() == 1);
  CHECK(said[0].find("cluster.actor_polling") == 0);
}
