// Each gossip variant against a small reference computation: a few nodes,
// each minimising a quadratic f_i(z) = a_i/2 · |z - b_i|^2 with plain SGD
// steps, simulated with gossip_node and with the update rules written out
// directly (the paper's Algorithm 1, the reference code's overlap). x is
// kept in double; the steps are the same floats on both sides.
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>

#include "core/gossip_node.hpp"
#include "core/host_mass_space.hpp"
#include "core/rng.hpp"

using namespace sgp::core;

namespace {

constexpr std::size_t dim = 2;
constexpr double gamma_lr = 0.125;

/// Node i's quadratic: curvature a_i, minimum b_i.
double curvature(std::size_t i) {
  return 0.5 + 0.25 * static_cast<double>(i % 4);
}
double minimum(std::size_t i, std::size_t k) {
  return static_cast<double>(i) - 2.0 * static_cast<double>(k);
}

/// The optimizer's step at z: -gamma · a_i · (z - b_i), in float as a compute engine gives it.
std::vector<float> sgd_delta(std::size_t i, const std::vector<double>& z) {
  std::vector<float> d(dim);
  for (std::size_t k = 0; k < dim; ++k) {
    d[k] = static_cast<float>(-gamma_lr * curvature(i) * (z[k] - minimum(i, k)));
  }
  return d;
}

std::vector<double> initial_x() {
  return {1.0, -1.0};
}

/// What one node did at one step: the model it computed with and its weight.
struct step_record {
  std::vector<double> z;
  double w = 0.0;
};
using trajectory = std::map<std::pair<std::size_t, std::uint64_t>, step_record>;

/// The paper's SGP (Algorithm 1) in lockstep: step (x or z space), push
/// p·(x, w) to this iteration's out-neighbours, keep p·(x, w), mix.
trajectory reference_sgp(std::size_t n, const graph_schedule& schedule, step_space space,
                         std::uint64_t iterations) {
  std::vector<std::vector<double>> x(n, initial_x());
  std::vector<double> w(n, 1.0);
  std::vector<double> mean_w(n, 1.0);  // balanced steps' running mean of w
  trajectory out;
  const auto live = all_live(n);
  const link_mask links(n);
  for (std::uint64_t k = 0; k < iterations; ++k) {
    std::vector<std::vector<double>> next_x(n, std::vector<double>(dim, 0.0));
    std::vector<double> next_w(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<double> z(dim);
      for (std::size_t c = 0; c < dim; ++c) z[c] = x[i][c] / w[i];
      out[{i, k}] = {z, w[i]};
      const auto d = sgd_delta(i, z);
      double scale = space == step_space::z ? w[i] : 1.0;
      if (space == step_space::balanced) {
        mean_w[i] += gossip_node::balanced_mean_rate * (w[i] - mean_w[i]);
        scale = w[i] / mean_w[i];
      }
      for (std::size_t c = 0; c < dim; ++c) x[i][c] += scale * static_cast<double>(d[c]);
      const auto peers = schedule.out_peers(live, links, k, i);
      const double p = 1.0 / static_cast<double>(peers.size() + 1);
      for (std::size_t c = 0; c < dim; ++c) next_x[i][c] += p * x[i][c];
      next_w[i] += p * w[i];
      for (const std::size_t j : peers) {
        for (std::size_t c = 0; c < dim; ++c) next_x[j][c] += p * x[i][c];
        next_w[j] += p * w[i];
      }
    }
    x = std::move(next_x);
    w = std::move(next_w);
  }
  return out;
}

/// A cluster of gossip_nodes driven by an event loop: each event either
/// steps a ready node or delivers the oldest message of some edge (edges
/// are FIFO, the interleaving across edges is random). `slow` steps only
/// when no other node can.
struct simulation {
  std::vector<gossip_node> nodes;
  std::map<std::pair<std::size_t, std::size_t>, std::deque<gossip_envelope>> edges;
  trajectory record;
  rng random;

  simulation(std::size_t n, gossip_options options, std::uint64_t seed) : random(seed) {
    for (std::size_t i = 0; i < n; ++i) {
      nodes.emplace_back(i, std::make_unique<host_mass_space<double>>(initial_x()), 1.0, options,
                         membership_view::all_up(n));
    }
  }

