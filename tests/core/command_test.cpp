// Console command parsing: every command, and the errors of bad ones.
#include <catch2/catch.hpp>

#include "core/command.hpp"

using sgp::core::command_kind;
using sgp::core::parse_command;

TEST_CASE("every console command parses", "[core]") {
  CHECK(parse_command("status", 8)->kind == command_kind::status);
  CHECK(parse_command("  topology ", 8)->kind == command_kind::topology);
  CHECK(parse_command("heal", 8)->kind == command_kind::heal);
  CHECK(parse_command("checkpoint", 8)->kind == command_kind::checkpoint);
  CHECK(parse_command("help", 8)->kind == command_kind::help);
  CHECK(parse_command("stop", 8)->kind == command_kind::stop);

  auto down = parse_command("link down 2 5", 8);
  REQUIRE(down.ok());
  CHECK(down->kind == command_kind::link_down);
  CHECK(down->from == 2);
  CHECK(down->to == 5);
  CHECK(down->symmetric);
  auto up = parse_command("link up 5 2 oneway", 8);
  REQUIRE(up.ok());
  CHECK(up->kind == command_kind::link_up);
  CHECK_FALSE(up->symmetric);

  auto set = parse_command("link set 2 5 bw=1Gbit lat=5ms jitter=1ms loss=0.01", 8);
  REQUIRE(set.ok());
  CHECK(set->kind == command_kind::link_set);
  CHECK(*set->bandwidth_bits_per_second == Approx(1e9));
  CHECK(*set->latency_seconds == Approx(0.005));
  CHECK(*set->jitter_seconds == Approx(0.001));
  CHECK(*set->loss == Approx(0.01));

  auto slow = parse_command("slow 3 3x", 8);
  REQUIRE(slow.ok());
  CHECK(slow->node == 3);
  CHECK(slow->factor == 3.0);
  CHECK(parse_command("kill 4", 8)->node == 4);
  CHECK(parse_command("revive 4", 8)->kind == command_kind::revive);

  auto part = parse_command("partition 0,1 | 2, 3 4", 8);
  REQUIRE(part.ok());
  REQUIRE(part->groups.size() == 2);
  CHECK(part->groups[0] == std::vector<int>{0, 1});
  CHECK(part->groups[1] == std::vector<int>{2, 3, 4});
}

TEST_CASE("bad commands give errors that say what was wrong", "[core]") {
  auto check_error = [](const char* line, const char* piece) {
    auto r = parse_command(line, 4);
    INFO(line);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.err().message, Catch::Contains(piece));
  };
  check_error("", "empty");
  check_error("launch", "unknown command 'launch'");
  check_error("kill 9", "does not exist");
  check_error("kill x", "not a node id");
  check_error("kill", "usage");
  check_error("status now", "takes no arguments");
  check_error("link sideways 1 2", "expected link down");
  check_error("link down 1 1", "two different nodes");
  check_error("link set 1 2", "at least one");
  check_error("link set 1 2 bw=fast", "bw");
  check_error("link set 1 2 loss=2", "[0, 1]");
  check_error("link set 1 2 color=red", "unknown link setting");
  check_error("slow 1 0.5x", ">= 1");
  check_error("slow 1 infx", "finite");
  check_error("slow 1 nanx", "finite");
  check_error("slow 1 inf", "finite");
  check_error("link set 1 2 loss=nan", "finite");
  check_error("link set 1 2 loss=inf", "finite");
  check_error("link set 1 2 lat=1000000000000s", "at most 1 day");
  check_error("link set 1 2 jitter=90000s", "at most 1 day");
  check_error("partition 0,1", "at least two groups");
  check_error("partition 0,1 | 1,2", "two groups");
  check_error("partition 0 | ", "no empty groups");
}

TEST_CASE("help lists every command", "[core]") {
  const auto help = sgp::core::command_help();
  for (const char* c : {"status", "topology", "link down", "link up", "link set", "slow", "kill",
                        "revive", "partition", "heal", "checkpoint", "stop", "help"}) {
    CHECK_THAT(help, Catch::Contains(c));
  }
}

TEST_CASE("command_line reads back to the same command", "[core]") {
  for (const char* line :
       {"link down 0 3", "link up 1 2 oneway", "link set 2 5 bw=1Gbit lat=5ms loss=0.01",
        "link set 0 1 bw=250Mbit jitter=0.5ms oneway", "slow 3 2.5x", "kill 2", "revive 2",
        "partition 0,1 | 2,3", "heal", "checkpoint", "stop"}) {
    INFO(line);
    auto c = sgp::core::parse_command(line, 8);
    REQUIRE(c.ok());
    CHECK(sgp::core::command_line(*c) == line);
  }
}

TEST_CASE("check_command refuses typed commands the parser would refuse, naming the node",
          "[core]") {
  using sgp::core::check_command;
  using sgp::core::command;
  auto refused = [](const command& c, const char* piece) {
    const auto st = check_command(c, 4);
    INFO(sgp::core::command_line(c));
    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.err().message, Catch::Contains(piece));
  };
  command kill;
  kill.kind = command_kind::kill;
  kill.node = 3;
  CHECK(check_command(kill, 4).ok());
  kill.node = 4;
  refused(kill, "kill: node 4 does not exist (nodes are 0..3)");
  kill.node = -1;
  refused(kill, "node -1 does not exist");

  command link;
  link.kind = command_kind::link_down;
  link.from = 0;
  link.to = 1;
  CHECK(check_command(link, 4).ok());
  link.to = 7;
  refused(link, "link down: node 7 does not exist");
  link.to = 0;
  refused(link, "two different nodes");
  link.kind = command_kind::link_set;
  link.to = 2;
  refused(link, "at least one of");
  link.loss = 1.5;
  refused(link, "loss must be in [0, 1]");
  link.loss = 0.1;
  CHECK(check_command(link, 4).ok());

  command slow;
  slow.kind = command_kind::slow;
  slow.node = 2;
  slow.factor = 0.5;
  refused(slow, "factor must be >= 1");
  slow.factor = 2.0;
  CHECK(check_command(slow, 4).ok());

  command part;
  part.kind = command_kind::partition;
  part.groups = {{0, 1}};
  refused(part, "at least two groups");
  part.groups = {{0, 1}, {1, 2}};
  refused(part, "node 1 is in two groups");
  part.groups = {{0, 1}, {2, 5}};
  refused(part, "node 5 does not exist");
  part.groups = {{0, 1}, {2, 3}};
  CHECK(check_command(part, 4).ok());

  // Every console line that parses passes the check.
  for (const char* line : {"status", "link set 1 2 bw=1Gbit lat=2ms", "slow 2 3x", "kill 3",
                           "revive 0", "partition 0,1 | 2,3", "heal", "stop"}) {
    INFO(line);
    CHECK(check_command(parse_command(line, 4).value(), 4).ok());
  }
}
