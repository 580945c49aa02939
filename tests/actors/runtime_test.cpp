// Whole training groups under the deterministic scheduler: every algorithm
// finishes, weight is conserved through loss and duplicates, tau bounds the
// lag, killed nodes are routed around and revived nodes rejoin.
#include <catch2/catch.hpp>

#include <cmath>

#include "tests/actors/group_fixture.hpp"
#include "tests/actors/run_checks.hpp"

using sgp::test::check_weight;
using sgp::test::group_fixture;
using sgp::test::small_config;

namespace {

std::uint64_t total_iterations(const sgp::config::config& c) {
  // 512 samples over n nodes in batches of 8, for 6 epochs.
  const auto shard = 512 / c.cluster.nodes;
  return static_cast<std::uint64_t>(6 * ((shard + 7) / 8));
}

}  // namespace

TEST_CASE("every algorithm trains a group to the end", "[actors]") {
  const std::string algorithm = GENERATE("sgp", "osgp", "ar-sgd", "d-psgd");
  group_fixture f;
  const auto c = small_config(4, algorithm);
  f.spawn(c);
  const auto s = f.run();
  INFO(f.error);
  REQUIRE(s);
  CHECK(s->algorithm == algorithm);
  CHECK(s->live_nodes == 4);
  CHECK(s->iterations == total_iterations(c));
  check_weight(*s);
  CHECK(s->total_weight == Approx(4.0));
  for (const double a : s->test_accuracy_per_node) CHECK(a > 0.5);  // 4 classes: chance is 0.25
  if (algorithm == "ar-sgd") CHECK(s->consensus_distance == 0.0);   // replicas stay equal
}

TEST_CASE("pushes that arrive late, out of order and twice are all applied", "[actors]") {
  group_fixture f;
  auto c = small_config(5, "osgp");
  c.network.latency = "1ms";
  c.network.jitter = "20ms";  // reorders pushes
  c.network.duplicate = 0.2;
  f.spawn(c);
  const auto s = f.run();
  REQUIRE(s);
  CHECK(s->messages_duplicate > 0);
  check_weight(*s);
  CHECK(s->total_weight == Approx(5.0).epsilon(1e-9));
}

TEST_CASE("with 30% loss and duplicates the weight stays exact", "[actors]") {
  const std::string algorithm = GENERATE("sgp", "osgp");
  group_fixture f;
  auto c = small_config(6, algorithm);
  c.network.loss = 0.3;
  c.network.duplicate = 0.1;
  c.algorithm.wait_timeout = "50ms";
  f.spawn(c);
  const auto s = f.run();
  REQUIRE(s);
  CHECK(s->messages_lost > 0);
  CHECK(s->messages_duplicate > 0);
  check_weight(*s);
  CHECK(s->expected_total_weight == 6.0);
}

TEST_CASE("resend_on_timeout: an expired wait has the edge's sums sent again, weight exact",
          "[actors]") {
  const std::string algorithm = GENERATE("sgp", "osgp");
  auto run = [&](bool resend) {
    group_fixture f;
    auto c = small_config(6, algorithm);
    c.network.loss = 0.3;
    c.algorithm.wait_timeout = "50ms";
    c.algorithm.resend_on_timeout = resend;
    f.spawn(c);
    auto s = f.run();
    INFO(f.error);
    REQUIRE(s);
    return *s;
  };
  const auto without = run(false);
  const auto with = run(true);
  INFO(algorithm << ": " << with.bytes_sent << " bytes with resends, " << without.bytes_sent
                 << " without; waits expired " << with.messages_late << " and "
                 << without.messages_late);
  CHECK(with.messages_lost > 0);
  CHECK(with.messages_late > 0);
  // Each expired wait asked for one more message on the links.
  CHECK(with.bytes_sent > without.bytes_sent);
  // and waited once more for it: fewer nodes went on without a push.
  CHECK(with.messages_late < without.messages_late);
  check_weight(with);
  CHECK(with.expected_total_weight == 6.0);
}

TEST_CASE("tau bounds how far a node runs ahead of a slow in-neighbour", "[actors]") {
  const int tau = GENERATE(0, 2);
  group_fixture f;
  auto c = small_config(2, "osgp");
  c.algorithm.tau = tau;
  c.algorithm.wait_timeout = "1000s";  // never give up waiting here
  c.network.latency = "5ms";
  auto slow = sgp::test::fault(1, "slow");
  slow.node = 1;
  slow.factor = 20.0;
  c.faults.push_back(slow);
  f.spawn(c);
  std::int64_t worst_lag = 0;
  const auto s = f.run([&](sgp::actors::supervisor_state& st) {
    if (st.last[0] && st.last[1] && !st.done[0] && !st.done[1]) {
      const auto lag = static_cast<std::int64_t>(st.last[0]->iteration) -
                       static_cast<std::int64_t>(st.last[1]->iteration);
      worst_lag = std::max(worst_lag, std::abs(lag));
    }
    return false;
  });
  REQUIRE(s);
  // A node may finish tau + 2 steps beyond the last message it has from its
  // only in-neighbour (which is the other node); reports trail by one.
  CHECK(worst_lag <= tau + 3);
  CHECK(s->messages_late == 0);
}

TEST_CASE("steady-state time per iteration leaves the warm-up out", "[actors]") {
  // Two sgp nodes wait for each other's pushes every iteration, so under the
  // virtual clock an iteration takes one link latency: 50 ms for the first
  // iterations, then 1 ms once the link is set faster (inside the warm-up,
  // the first tenth of the run).
  group_fixture f;
  auto c = small_config(2, "sgp");
  c.network.latency = "50ms";
  auto faster = sgp::test::fault(2, "link_set");
  faster.from = 0;
  faster.to = 1;
  faster.latency = "1ms";
  c.faults.push_back(faster);
  f.spawn(c);
  const auto s = f.run();
  REQUIRE(s);
  REQUIRE(s->iterations >= 100);
  // Steady state: only 1 ms iterations (plus transfer at 10 Gbit/s).
  CHECK(s->seconds_per_iteration >= 0.001);
  CHECK(s->seconds_per_iteration < 0.0015);
  // The mean over the two nodes, over the same window.
  CHECK(s->seconds_per_iteration_mean >= 0.001);
  CHECK(s->seconds_per_iteration_mean < 0.0015);
  // Whole run: the 50 ms iterations of the start are in it.
  CHECK(s->seconds_per_iteration_whole >
        s->seconds_per_iteration + 0.045 / static_cast<double>(s->iterations));
}
