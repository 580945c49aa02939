// The status page's pure parts: HOST:PORT, the secret comparison, the
// snapshot's JSON and Prometheus rendering, and straggler marking.
#include <catch2/catch.hpp>

#include "core/cluster_status.hpp"
#include "core/endpoint.hpp"
#include "core/secret.hpp"

using namespace sgp::core;

TEST_CASE("output.http endpoints parse and loopback is recognised", "[core]") {
  auto a = parse_endpoint("127.0.0.1:8080");
  REQUIRE(a.ok());
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 8080);
  auto b = parse_endpoint("[::1]:0");
  REQUIRE(b.ok());
  CHECK(b->host == "::1");
  CHECK(b->port == 0);
  CHECK_FALSE(parse_endpoint("8080").ok());
  CHECK_FALSE(parse_endpoint("localhost:").ok());
  CHECK_FALSE(parse_endpoint("localhost:65536").ok());
  CHECK_FALSE(parse_endpoint("localhost:80x").ok());
  CHECK_FALSE(parse_endpoint("::1:8080").ok());
  CHECK(is_loopback("localhost"));
  CHECK(is_loopback("127.0.0.1"));
  CHECK(is_loopback("127.1.2.3"));
  CHECK(is_loopback("::1"));
  CHECK_FALSE(is_loopback("0.0.0.0"));
  CHECK_FALSE(is_loopback("127.example.com"));
  CHECK_FALSE(is_loopback("10.0.0.1"));
}

TEST_CASE("the secret matches only itself, and nothing when unset", "[core]") {
  CHECK(secret_matches("s3cret", "s3cret"));
  CHECK_FALSE(secret_matches("s3cres", "s3cret"));
  CHECK_FALSE(secret_matches("s3cre", "s3cret"));
  CHECK_FALSE(secret_matches("s3crett", "s3cret"));
  CHECK_FALSE(secret_matches("", "s3cret"));
  CHECK_FALSE(secret_matches("", ""));
  CHECK_FALSE(secret_matches("anything", ""));
}

namespace {

cluster_status three_nodes() {
  cluster_status s;
  s.algorithm = "osgp";
  s.topology = "exponential";
  s.iteration = 40;
  s.live_nodes = 2;
  for (int i = 0; i < 3; ++i) {
    node_status n;
    n.id = i;
    n.state = i == 2 ? "dead" : "train";
    n.iteration = i == 2 ? 0 : 40 - 3 * static_cast<std::uint64_t>(i);
    n.loss = 0.5;
    n.w = 1.0;
    n.device = "cpu";
    n.host = "h\"q";
    s.nodes.push_back(n);
  }
  edge_status e;
  e.from = 0;
  e.to = 1;
  e.bytes = 4096;
  e.messages = 2;
  s.edges.push_back(e);
  e.from = 1;
  e.to = 0;
  e.up = false;
  s.edges.push_back(e);
  s.history.push_back({1.0, 0.7, std::numeric_limits<double>::quiet_NaN()});
  return s;
}

}  // namespace

TEST_CASE("the snapshot renders as JSON and as Prometheus text", "[core]") {
  const auto s = three_nodes();
  const auto json = to_json(s);
  CHECK_THAT(json, Catch::StartsWith("{\"algorithm\":\"osgp\""));
  CHECK_THAT(json, Catch::Contains("\"host\":\"h\\\"q\""));  // escaped
  CHECK_THAT(json, Catch::Contains("\"consensus_distance\":null"));
  CHECK_THAT(json, Catch::Contains("{\"from\":1,\"to\":0,\"up\":false"));
  CHECK_THAT(json, Catch::EndsWith("]}"));

  const auto prom = to_prometheus(s);
  CHECK_THAT(prom, Catch::Contains("# TYPE sgp_live_nodes gauge\nsgp_live_nodes 2\n"));
  CHECK_THAT(prom, Catch::Contains("sgp_node_iteration{node=\"1\"} 37\n"));
  CHECK_THAT(prom, Catch::Contains("sgp_node_live{node=\"2\"} 0\n"));
  CHECK_THAT(prom, !Catch::Contains("sgp_node_iteration{node=\"2\"}"));  // dead: no values
  CHECK_THAT(prom, Catch::Contains("sgp_edge_bytes_total{from=\"0\",to=\"1\"} 4096\n"));
  CHECK_THAT(prom, Catch::Contains("sgp_edge_up{from=\"1\",to=\"0\"} 0\n"));
  CHECK_THAT(prom, !Catch::Contains("sgp_consensus_distance"));  // not measured yet
}

TEST_CASE("stragglers: far behind, slow, or long steps", "[core]") {
  cluster_status s;
  for (int i = 0; i < 5; ++i) {
    node_status n;
    n.id = i;
    n.state = "train";
    n.iterations_per_second = 100.0;
    n.compute_seconds = 0.001;
    s.nodes.push_back(n);
  }
  s.nodes[1].lag = 9;
  s.nodes[2].iterations_per_second = 40.0;
  s.nodes[3].compute_seconds = 0.003;
  s.nodes[4].state = "dead";
  s.nodes[4].lag = 100;
  mark_stragglers(s, 5);
  CHECK_FALSE(s.nodes[0].straggler);
  CHECK(s.nodes[1].straggler);
  CHECK_THAT(s.nodes[1].straggler_reason, Catch::Contains("9 iterations behind"));
  CHECK(s.nodes[2].straggler);
  CHECK(s.nodes[3].straggler);
  CHECK_THAT(s.nodes[3].straggler_reason, Catch::Contains("step 3 ms"));
  CHECK_FALSE(s.nodes[4].straggler);  // dead nodes are not stragglers
  s.nodes[1].lag = 5;                 // at the limit: not behind
  mark_stragglers(s, 5);
  CHECK_FALSE(s.nodes[1].straggler);
}
