// The control-plane messages survive CAF's binary serialization field for
// field, alone and inside a caf::message (by their registered type names),
// and a damaged buffer is refused with an error instead of a bad value.
#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <vector>

#include "actors/message_types.hpp"
#include "actors/messages.hpp"

namespace sgp::actors {
namespace {

/// x serialized and read back into a default-constructed T.
template <class T>
T round_trip(T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  REQUIRE_FALSE(sink(x));
  T out{};
  caf::binary_deserializer source{nullptr, buf};
  const auto err = source(out);
  INFO(caf::to_string(err));
  REQUIRE_FALSE(err);
  return out;
}

core::membership_view sample_view() {
  auto v = core::membership_view::all_up(4);
  v.epoch = 17;
  v.live[2] = false;
  v.incarnation = {0, 3, 1, 9};
  v.links.set(1, 3, false);
  v.links.set(3, 0, false);
  return v;
}

void check_same(const core::membership_view& a, const core::membership_view& b) {
  CHECK(a.epoch == b.epoch);
  CHECK(a.live == b.live);
  CHECK(a.incarnation == b.incarnation);
  REQUIRE(a.links.size() == b.links.size());
  for (std::size_t i = 0; i < a.links.size(); ++i) {
    for (std::size_t j = 0; j < a.links.size(); ++j) CHECK(a.links.up(i, j) == b.links.up(i, j));
  }
}

TEST_CASE("membership views, commands and forgotten edges survive serialization", "[actors]") {
  const auto view = sample_view();
  check_same(round_trip(view), view);

  core::command c;
  c.kind = core::command_kind::link_set;
  c.from = 2;
  c.to = 5;
  c.symmetric = false;
  c.node = 7;
  c.factor = 2.5;
  c.bandwidth_bits_per_second = 1e9;
  c.loss = 0.01;  // latency and jitter stay unset
  c.groups = {{0, 1}, {2, 3, 4}};
  const auto c2 = round_trip(c);
  CHECK(c2.kind == c.kind);
  CHECK(c2.from == 2);
  CHECK(c2.to == 5);
  CHECK_FALSE(c2.symmetric);
  CHECK(c2.node == 7);
  CHECK(c2.factor == 2.5);
  CHECK(c2.bandwidth_bits_per_second == std::optional<double>(1e9));
  CHECK_FALSE(c2.latency_seconds.has_value());
  CHECK_FALSE(c2.jitter_seconds.has_value());
  CHECK(c2.loss == std::optional<double>(0.01));
  CHECK(c2.groups == c.groups);

  const std::vector<core::forgotten_edges> f{{3, 0.25, 0.125}, {1, 1.5, 0.0}};
  const auto f2 = round_trip(f);
  REQUIRE(f2.size() == 2);
  CHECK(f2[0].peer == 3);
  CHECK(f2[0].sent_weight == 0.25);
  CHECK(f2[0].applied_weight == 0.125);
  CHECK(f2[1].peer == 1);
  CHECK(f2[1].sent_weight == 1.5);
}

TEST_CASE("reports, link updates, results and status survive serialization", "[actors]") {
  iteration_report r{3, 120, 4.5, 0.75, 0.05, 0.5, 0.002, 0.01, 999, 4, 5, 6, {}, 1.25};
  r.out_peers = {1, 2, 4};
  const auto r2 = round_trip(r);
  CHECK(r2.node == 3);
  CHECK(r2.iteration == 120);
  CHECK(r2.time == 4.5);
  CHECK(r2.loss == 0.75);
  CHECK(r2.lr == 0.05);
  CHECK(r2.w == 0.5);
  CHECK(r2.comm_wait == 0.002);
  CHECK(r2.compute_seconds == 0.01);
  CHECK(r2.bytes_sent == 999);
  CHECK(r2.messages_late == 4);
  CHECK(r2.messages_lost == 5);
  CHECK(r2.messages_duplicate == 6);
  CHECK(r2.out_peers == r.out_peers);
  CHECK(r2.paused == 1.25);

  link_update u;
  u.kind = link_update::what::partition;
  u.from = 1;
  u.to = 2;
  u.properties = {1e8, 0.005, 0.001, 0.2};
  u.groups = {{0}, {1, 2}};
  const auto u2 = round_trip(u);
  CHECK(u2.kind == link_update::what::partition);
  CHECK(u2.from == 1);
  CHECK(u2.to == 2);
  CHECK(u2.properties.bandwidth_bits_per_second == 1e8);
  CHECK(u2.properties.latency_seconds == 0.005);
  CHECK(u2.properties.jitter_seconds == 0.001);
  CHECK(u2.properties.loss == 0.2);
  CHECK(u2.groups == u.groups);

  const auto e2 = round_trip(eval_result{-1, 0.91, 0.3});
  CHECK(e2.node == -1);
  CHECK(e2.accuracy == 0.91);
  CHECK(e2.loss == 0.3);

  core::cluster_status s;
  s.algorithm = "osgp";
  s.topology = "exponential";
  s.time = 12.5;
  s.iteration = 300;
  s.total_iterations = 1000;
  s.view_epoch = 4;
  s.live_nodes = 3;
  s.connected = false;
  s.finishing = true;
  s.consensus_distance = 0.03;
  s.window_seconds = 5.0;
  core::node_status n;
  n.id = 2;
  n.state = "train";
  n.iteration = 299;
  n.straggler = true;
  n.straggler_reason = "slow steps";
  n.host = "h1";
  n.device = "cuda:1";
  n.out_peers = {0, 3};
  s.nodes = {n};
  s.edges = {core::edge_status{2, 0, false, true, true, 4096, 8, 100.0, 2.0}};
  s.history = {core::history_point{1.0, 2.0, 0.5}};
  // to_json writes every field of the snapshot, in order.
  CHECK(core::to_json(round_trip(s)) == core::to_json(s));
}

TEST_CASE("a message of registered types survives serialization by its type names", "[actors]") {
  caf::actor_system_config cfg;
  add_message_types(cfg);
  caf::actor_system sys{cfg};
  const auto msg = caf::make_message(view_atom::value, sample_view(), eval_result{1, 0.5, 0.7});
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  REQUIRE_FALSE(sink(const_cast<caf::message&>(msg)));
  caf::message out;
  caf::binary_deserializer source{sys, buf};
  REQUIRE_FALSE(source(out));
  REQUIRE(out.match_elements<view_atom, core::membership_view, eval_result>());
  check_same(out.get_as<core::membership_view>(1), sample_view());
  CHECK(out.get_as<eval_result>(2).accuracy == 0.5);
}

TEST_CASE("a cut buffer is refused, not read as a shorter value", "[actors]") {
  // (A whole caf::message cut short comes back from CAF 0.17 as an empty
  // message without an error; BASP frames carry their length, so it does
  // not see cut payloads. Our own types must refuse one.)
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  auto view = sample_view();
  REQUIRE_FALSE(sink(view));
  for (const std::size_t keep : {buf.size() - 1, buf.size() / 2, std::size_t{3}}) {
    const std::vector<char> cut(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(keep));
    core::membership_view out;
    caf::binary_deserializer source{nullptr, cut};
    INFO(keep << " of " << buf.size() << " bytes");
    CHECK(source(out));
  }
}

TEST_CASE("a link mask whose bits do not match its size is refused", "[actors]") {
  // Written by hand: 3 nodes but 4 bits.
  std::vector<char> buf;
  caf::binary_serializer sink{nullptr, buf};
  std::uint64_t n = 3;
  std::vector<std::uint8_t> bits{1, 0, 1, 1};
  REQUIRE_FALSE(sink(n, bits));
  core::link_mask m;
  caf::binary_deserializer source{nullptr, buf};
  const auto err = source(m);
  CHECK(err);
  CHECK(m.size() == 0);  // untouched
}

}  // namespace
}  // namespace sgp::actors
