// The typed embedding API (actors/embedding.hpp): a subscribed listener gets
// every node's iteration reports, the faults and commands, and the end; typed
// commands act on the run or are refused with a message naming the node.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/actors/group_fixture.hpp"
#include "tests/actors/run_checks.hpp"

namespace {

using sgp::actors::action_event;
using sgp::actors::iteration_event;
using sgp::actors::run_end;
using sgp::core::command;
using sgp::core::command_kind;

/// What a listener heard, in order.
struct heard {
  std::vector<iteration_event> iterations;
  std::vector<action_event> actions;
  std::vector<run_end> ends;
  int after_end = 0;  ///< events that came after run_end
};

caf::behavior listener(caf::event_based_actor*, std::shared_ptr<heard> h) {
  return {
      [=](const iteration_event& e) {
        if (!h->ends.empty()) ++h->after_end;
        h->iterations.push_back(e);
      },
      [=](const action_event& e) {
        if (!h->ends.empty()) ++h->after_end;
        h->actions.push_back(e);
      },
      [=](const run_end& e) { h->ends.push_back(e); },
  };
}

command node_command(command_kind kind, int node) {
  command c;
  c.kind = kind;
  c.node = node;
  return c;
}

command link_command(command_kind kind, int from, int to) {
  command c;
  c.kind = kind;
  c.from = from;
  c.to = to;
  return c;
}

/// Lines of `path` that contain `piece`.
int count_lines(const std::string& path, const std::string& piece) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(piece) != std::string::npos;
  return n;
}

}  // namespace

