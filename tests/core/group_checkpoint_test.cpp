// Group checkpoints: every node's state round-trips; another group, a node
// missing or a value no run writes is refused with the values named.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <vector>

#include "core/group_checkpoint.hpp"

namespace {

std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "sgp_group_checkpoint_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

sgp::core::group_identity identity() {
  return {2, "osgp", "mlp", 7, 32, 3};
}

sgp::core::group_state sample() {
  sgp::core::group_state s;
  s.lost_weight = 0.25;
  s.cut = "end-12.5";
  s.seconds = 41.25;
  for (int i = 0; i < 2; ++i) {
    sgp::core::node_record r;
    r.node = i;
    r.iteration = 10 + static_cast<std::uint64_t>(i);
    r.round = 9;
    r.w = i == 0 ? 0.75 : 1.0;
    r.z = {1.0f + static_cast<float>(i), -2.0f, 0.5f};
    r.momentum = {0.1f, 0.2f, 0.3f};
    r.running_stats = {4.0f};
    s.nodes.push_back(r);
  }
  return s;
}

}  // namespace

TEST_CASE("group checkpoint round-trips every node's state", "[core]") {
  const auto path = temp_path("group.ckpt");
  REQUIRE(sgp::core::save_group_checkpoint(path, identity(), sample()).ok());
  auto loaded = sgp::core::load_group_checkpoint(path, identity());
  REQUIRE(loaded.ok());
  CHECK(loaded->lost_weight == 0.25);
  CHECK(loaded->cut == "end-12.5");
  CHECK(loaded->seconds == 41.25);
  REQUIRE(loaded->nodes.size() == 2);
  const auto want = sample();
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& a = loaded->nodes[i];
    const auto& b = want.nodes[i];
    CHECK(a.iteration == b.iteration);
    CHECK(a.round == b.round);
    CHECK(a.w == b.w);
    CHECK(a.z == b.z);
    CHECK(a.momentum == b.momentum);
    CHECK(a.running_stats == b.running_stats);
  }
}

TEST_CASE("group checkpoint without the run's seconds loads them as unknown", "[core]") {
  const auto path = temp_path("group-no-seconds.ckpt");
  auto state = sample();
  state.seconds = -1.0;  // not written, as by an earlier version
  REQUIRE(sgp::core::save_group_checkpoint(path, identity(), state).ok());
  auto loaded = sgp::core::load_group_checkpoint(path, identity());
  REQUIRE(loaded.ok());
  CHECK(loaded->seconds == -1.0);
}

TEST_CASE("group checkpoint refuses another group naming both values", "[core]") {
  const auto path = temp_path("group_other.ckpt");
  REQUIRE(sgp::core::save_group_checkpoint(path, identity(), sample()).ok());
  auto id = identity();
  id.nodes = 3;
  auto r = sgp::core::load_group_checkpoint(path, id);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.err().message, Catch::Contains("cluster.nodes = 2, config has 3"));
  id = identity();
  id.algorithm = "ar-sgd";
  r = sgp::core::load_group_checkpoint(path, id);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.err().message, Catch::Contains("algorithm.name = 'osgp', config has 'ar-sgd'"));
  id = identity();
  id.batch_size = 64;
  r = sgp::core::load_group_checkpoint(path, id);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.err().message, Catch::Contains("data.batch_size = 32, config has 64"));
}

TEST_CASE("group checkpoint lists a node without state and refuses a bad weight", "[core]") {
  const auto path = temp_path("group_bad.ckpt");
  auto s = sample();
  s.nodes.pop_back();  // node 1 was dead at the cut
  REQUIRE(sgp::core::save_group_checkpoint(path, identity(), s).ok());
  auto r = sgp::core::load_group_checkpoint(path, identity());
  REQUIRE(r.ok());
  REQUIRE(r->nodes.size() == 1);
  CHECK(r->nodes[0].node == 0);
  CHECK(r->without_state == std::vector<int>{1});
  // No node with state at all: nothing to resume from.
  s.nodes.clear();
  REQUIRE(sgp::core::save_group_checkpoint(path, identity(), s).ok());
  r = sgp::core::load_group_checkpoint(path, identity());
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.err().message, Catch::Contains("holds no node's state"));
  s = sample();
  s.nodes[1].w = std::nan("");
  REQUIRE(sgp::core::save_group_checkpoint(path, identity(), s).ok());
  r = sgp::core::load_group_checkpoint(path, identity());
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.err().message, Catch::Contains("'node.1.w'"));
}

TEST_CASE("a cluster process's checkpoint holds its own nodes only", "[core]") {
  // A group of 2 whose file holds node 1 only (the second process's part).
  const auto path = temp_path("group_part.ckpt");
  auto s = sample();
  s.nodes.erase(s.nodes.begin());
  REQUIRE(sgp::core::save_group_checkpoint(path, identity(), s).ok());
  auto part = sgp::core::load_group_checkpoint(path, identity(), {1});
  REQUIRE(part.ok());
  REQUIRE(part->nodes.size() == 1);
  CHECK(part->nodes[0].node == 1);
  CHECK(part->nodes[0].z == sample().nodes[1].z);
  CHECK(part->without_state.empty());
  // Another process's file (it holds a node this one does not run): named.
  auto other = sgp::core::load_group_checkpoint(path, identity(), {0});
  REQUIRE_FALSE(other.ok());
  CHECK_THAT(other.err().message, Catch::Contains("holds node 1, which this process does not run"));
  // Without the list, node 0 is without state.
  auto whole = sgp::core::load_group_checkpoint(path, identity());
  REQUIRE(whole.ok());
  CHECK(whole->without_state == std::vector<int>{0});
}