  void step(std::size_t i) {
    auto& node = nodes[i];
    const auto z32 = node.sums().debiased();
    std::vector<double> z(z32.begin(), z32.end());
    record[{i, node.iteration()}] = {z, node.w()};
    const auto d = sgd_delta(i, z);
    for (auto& e : node.step(d)) edges[{i, e.message->to}].push_back(std::move(e));
  }

  void deliver(std::pair<std::size_t, std::size_t> edge) {
    auto& queue = edges[edge];
    auto e = std::move(queue.front());
    queue.pop_front();
    nodes[edge.second].receive(e);
    for (auto& out : nodes[edge.second].poll()) {
      edges[{edge.second, out.message->to}].push_back(std::move(out));
    }
  }

  /// Runs until every node has done `iterations` steps.
  void run(std::uint64_t iterations, std::size_t slow = ~std::size_t{0}) {
    for (int guard = 0; guard < 1000000; ++guard) {
      std::vector<std::size_t> ready;
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (nodes[i].iteration() < iterations && nodes[i].ready()) ready.push_back(i);
      }
      std::vector<std::pair<std::size_t, std::size_t>> busy;
      for (const auto& [edge, queue] : edges) {
        if (!queue.empty()) busy.push_back(edge);
      }
      if (ready.empty() && busy.empty()) return;
      std::vector<std::size_t> fast;
      for (const auto i : ready) {
        if (i != slow) fast.push_back(i);
      }
      if (!fast.empty()) ready = fast;
      const bool do_step =
          !ready.empty() && (busy.empty() || random.uniform() < (fast.empty() ? 0.1 : 0.5));
      if (do_step) {
        step(ready[random.below(ready.size())]);
      } else if (!busy.empty()) {
        deliver(busy[random.below(busy.size())]);
      } else {
        step(ready[random.below(ready.size())]);
      }
    }
    FAIL("the simulation did not finish");
  }
};

void check_equal(const trajectory& got, const trajectory& want) {
  REQUIRE(got.size() == want.size());
  for (const auto& [key, expected] : want) {
    INFO("node " << key.first << " iteration " << key.second);
    const auto it = got.find(key);
    REQUIRE(it != got.end());
    CHECK(it->second.w == Approx(expected.w).epsilon(1e-12));
    for (std::size_t c = 0; c < dim; ++c) {
      CHECK(it->second.z[c] == Approx(expected.z[c]).epsilon(1e-9).margin(1e-12));
    }
  }
}

gossip_options options_of(gossip_mode mode, step_space space, topology_kind kind) {
  gossip_options o;
  o.schedule.kind = kind;
  o.mode = mode;
  o.space = space;
  return o;
}

}  // namespace

TEST_CASE("blocking SGP follows Algorithm 1 whatever the timing: w at the step is fixed",
          "[core]") {
  const auto space = GENERATE(step_space::x, step_space::z, step_space::balanced);
  const auto kind = GENERATE(topology_kind::exponential,
                             topology_kind::dynamic_directed_exponential, topology_kind::complete);
  const std::size_t n = GENERATE(3, 4, 6);
  const std::uint64_t iterations = 24;
  const auto options = options_of(gossip_mode::blocking, space, kind);
  const auto want = reference_sgp(n, options.schedule, space, iterations);
  for (const std::uint64_t seed : {1, 2, 3}) {
    INFO("seed " << seed);
    simulation sim(n, options, seed);
    // Node 0 is slow: the others run ahead and their pushes arrive early.
    sim.run(iterations, seed == 1 ? 0 : ~std::size_t{0});
    check_equal(sim.record, want);
    std::uint64_t held = 0;
    for (const auto& node : sim.nodes) held += node.counters().held;
    if (seed == 1 && kind != topology_kind::complete) CHECK(held > 0);
  }
}

TEST_CASE("x-space and z-space steps differ once w is not 1", "[core]") {
  // Three nodes on the bipartite exponential graph: the odd node out makes
  // one node receive from two peers, so w leaves 1, and the two rules part.
  const graph_schedule s{topology_kind::bipartite_exponential, 1};
  const auto x = reference_sgp(3, s, step_space::x, 6);
  const auto z = reference_sgp(3, s, step_space::z, 6);
  bool w_moved = false;
  bool differ = false;
  for (const auto& [key, r] : x) {
    w_moved = w_moved || r.w != 1.0;
    differ = differ || r.z != z.at(key).z;
  }
  CHECK(w_moved);
  CHECK(differ);
}

