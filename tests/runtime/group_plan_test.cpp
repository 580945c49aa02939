// A group's parts from typed settings (runtime/group_plan.hpp): each
// algorithm's gossip options, the emulated links in SI units, and the
// compute set-up's names for gpu/'s factory.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/settings.hpp"
#include "runtime/group_plan.hpp"

using sgp::runtime::cluster_links;
using sgp::runtime::compute_setup_of;
using sgp::runtime::configured_links;
using sgp::runtime::gossip_options_of;
namespace core = sgp::core;

namespace {

struct planned {
  sgp::config::config cfg;
  sgp::config::settings set;
};

planned plan_of(const std::string& toml, const std::vector<std::string>& overrides = {}) {
  auto c = sgp::config::load_string(toml, "plan.toml", overrides);
  REQUIRE(c.ok());
  auto s = sgp::config::resolve(*c);
  REQUIRE(s.ok());
  return {std::move(c).value(), std::move(s).value()};
}

}  // namespace

TEST_CASE("each algorithm's gossip options come from its typed name", "[runtime]") {
  const auto sgp = plan_of("[algorithm]\nname = \"sgp\"\ntopology = \"ring\"\n");
  auto o = gossip_options_of(sgp.cfg, sgp.set);
  CHECK(o.schedule.kind == core::topology_kind::ring);
  CHECK(o.mode == core::gossip_mode::blocking);
  CHECK(o.communicate);
  CHECK(o.space == core::step_space::z);
  CHECK_FALSE(o.bf16_shares);

  // d-psgd always gossips on the bipartite exponential graph.
  const auto dpsgd = plan_of("[algorithm]\nname = \"d-psgd\"\ntopology = \"ring\"\n");
  o = gossip_options_of(dpsgd.cfg, dpsgd.set);
  CHECK(o.schedule.kind == core::topology_kind::bipartite_exponential);
  CHECK(o.mode == core::gossip_mode::blocking);

  const auto osgp = plan_of(
      "[algorithm]\nname = \"osgp\"\ntau = 2\nosgp_variant = \"reference\"\nstep_space = "
      "\"x\"\ncompression = \"bf16\"\n");
  o = gossip_options_of(osgp.cfg, osgp.set);
  CHECK(o.mode == core::gossip_mode::overlapped);
  CHECK(o.overlap == core::overlap_variant::reference);
  CHECK(o.tau == 2);
  CHECK(o.space == core::step_space::x);
  CHECK(o.bf16_shares);
  CHECK(o.blocking_until == 0);

  // Overlap from epoch 1.5, at 40 iterations an epoch: blocking before 60.
  const auto later = plan_of("[algorithm]\nname = \"osgp\"\noverlap_from_epoch = 1.5\n");
  o = gossip_options_of(later.cfg, later.set);
  sgp::runtime::set_overlap_start(o, later.cfg, 40);
  CHECK(o.blocking_until == 60);

  // AllReduce and compute-only runs do not gossip, and step in z space.
  for (const char* name : {"ar-sgd", "none"}) {
    const auto p =
        plan_of(std::string("[algorithm]\nname = \"") + name + "\"\nstep_space = \"x\"\n");
    o = gossip_options_of(p.cfg, p.set);
    CHECK_FALSE(o.communicate);
    CHECK(o.space == core::step_space::z);
  }
}

TEST_CASE("configured links are in bits/s and seconds, overrides on top of defaults", "[runtime]") {
  const auto p = plan_of(R"([cluster]
nodes = 3
[network]
bandwidth = "1Gbit"
latency = "5ms"
jitter = "1ms"
[[network.link]]
from = 0
to = 1
bandwidth = "100Mbit"
[[network.link]]
from = 1
to = 2
symmetric = false
latency = "20ms"
)");
  const auto links = configured_links(p.cfg, p.set);
  const auto& plain = links.properties(0, 2);
  CHECK(plain.bandwidth_bits_per_second == Approx(1e9));
  CHECK(plain.latency_seconds == Approx(0.005));
  CHECK(plain.jitter_seconds == Approx(0.001));
  CHECK(links.properties(0, 1).bandwidth_bits_per_second == Approx(1e8));
  CHECK(links.properties(1, 0).bandwidth_bits_per_second == Approx(1e8));  // symmetric
  CHECK(links.properties(0, 1).latency_seconds == Approx(0.005));
  CHECK(links.properties(1, 2).latency_seconds == Approx(0.02));
  CHECK(links.properties(2, 1).latency_seconds == Approx(0.005));  // one direction only
}

