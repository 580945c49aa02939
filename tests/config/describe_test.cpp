// Tests for to_toml (config/describe.hpp): the resolved config read back
// gives the same config, for the examples and for every table kind.
#include <catch2/catch.hpp>

#include <filesystem>

#include "config/config.hpp"
#include "config/describe.hpp"

using sgp::config::load_file;
using sgp::config::load_string;
using sgp::config::to_toml;

TEST_CASE("to_toml reads back to the same config", "[config]") {
  const char* text = R"([cluster]
nodes = 4
[schedule]
epochs = 3
max_iterations = 17
decay_epochs = [1, 2.5]
[network]
loss = 0.25
[[network.link]]
from = 1
to = 2
symmetric = false
latency = "3ms"
loss = 0.5
[[faults]]
at_iteration = 5
action = "link_set"
from = 0
to = 3
bandwidth = "1Gbit"
[[faults]]
at_seconds = 1.5
action = "slow"
node = 2
factor = 3
[[faults]]
at_iteration = 9
action = "partition"
groups = [[0, 1], [2, 3]]
)";
  auto first = load_string(text, "t.toml", {"optimizer.lr=0.3", "run.name=dry"});
  REQUIRE(first.ok());
  const std::string toml = to_toml(*first);
  CHECK_THAT(toml, Catch::Contains("max_iterations = 17"));
  CHECK_THAT(toml, Catch::Contains("lr = 0.3\n"));
  CHECK_THAT(toml, Catch::Contains("groups = [[0, 1], [2, 3]]"));
  auto second = load_string(toml, "resolved.toml");
  INFO(toml);
  REQUIRE(second.ok());
  CHECK(to_toml(*second) == toml);
  CHECK(second->faults.size() == 3);
  CHECK(second->network.links.at(0).loss == 0.5);
  CHECK(second->optimizer.lr == 0.3);
}

TEST_CASE("to_toml round-trips every example config", "[config]") {
  int seen = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(SGP_SOURCE_DIR) + "/config/examples")) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path());
    auto c = load_file(entry.path().string());
    REQUIRE(c.ok());
    const std::string toml = to_toml(*c);
    auto back = load_string(toml, "resolved.toml");
    REQUIRE(back.ok());
    CHECK(to_toml(*back) == toml);
    ++seen;
  }
  CHECK(seen >= 3);
}