TEST_CASE("balanced steps lie between x and z space and become x-space steps at a steady w",
          "[core]") {
  const graph_schedule s{topology_kind::bipartite_exponential, 1};
  const auto x = reference_sgp(3, s, step_space::x, 8);
  const auto z = reference_sgp(3, s, step_space::z, 8);
  const auto b = reference_sgp(3, s, step_space::balanced, 8);
  bool differs_from_x = false;
  bool differs_from_z = false;
  for (const auto& [key, r] : b) {
    differs_from_x = differs_from_x || r.z != x.at(key).z;
    differs_from_z = differs_from_z || r.z != z.at(key).z;
  }
  CHECK(differs_from_x);
  CHECK(differs_from_z);
  // One node alone at w = 1/2 (half its mass given away for good): its
  // running mean of w goes to 1/2, so its steps tend to x += delta, and the
  // sum of what the steps added to x tends to the sum of the deltas.
  gossip_options o =
      options_of(gossip_mode::overlapped, step_space::balanced, topology_kind::exponential);
  o.communicate = false;
  gossip_node node(0, std::make_unique<host_mass_space<double>>(std::vector<double>{0.0, 0.0}), 0.5,
                   o, membership_view::all_up(1));
  const std::vector<float> one = {1.0f, 1.0f};
  double added = 0.0;
  double want = 0.0;
  double mean = 1.0;
  for (int k = 0; k < 200; ++k) {
    const double before = node.sums().x()[0];
    (void)node.step(one);
    added = node.sums().x()[0] - before;
    mean += gossip_node::balanced_mean_rate * (0.5 - mean);
    want = 0.5 / mean;
    CHECK(added == Approx(want).epsilon(1e-6));
  }
  CHECK(added == Approx(1.0).epsilon(1e-4));  // an x-space step
}

TEST_CASE("bounded OSGP with one iteration of delay follows its update rule", "[core]") {
  // Every push is delivered after all nodes have taken the next step:
  // x_i(k+1) = p·(x_i(k) + d_i(k)) + shares of round k-1.
  const std::size_t n = 5;
  const std::uint64_t iterations = 20;
  auto options = options_of(gossip_mode::overlapped, step_space::x, topology_kind::exponential);
  options.overlap = overlap_variant::bounded;
  options.tau = 1;
  simulation sim(n, options, 1);
  std::vector<std::vector<gossip_envelope>> previous(n);
  std::vector<std::vector<double>> x(n, initial_x());
  std::vector<double> w(n, 1.0);
  std::vector<std::vector<double>> in_x(n, std::vector<double>(dim, 0.0));
  std::vector<double> in_w(n, 0.0);
  const auto live = all_live(n);
  const link_mask links(n);
  for (std::uint64_t k = 0; k < iterations; ++k) {
    std::vector<gossip_envelope> sent;
    std::vector<std::vector<double>> next_in_x(n, std::vector<double>(dim, 0.0));
    std::vector<double> next_in_w(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE(sim.nodes[i].ready());
      // The reference rule.
      std::vector<double> z(dim);
      for (std::size_t c = 0; c < dim; ++c) z[c] = x[i][c] / w[i];
      const auto d = sgd_delta(i, z);
      const auto peers = options.schedule.out_peers(live, links, k, i);
      const double p = 1.0 / static_cast<double>(peers.size() + 1);
      for (std::size_t c = 0; c < dim; ++c) x[i][c] = p * (x[i][c] + d[c]);
      w[i] *= p;
      for (const std::size_t j : peers) {
        for (std::size_t c = 0; c < dim; ++c) next_in_x[j][c] += x[i][c];
        next_in_w[j] += w[i];
      }
      // The node.
      const auto zi = sim.nodes[i].sums().debiased();
      for (std::size_t c = 0; c < dim; ++c) CHECK(zi[c] == Approx(z[c]).epsilon(1e-9));
      for (auto& e : sim.nodes[i].step(sgd_delta(i, {zi.begin(), zi.end()}))) sent.push_back(e);
    }
    for (auto& e : previous[0]) sim.nodes[e.message->to].receive(e);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t c = 0; c < dim; ++c) x[i][c] += in_x[i][c];
      w[i] += in_w[i];
      CHECK(sim.nodes[i].w() == Approx(w[i]).epsilon(1e-12));
    }
    previous[0] = std::move(sent);
    in_x = std::move(next_in_x);
    in_w = std::move(next_in_w);
  }
}