TEST_CASE("a cluster emulates only a given network and a node may share one interface",
          "[runtime]") {
  // No [network]: one process emulates its defaults (10 Gbit/s), a cluster
  // process emulates nothing on top of the real network.
  const auto bare = plan_of("[cluster]\nnodes = 3\n");
  CHECK_FALSE(bare.cfg.network.given);
  CHECK(configured_links(bare.cfg, bare.set).properties(0, 1).bandwidth_bits_per_second ==
        Approx(10e9));
  const auto real = cluster_links(bare.cfg, bare.set);
  CHECK(real.properties(0, 1).bandwidth_bits_per_second == 0.0);  // infinite
  CHECK(real.transfer_seconds(0, 1, 1'000'000'000) == 0.0);
  CHECK_FALSE(real.shared_egress());
  // A [network] table, even with the default bandwidth, is emulated there.
  const auto given = plan_of(
      "[cluster]\nnodes = 3\n[network]\nbandwidth = \"10Gbit\"\n"
      "shared_egress = true\n");
  CHECK(given.cfg.network.given);
  const auto links = cluster_links(given.cfg, given.set);
  CHECK(links.properties(0, 1).bandwidth_bits_per_second == Approx(10e9));
  CHECK(links.shared_egress());
  // --set network.* gives it too.
  const auto set = plan_of("[cluster]\nnodes = 2\n", {"network.latency=5ms"});
  CHECK(set.cfg.network.given);
  CHECK(cluster_links(set.cfg, set.set).properties(0, 1).latency_seconds == Approx(0.005));
  // A wrong type names the key.
  auto bad = sgp::config::load_string("[network]\nshared_egress = 1\n", "plan.toml", {});
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.err().message, Catch::Contains("network.shared_egress"));
}

TEST_CASE("links charge network.frame_overhead per segment, 66 bytes unless set", "[runtime]") {
  const auto plain = plan_of("[cluster]\nnodes = 2\n");
  CHECK(configured_links(plain.cfg, plain.set).frame_overhead() == 66.0);
  const auto nic = plan_of("[cluster]\nnodes = 2\n[network]\nframe_overhead = 90\n");
  CHECK(configured_links(nic.cfg, nic.set).frame_overhead() == 90.0);
  CHECK(cluster_links(nic.cfg, nic.set).frame_overhead() == 90.0);
  auto bad = sgp::config::load_string("[network]\nframe_overhead = -1\n", "plan.toml", {});
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.err().message, Catch::Contains("network.frame_overhead"));
}

TEST_CASE("the compute set-up names the backend and model for gpu/'s factory", "[runtime]") {
  const auto p = plan_of("[model]\nname = \"cnn-bn\"\n[optimizer]\nweight_decay_scope = \"all\"\n",
                         {"schedule.kind=cosine"});
  const auto c = compute_setup_of(p.cfg, p.set, 4);
  CHECK(c.backend == "cpu");
  CHECK(c.model == "cnn-bn");
  CHECK(c.sgd.decay_all);
  CHECK(c.lr.kind == core::lr_decay::cosine);
  CHECK(c.threads == 1);  // several nodes share the cores
  CHECK_FALSE(c.reproducible_convolutions);
  const auto r = plan_of("[backend]\nconv_search = \"reproducible\"\n", {});
  CHECK(compute_setup_of(r.cfg, r.set, 4).reproducible_convolutions);
}