TEST_CASE("a subscribed listener gets typed reports, faults and the end, and typed commands act",
          "[actors]") {
  sgp::test::group_fixture f;
  auto c = sgp::test::small_config(4, "sgp");
  c.run.dir = sgp::test::actor_test_dir() + "/embedding";
  c.schedule.max_iterations = 24;
  auto slow = sgp::test::fault(3, "slow");
  slow.node = 2;
  slow.factor = 2.0;
  c.faults = {slow};
  std::filesystem::remove_all(c.run.dir);
  f.spawn(c);

  auto all = std::make_shared<heard>();
  auto dropped = std::make_shared<heard>();  // unsubscribed mid-run
  auto gone = std::make_shared<heard>();     // exits mid-run
  const auto all_listener = f.spawn_actor(listener, all);
  const auto dropped_listener = f.spawn_actor(listener, dropped);
  const auto gone_listener = f.spawn_actor(listener, gone);
  f.subscribe(all_listener);
  f.subscribe(all_listener);  // twice is once
  f.subscribe(dropped_listener);
  f.subscribe(gone_listener);

  const auto early = f.command(node_command(command_kind::kill, 1));
  CHECK_FALSE(early.applied);
  CHECK_THAT(early.message, Catch::Contains("not started"));

  std::map<std::string, sgp::actors::command_outcome> outcomes;
  std::uint64_t killed_at = 0;
  std::size_t subscribers_before = 0;
  std::size_t subscribers_after = 0;
  const auto s = f.run([&](sgp::actors::supervisor_state& st) {
    if (!outcomes.empty()) {
      subscribers_after = st.subscribers.size();
      return false;
    }
    subscribers_before = st.subscribers.size();
    if (sgp::actors::global_iteration(st) < 6) return false;
    killed_at = sgp::actors::global_iteration(st);
    outcomes["kill 3"] = f.command(node_command(command_kind::kill, 3));
    outcomes["kill 3 again"] = f.command(node_command(command_kind::kill, 3));
    outcomes["kill 9"] = f.command(node_command(command_kind::kill, 9));
    outcomes["link down 0 7"] = f.command(link_command(command_kind::link_down, 0, 7));
    outcomes["link down 0 1"] = f.command(link_command(command_kind::link_down, 0, 1));
    f.subscribe(dropped_listener, false);
    caf::anon_send_exit(gone_listener, caf::exit_reason::kill);
    return false;
  });
  INFO(f.error);
  REQUIRE(s);

  // Typed commands: applied, or refused with a message naming the node.
  REQUIRE(outcomes.size() == 5);
  CHECK(outcomes["kill 3"].applied);
  CHECK(outcomes["kill 3"].message == "node 3 killed");
  CHECK_FALSE(outcomes["kill 3 again"].applied);
  CHECK(outcomes["kill 3 again"].message == "node 3 is not running");
  CHECK_FALSE(outcomes["kill 9"].applied);
  CHECK(outcomes["kill 9"].message == "kill: node 9 does not exist (nodes are 0..3)");
  CHECK_FALSE(outcomes["link down 0 7"].applied);
  CHECK_THAT(outcomes["link down 0 7"].message, Catch::Contains("node 7 does not exist"));
  CHECK(outcomes["link down 0 1"].applied);
  CHECK(outcomes["link down 0 1"].message == "link 0 <-> 1 down");
  // The typed kill took effect (a listener leaving is no failure).
  CHECK(s->live_nodes == 3);
  CHECK(s->iterations == 24);
  sgp::test::check_weight(*s);

  // Every live node reported every iteration once, in order; node 3 stopped
  // at its kill.
  std::map<int, std::vector<std::uint64_t>> per_node;
  for (const auto& e : all->iterations) per_node[e.node].push_back(e.iteration);
  REQUIRE(per_node.size() == 4);
  for (int node = 0; node < 3; ++node) {
    INFO("node " << node);
    const auto& its = per_node[node];
    REQUIRE(its.size() == s->iterations);
    for (std::size_t k = 0; k < its.size(); ++k) CHECK(its[k] == k + 1);
  }
  CHECK_FALSE(per_node[3].empty());
  CHECK(per_node[3].size() <= killed_at);
  for (const auto& e : all->iterations) {
    CHECK(std::isfinite(e.loss));
    CHECK(e.lr > 0.0);
    CHECK(e.w > 0.0);
  }
  // The same reports as metrics.jsonl's train lines.
  CHECK(count_lines(c.run.dir + "/metrics.jsonl", "\"event\":\"train\"") ==
        static_cast<int>(all->iterations.size()));

  // The scripted fault, then the typed commands that reached the group (the
  // ones refused by the check leave no trace), typed.
  for (const auto& a : all->actions) {
    UNSCOPED_INFO(a.record.event << " " << a.record.source << " " << a.record.command << ": "
                                 << a.record.result);
  }
  REQUIRE(all->actions.size() == 4);
  CHECK(all->actions[0].record.event == "fault");
  CHECK(all->actions[0].record.source == "config");
  CHECK(all->actions[0].command.kind == command_kind::slow);
  CHECK(all->actions[0].command.node == 2);
  CHECK(all->actions[0].applied);
  CHECK(all->actions[0].record.iteration >= 3);
  CHECK(all->actions[1].record.event == "command");
  CHECK(all->actions[1].record.source == "api");
  CHECK(all->actions[1].command.kind == command_kind::kill);
  CHECK(all->actions[1].command.node == 3);
  CHECK(all->actions[1].applied);
  CHECK(all->actions[1].record.command == "kill 3");
  CHECK(all->actions[2].command.kind == command_kind::kill);
  CHECK_FALSE(all->actions[2].applied);
  CHECK(all->actions[2].record.result == "node 3 is not running");
  CHECK(all->actions[3].command.kind == command_kind::link_down);
  CHECK(all->actions[3].command.from == 0);
  CHECK(all->actions[3].command.to == 1);
  CHECK(all->actions[3].record.action == "link_down");

  // The end, once and last, with the start request's summary.
  REQUIRE(all->ends.size() == 1);
  CHECK(all->ends[0].completed);
  CHECK(all->ends[0].error.empty());
  CHECK(all->ends[0].summary.live_nodes == 3);
  CHECK(all->ends[0].summary.iterations == s->iterations);
  CHECK(all->after_end == 0);

  // Unsubscribed and exited listeners heard the start of the run only, and
  // the supervisor let both go.
  CHECK(subscribers_before == 3);
  CHECK(subscribers_after == 1);
  CHECK_FALSE(dropped->iterations.empty());
  CHECK(dropped->iterations.size() < all->iterations.size());
  CHECK(dropped->ends.empty());
  CHECK_FALSE(gone->iterations.empty());
  CHECK(gone->ends.empty());
}

TEST_CASE("a run that fails tells its subscribers why", "[actors]") {
  sgp::test::group_fixture f;
  auto c = sgp::test::small_config(2, "sgp");
  // The run directory cannot be made: a file is in the way.
  const auto blocker = sgp::test::actor_test_dir() + "/embedding_blocker";
  std::filesystem::create_directories(sgp::test::actor_test_dir());
  std::ofstream(blocker) << "not a directory\n";
  c.run.dir = blocker + "/run";
  f.spawn(c);
  auto h = std::make_shared<heard>();
  f.subscribe(f.spawn_actor(listener, h));
  const auto s = f.run();
  CHECK_FALSE(s);
  REQUIRE(h->ends.size() == 1);
  CHECK_FALSE(h->ends[0].completed);
  CHECK_THAT(h->ends[0].error, Catch::Contains("cannot create the run directory"));
  CHECK_THAT(f.error, Catch::Contains(h->ends[0].error));
  CHECK(h->iterations.empty());
}