TEST_CASE("reference OSGP keeps one round in flight and skips pushes until it is absorbed",
          "[core]") {
  // Rounds are delivered after every node's next step: the next query finds
  // the round incomplete and skips the push (tau = 1 allows one skip), the
  // one after absorbs it and pushes. The reference code's rule, written out:
  // at a push x, w <- p·(x, w) and the shares leave; at the absorption the
  // received shares are added; every step is x += d.
  const std::size_t n = 4;
  const std::uint64_t iterations = 16;
  auto options = options_of(gossip_mode::overlapped, step_space::x,
                            topology_kind::dynamic_directed_exponential);
  options.overlap = overlap_variant::reference;
  options.tau = 1;
  simulation sim(n, options, 1);
  std::vector<std::vector<double>> x(n, initial_x());
  std::vector<double> w(n, 1.0);
  std::vector<std::vector<double>> in_x(n, std::vector<double>(dim, 0.0));
  std::vector<double> in_w(n, 0.0);
  std::vector<gossip_envelope> in_flight;
  bool round_in_flight = false;
  bool delivered = false;
  std::uint64_t round = 0;
  const auto live = all_live(n);
  const link_mask links(n);
  for (std::uint64_t k = 0; k < iterations; ++k) {
    const bool absorb = round_in_flight && delivered;
    const bool push = !round_in_flight || absorb;
    std::vector<gossip_envelope> sent;
    std::vector<std::vector<double>> next_in_x(n, std::vector<double>(dim, 0.0));
    std::vector<double> next_in_w(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE(sim.nodes[i].ready());
      std::vector<double> z(dim);
      for (std::size_t c = 0; c < dim; ++c) z[c] = x[i][c] / w[i];
      const auto zi = sim.nodes[i].sums().debiased();
      for (std::size_t c = 0; c < dim; ++c) CHECK(zi[c] == Approx(z[c]).epsilon(1e-9));
      CHECK(sim.nodes[i].w() == Approx(w[i]).epsilon(1e-12));
      const auto d = sgd_delta(i, z);
      for (std::size_t c = 0; c < dim; ++c) x[i][c] += d[c];
      if (push) {
        const auto peers = options.schedule.out_peers(live, links, round, i);
        const double p = 1.0 / static_cast<double>(peers.size() + 1);
        for (std::size_t c = 0; c < dim; ++c) x[i][c] *= p;
        w[i] *= p;
        for (const std::size_t j : peers) {
          for (std::size_t c = 0; c < dim; ++c) next_in_x[j][c] += x[i][c];
          next_in_w[j] += w[i];
        }
      }
      const auto out = sim.nodes[i].step(sgd_delta(i, {zi.begin(), zi.end()}));
      CHECK(out.empty() == !push);
      sent.insert(sent.end(), out.begin(), out.end());
    }
    if (push) {
      ++round;
      round_in_flight = true;
      delivered = false;
    }
    // Deliver the round that was in flight before this step.
    for (auto& e : in_flight) sim.nodes[e.message->to].receive(e);
    if (!in_flight.empty()) {
      delivered = true;
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t c = 0; c < dim; ++c) x[i][c] += in_x[i][c];
        w[i] += in_w[i];
      }
    }
    in_flight = std::move(sent);
    if (push) {
      in_x = std::move(next_in_x);
      in_w = std::move(next_in_w);
    }
  }
  // Half of the iterations pushed: the rest were skipped.
  CHECK(round == iterations / 2);
  CHECK(sim.nodes[0].rounds() == iterations / 2);
  CHECK(sim.nodes[0].counters().skipped_pushes == iterations / 2);
}

TEST_CASE("reference OSGP with tau = 0 waits for its round, then pushes", "[core]") {
  auto options = options_of(gossip_mode::overlapped, step_space::x, topology_kind::exponential);
  options.overlap = overlap_variant::reference;
  options.tau = 0;
  simulation sim(2, options, 1);
  sim.step(0);
  sim.step(1);
  CHECK(sim.nodes[0].ready());  // round 0 in flight, no query yet
  sim.step(0);                  // the query finds round 0 incomplete: no skip allowed
  CHECK_FALSE(sim.nodes[0].ready());
  CHECK(sim.nodes[0].waiting_on() == std::vector<std::size_t>{1});
  CHECK(sim.edges[{0, 1}].size() == 1);  // round 0 only
  sim.deliver({1, 0});                   // node 1's round 0: node 0 absorbs it and pushes round 1
  CHECK(sim.nodes[0].ready());
  CHECK(sim.nodes[0].rounds() == 2);
  CHECK(sim.edges[{0, 1}].size() == 2);
}