TEST_CASE("a resume settles the kill and revive faults before its cut and replays the links",
          "[runtime]") {
  const auto p = plan_of(
      "[cluster]\nnodes = 4\n"
      "[[faults]]\nat_iteration = 3\naction = \"kill\"\nnode = 1\n"
      "[[faults]]\nat_iteration = 5\naction = \"link_down\"\nfrom = 0\nto = 2\n"
      "[[faults]]\nat_iteration = 6\naction = \"revive\"\nnode = 1\n"
      "[[faults]]\nat_iteration = 13\naction = \"kill\"\nnode = 3\n"
      "[[faults]]\nat_seconds = 1.0\naction = \"kill\"\nnode = 2\n");
  auto faults = sgp::runtime::scripted_faults(p.cfg, p.set);
  REQUIRE(faults.size() == 5);
  const auto settled = sgp::runtime::settle_faults_before(faults, 13);
  // Up to the cut (13 included: a node reports the cut's iteration before
  // it pauses there): the kills and the revive are in the checkpoint, the
  // link is not. By time: still to come.
  CHECK(faults[0].fired);
  CHECK_FALSE(faults[1].fired);
  CHECK(faults[2].fired);
  CHECK(faults[3].fired);
  CHECK_FALSE(faults[4].fired);
  REQUIRE(settled.settled.size() == 3);
  CHECK(settled.settled[0] == "kill 1 at iteration 3");
  CHECK(settled.settled[1] == "revive 1 at iteration 6");
  CHECK(settled.settled[2] == "kill 3 at iteration 13");
  REQUIRE(settled.replayed.size() == 1);
  CHECK(settled.replayed[0] == "link down 0 2 at iteration 5");
  CHECK(faults[1].due(14, 0.0));  // the link fires again at the first step
  CHECK_FALSE(faults[0].due(14, 0.0));

  const auto lines = sgp::runtime::resume_fault_lines(settled, "the cut at iteration 13");
  REQUIRE(lines.size() == 2);
  CHECK_THAT(lines[0], Catch::Contains("up to the cut at iteration 13 happened already") &&
                           Catch::Contains("kill 1 at iteration 3; revive 1 at iteration 6"));
  CHECK_THAT(lines[1], Catch::Contains("fire again"));
  // A rejoin settles every kind: its welcome replayed the links.
  auto rejoin = sgp::runtime::scripted_faults(p.cfg, p.set);
  const auto welcomed = sgp::runtime::settle_faults_before(rejoin, 5, true);
  CHECK(welcomed.settled.size() == 2);
  CHECK(welcomed.replayed.empty());
  CHECK(rejoin[1].fired);
  CHECK_FALSE(rejoin[2].fired);
  // A resume at the start: nothing before it, nothing said.
  auto fresh = sgp::runtime::scripted_faults(p.cfg, p.set);
  CHECK(
      sgp::runtime::resume_fault_lines(sgp::runtime::settle_faults_before(fresh, 0), "x").empty());
  // With the run's seconds at the cut known, a fault due by time before
  // them is settled too (the kill of node 2 at 1 s, here 1.5 s in); one
  // due later is not, and neither without the seconds (an older file).
  auto timed = sgp::runtime::scripted_faults(p.cfg, p.set);
  const auto by_time = sgp::runtime::settle_faults_before(timed, 4, false, 1.5);
  CHECK(timed[4].fired);
  REQUIRE(by_time.settled.size() == 2);
  CHECK(by_time.settled[1] == "kill 2 at 1 s");
  auto early = sgp::runtime::scripted_faults(p.cfg, p.set);
  (void)sgp::runtime::settle_faults_before(early, 4, false, 0.5);
  CHECK_FALSE(early[4].fired);
  auto unknown = sgp::runtime::scripted_faults(p.cfg, p.set);
  (void)sgp::runtime::settle_faults_before(unknown, 4, false, -1.0);
  CHECK_FALSE(unknown[4].fired);
}
