// Faults: killed nodes are routed around, revived nodes rejoin, every
// [[faults]] action fires and changes what it should.
#include <catch2/catch.hpp>

#include <cmath>

#include "tests/actors/group_fixture.hpp"
#include "tests/actors/run_checks.hpp"

using sgp::test::check_weight;
using sgp::test::fault;
using sgp::test::group_fixture;
using sgp::test::small_config;

TEST_CASE("a killed node is routed around and the survivors finish", "[actors]") {
  const std::string algorithm = GENERATE("sgp", "osgp", "ar-sgd");
  group_fixture f;
  auto c = small_config(5, algorithm);
  auto kill = fault(5, "kill");
  kill.node = 2;
  c.faults.push_back(kill);
  f.spawn(c);
  bool survivors_never_push_to_dead = true;
  std::uint64_t known_dead_at = 0;  // when the survivors were told
  const auto s = f.run([&](sgp::actors::supervisor_state& st) {
    if (st.view.live[2] || st.pending_kills > 0) return false;
    if (known_dead_at == 0) known_dead_at = sgp::actors::global_iteration(st);
    for (std::size_t i = 0; i < st.n; ++i) {
      // Reports of steps that began before the news may still name node 2.
      if (!st.view.live[i] || !st.last[i] || st.last[i]->iteration <= known_dead_at + 1) continue;
      for (const auto p : st.last[i]->out_peers) survivors_never_push_to_dead &= p != 2;
    }
    return false;
  });
  INFO(f.error);
  REQUIRE(s);
  CHECK(s->live_nodes == 4);
  CHECK(std::isnan(s->test_accuracy_per_node[2]));
  for (int i : {0, 1, 3, 4}) CHECK(s->test_accuracy_per_node[static_cast<std::size_t>(i)] > 0.5);
  CHECK(survivors_never_push_to_dead);
  check_weight(*s);
  if (algorithm != "ar-sgd") CHECK(s->expected_total_weight < 5.0);  // the dead took mass
}

TEST_CASE("a revived node takes half of a live peer's state and rejoins", "[actors]") {
  const std::string algorithm = GENERATE("sgp", "osgp", "ar-sgd");
  sgp::test::check_kill_and_revive(small_config(4, algorithm));
}

TEST_CASE("every scripted fault action fires and takes effect", "[actors]") {
  group_fixture f;
  auto c = small_config(4, "osgp");
  c.algorithm.wait_timeout = "20ms";
  auto down = fault(2, "link_down");
  down.from = 0;
  down.to = 1;
  auto set = fault(3, "link_set");
  set.from = 2;
  set.to = 3;
  set.latency = "3ms";
  set.loss = 0.25;
  auto up = fault(6, "link_up");
  up.from = 0;
  up.to = 1;
  auto slow = fault(2, "slow");
  slow.node = 3;
  slow.factor = 2.0;
  auto part = fault(8, "partition");
  part.groups = {{0, 1}, {2, 3}};
  auto heal = fault(12, "heal");
  auto kill = fault(14, "kill");
  kill.node = 0;
  auto revive = fault(18, "revive");
  revive.node = 0;
  c.faults = {down, set, up, slow, part, heal, kill, revive};
  f.spawn(c);
  bool saw_down = false;
  bool saw_partition = false;
  bool saw_set = false;
  const auto s = f.run([&](sgp::actors::supervisor_state& st) {
    const auto it = sgp::actors::global_iteration(st);
    if (it >= 2 && it < 6 && !st.view.links.up(0, 1) && !st.view.links.up(1, 0)) saw_down = true;
    if (it >= 8 && it < 12 && !st.view.links.up(1, 2) && st.view.links.up(0, 1)) {
      saw_partition = true;
    }
    const auto& p = st.links.properties(2, 3);
    if (p.latency_seconds == 0.003 && p.loss == 0.25) saw_set = true;
    return false;
  });
  INFO(f.error);
  REQUIRE(s);
  CHECK(saw_down);
  CHECK(saw_partition);
  CHECK(saw_set);
  CHECK(s->live_nodes == 4);
  check_weight(*s);
}

TEST_CASE("a node that stops reporting is declared failed and routed around", "[actors]") {
  group_fixture f;
  auto c = small_config(4, "osgp");
  c.cluster.heartbeat_timeout = "200ms";
  c.algorithm.wait_timeout = "50ms";
  auto stall = fault(3, "slow");
  stall.node = 2;
  stall.factor = 1e7;  // each step now takes hours of (virtual) time: silence
  c.faults.push_back(stall);
  f.spawn(c);
  const auto s = f.run();
  INFO(f.error);
  REQUIRE(s);
  CHECK(s->live_nodes == 3);
  CHECK(std::isnan(s->test_accuracy_per_node[2]));
  CHECK(s->messages_late > 0);  // the others waited for it, then went on
  check_weight(*s);
}

TEST_CASE("a pause of the whole process longer than the heartbeat timeout kills nobody",
          "[actors]") {
  const std::string algorithm = GENERATE("sgp", "ar-sgd");
  group_fixture f;
  auto c = small_config(4, algorithm);
  c.cluster.heartbeat_timeout = "1s";
  f.spawn(c);
  bool paused = false;
  bool pause_seen = false;
  const auto s = f.run([&](sgp::actors::supervisor_state& st) {
    if (!paused && sgp::actors::global_iteration(st) >= 5) {
      // SIGSTOP, 10 s, SIGCONT: every timer of the process is due at once,
      // the supervisor's heartbeat check among them.
      paused = true;
      f.sched().advance_time(std::chrono::seconds(10));
      f.sched().run();  // what the late timers set off (and the next timers)
    }
    if (paused && !pause_seen) {
      pause_seen = st.heartbeats_from > 0.0;
    }
    return false;
  });
  INFO(f.error);
  REQUIRE(s);
  CHECK(paused);
  CHECK(pause_seen);
  CHECK(s->live_nodes == 4);
  check_weight(*s);
}