TEST_CASE("bounded OSGP with a blocking phase is Algorithm 1 before it, then overlaps", "[core]") {
  const std::uint64_t until = 8;
  const std::size_t n = 4;
  auto options = options_of(gossip_mode::overlapped, step_space::z, topology_kind::exponential);
  options.overlap = overlap_variant::bounded;
  options.tau = 0;
  options.blocking_until = until;
  const auto want = reference_sgp(n, options.schedule, step_space::z, until);
  for (const std::uint64_t seed : {1, 2, 3}) {
    INFO("seed " << seed);
    simulation sim(n, options, seed);
    // Node 0 is slow: the others run ahead; before `until` they wait for
    // it and hold its in-neighbours' early shares, as blocking SGP does.
    sim.run(until, seed == 1 ? 0 : ~std::size_t{0});
    check_equal(sim.record, want);
    std::uint64_t held = 0;
    for (const auto& node : sim.nodes) held += node.counters().held;
    if (seed == 1) CHECK(held > 0);
  }
  // From `until` on, tau + 1 more rounds may be outstanding: a node whose
  // in-neighbours say nothing takes tau + 2 steps, where blocking takes 1.
  simulation sim(2, options, 1);
  sim.run(until);  // returns with every push delivered
  std::uint64_t steps = 0;
  while (sim.nodes[0].ready() && steps < 10) {
    sim.step(0);
    ++steps;
  }
  CHECK(steps == options.tau + 2);
  // Before it, one step and a wait.
  simulation early(2, options, 1);
  early.step(0);
  CHECK_FALSE(early.nodes[0].ready());
  CHECK(early.nodes[0].waiting_on() == std::vector<std::size_t>{1});
}

TEST_CASE("flush mixes in held shares and resends the running sums", "[core]") {
  auto options = options_of(gossip_mode::blocking, step_space::x, topology_kind::exponential);
  simulation sim(2, options, 1);
  sim.step(0);
  sim.step(1);
  sim.deliver({0, 1});
  REQUIRE(sim.nodes[1].ready());
  sim.step(1);          // node 1 runs ahead: its round 1 goes out
  sim.deliver({1, 0});  // round 0: applied
  sim.deliver({1, 0});  // round 1: early for node 0, held
  CHECK(sim.nodes[0].held() == 1);
  const double w_before = sim.nodes[0].w();
  auto resent = sim.nodes[0].flush();
  CHECK(sim.nodes[0].held() == 0);
  CHECK(sim.nodes[0].w() > w_before);
  CHECK(sim.nodes[0].w() + sim.nodes[1].w() == Approx(2.0).epsilon(1e-15));
  REQUIRE(resent.size() == 1);
  CHECK(sim.nodes[1].receive(resent[0]) == apply_outcome::applied);  // no new mass
  CHECK(sim.nodes[0].w() + sim.nodes[1].w() == Approx(2.0).epsilon(1e-15));
}

TEST_CASE("reference OSGP: a finished node keeps the rounds going for the others", "[core]") {
  auto options = options_of(gossip_mode::overlapped, step_space::x, topology_kind::exponential);
  options.overlap = overlap_variant::reference;
  options.tau = 0;
  simulation sim(2, options, 1);
  sim.step(0);  // node 0's last step: round 0 out
  sim.step(1);
  sim.deliver({0, 1});
  sim.deliver({1, 0});
  sim.step(1);  // node 1 absorbs round 0 and pushes round 1
  CHECK(sim.nodes[1].rounds() == 2);
  sim.deliver({1, 0});                       // node 0 hears round 1
  CHECK(sim.nodes[0].poll(false).empty());   // still stepping: its next step pushes
  const auto out = sim.nodes[0].poll(true);  // finished: it pushes round 1 now
  REQUIRE(out.size() == 1);
  CHECK(out[0].round == 1);
  CHECK(sim.nodes[0].poll(true).empty());  // nobody is at round 2 yet
  sim.edges[{0, 1}].push_back(out[0]);
  sim.deliver({0, 1});
  sim.step(1);  // node 1's query finds round 1 complete: no wait
  CHECK(sim.nodes[1].ready());
  CHECK(sim.nodes[1].rounds() == 3);
}
