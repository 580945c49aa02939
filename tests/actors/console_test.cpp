// Every console command against a running group.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/actors/group_fixture.hpp"

using sgp::test::group_fixture;
using sgp::test::small_config;

TEST_CASE("every console command works on a running group", "[actors]") {
  group_fixture f;
  auto c = small_config(4, "osgp");
  c.run.dir = sgp::test::actor_test_dir() + "/console";
  std::filesystem::remove_all(c.run.dir);
  f.spawn(c);
  CHECK_THAT(f.command("status"), Catch::Contains("not started"));
  bool issued = false;
  std::map<std::string, std::string> replies;
  const auto s = f.run([&](sgp::actors::supervisor_state& st) {
    if (issued || sgp::actors::global_iteration(st) < 3) return false;
    issued = true;
    for (const char* line :
         {"status", "topology", "help", "link down 0 1", "link up 0 1",
          "link set 1 2 bw=1Gbit lat=2ms", "slow 2 3x", "partition 0,1 | 2,3", "heal", "kill 3",
          "revive 3", "checkpoint", "launch rockets", "kill 9"}) {
      replies[line] = f.command(line);
    }
    return false;
  });
  INFO(f.error);
  REQUIRE(s);
  CHECK_THAT(replies["status"], Catch::Contains("node") && Catch::Contains("train"));
  CHECK_THAT(replies["topology"], Catch::Contains("strongly connected"));
  CHECK_THAT(replies["help"], Catch::Contains("partition"));
  CHECK(replies["link down 0 1"] == "link 0 <-> 1 down");
  CHECK(replies["link up 0 1"] == "link 0 <-> 1 up");
  CHECK_THAT(replies["link set 1 2 bw=1Gbit lat=2ms"], Catch::Contains("1 Gbit/s"));
  CHECK(replies["slow 2 3x"] == "node 2 computes 3x slower");
  CHECK(replies["partition 0,1 | 2,3"] == "partitioned into 2 groups");
  CHECK(replies["heal"] == "partition healed");
  CHECK(replies["kill 3"] == "node 3 killed");
  CHECK_THAT(replies["revive 3"], Catch::StartsWith("node 3 revived"));
  CHECK_THAT(replies["checkpoint"], Catch::Contains("checkpoints/latest.ckpt"));
  CHECK_THAT(replies["launch rockets"], Catch::StartsWith("error: unknown command"));
  CHECK_THAT(replies["kill 9"], Catch::Contains("does not exist"));
  CHECK(std::filesystem::exists(c.run.dir + "/checkpoints/latest.ckpt"));
  CHECK(s->live_nodes == 4);
}

TEST_CASE("after training ends console actions say the run has ended and questions still work",
          "[actors]") {
  group_fixture f;
  auto c = small_config(4, "sgp");
  c.run.dir = sgp::test::actor_test_dir() + "/console_ended";
  std::filesystem::remove_all(c.run.dir);
  f.spawn(c);
  std::vector<std::string> replies;
  const auto s = f.run([&](sgp::actors::supervisor_state& st) {
    if (!replies.empty() || sgp::actors::global_iteration(st) < 3) return false;
    replies = f.commands({"stop", "kill 1", "status"});
    return false;
  });
  INFO(f.error);
  REQUIRE(s);
  REQUIRE(replies.size() == 3);
  CHECK_THAT(replies[0], Catch::StartsWith("stopping"));
  CHECK_THAT(replies[1], Catch::StartsWith("the run has ended"));
  CHECK_THAT(replies[2], Catch::Contains("node"));
  CHECK(s->live_nodes == 4);  // the kill was not done
}
