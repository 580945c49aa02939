// Tests for the name tables (config/names.hpp) and resolve() (config/settings.hpp):
// every name of every kind round-trips, an unknown name gives the loader's
// message, and resolved units are bits/s and seconds.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "config/config.hpp"
#include "config/names.hpp"
#include "config/settings.hpp"

namespace cfg = sgp::config;

namespace {

/// Every entry's name maps back to its value and its value to its name;
/// names and values are unique.
template <class E>
void check_round_trip(std::size_t expected_size) {
  const auto& entries = cfg::name_table<E>::entries;
  REQUIRE(entries.size() == expected_size);
  REQUIRE(cfg::names_of<E>().size() == expected_size);
  std::set<std::string_view> names;
  std::set<E> values;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& [value, name] = entries[i];
    INFO(name);
    CHECK(!name.empty());
    CHECK(cfg::to_string(value) == name);
    CHECK(cfg::from_name<E>(name) == value);
    CHECK(cfg::names_of<E>()[i] == name);
    CHECK(names.insert(name).second);
    CHECK(values.insert(value).second);
  }
  CHECK_FALSE(cfg::from_name<E>("no-such-name").has_value());
  CHECK_FALSE(cfg::from_name<E>("").has_value());
}

std::string error_of(const std::string& toml) {
  auto c = cfg::load_string(toml, "t.toml");
  REQUIRE_FALSE(c.ok());
  return c.err().message;
}

}  // namespace

TEST_CASE("every name of every kind round-trips through its table", "[config]") {
  // The sizes pin the enums: a new enumerator without a table entry fails here.
  check_round_trip<cfg::algorithm_kind>(5);
  check_round_trip<cfg::model_kind>(5);
  check_round_trip<cfg::data_kind>(4);
  check_round_trip<cfg::weight_decay_scope>(2);
  check_round_trip<cfg::osgp_variant>(2);
  check_round_trip<cfg::step_space>(3);
  check_round_trip<cfg::compression>(2);
  check_round_trip<cfg::backend_kind>(2);
  check_round_trip<cfg::compute_threads>(3);
  check_round_trip<cfg::conv_search>(2);
  check_round_trip<cfg::actor_polling>(3);
  check_round_trip<cfg::fault_action>(8);
  check_round_trip<sgp::core::topology_kind>(11);
  check_round_trip<sgp::core::lr_decay>(2);
  check_round_trip<sgp::core::log_level>(4);

  CHECK(cfg::to_string(cfg::algorithm_kind::ar_sgd) == "ar-sgd");
  CHECK(cfg::to_string(cfg::algorithm_kind::d_psgd) == "d-psgd");
  CHECK(cfg::to_string(cfg::model_kind::cnn_bn) == "cnn-bn");
  CHECK(cfg::to_string(cfg::compute_threads::automatic) == "auto");
  CHECK(cfg::to_string(sgp::core::topology_kind::npeer_exponential) == "npeer-exponential");
  CHECK(cfg::name_list<cfg::algorithm_kind>() == "sgp, osgp, ar-sgd, d-psgd, none");
}

TEST_CASE("every table name is accepted by the loader and resolves to its value", "[config]") {
  for (const auto& [value, name] : cfg::name_table<cfg::algorithm_kind>::entries) {
    auto c = cfg::load_string("", "t.toml", {"algorithm.name=" + std::string(name)});
    REQUIRE(c.ok());
    auto s = cfg::resolve(*c);
    REQUIRE(s.ok());
    CHECK(s->algorithm.name == value);
  }
  for (const auto& [value, name] : sgp::core::topology_table) {
    auto c = cfg::load_string("", "t.toml", {"algorithm.topology=" + std::string(name)});
    REQUIRE(c.ok());
    CHECK(cfg::resolve(*c)->algorithm.topology == value);
  }
  for (const auto& [value, name] : cfg::name_table<cfg::model_kind>::entries) {
    auto c = cfg::load_string("", "t.toml", {"model.name=" + std::string(name)});
    REQUIRE(c.ok());
    CHECK(cfg::resolve(*c)->model == value);
  }
  for (const auto& [value, name] : cfg::name_table<cfg::actor_polling>::entries) {
    auto c = cfg::load_string("", "t.toml", {"cluster.actor_polling=" + std::string(name)});
    REQUIRE(c.ok());
    CHECK(cfg::resolve(*c)->cluster.actor_polling == value);
  }
  for (const auto& [value, name] : cfg::name_table<cfg::backend_kind>::entries) {
    auto c = cfg::load_string("", "t.toml", {"backend.name=" + std::string(name)});
    REQUIRE(c.ok());
    CHECK(cfg::resolve(*c)->backend.name == value);
  }
}

TEST_CASE("an unknown name gives the loader's message, listing the table", "[config]") {
  CHECK(error_of("[algorithm]\nname = \"sgd\"\n") ==
        "t.toml:2:8: algorithm.name: must be one of sgp, osgp, ar-sgd, d-psgd, none; got \"sgd\"");
  CHECK(error_of("[backend]\nname = \"rocm\"\n") ==
        "t.toml:2:8: backend.name: must be one of cpu, cuda; got \"rocm\"");
  CHECK(error_of("[algorithm]\ncompression = \"fp8\"\n") ==
        "t.toml:2:15: algorithm.compression: must be one of none, bf16; got \"fp8\"");
  CHECK(error_of("[schedule]\nkind = \"linear\"\n") ==
        "t.toml:2:8: schedule.kind: must be one of step, cosine; got \"linear\"");

  CHECK(error_of("[algorithm]\nself_weight = 1\n") ==
        "t.toml:2:15: algorithm.self_weight: must be in [0, 1), got 1");
  {
    // Loaded, then refused where the algorithm is known: it has no pushes.
    auto ar = cfg::load_string("[algorithm]\nname = \"ar-sgd\"\nself_weight = 0.5\n", "t.toml");
    REQUIRE(ar.ok());
    const auto refused = cfg::resolve(*ar);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.err().message ==
          "t.toml: algorithm.self_weight: applies to push-sum gossip (sgp, osgp, d-psgd); "
          "algorithm.name = \"ar-sgd\" has no pushes");
  }

  // Overlap from an epoch: bounded osgp only, refused elsewhere by name.
  for (const char* body : {"name = \"sgp\"\n", "name = \"osgp\"\nosgp_variant = \"reference\"\n"}) {
    auto other = cfg::load_string(std::string("[algorithm]\n") + body + "overlap_from_epoch = 1\n",
                                  "t.toml");
    REQUIRE(other.ok());
    const auto refused = cfg::resolve(*other);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.err().message.find("t.toml: algorithm.overlap_from_epoch: applies to osgp "
                                     "with osgp_variant = \"bounded\"") == 0);
  }
  CHECK(error_of("[algorithm]\noverlap_from_epoch = -1\n")
            .find("algorithm.overlap_from_epoch: must be") != std::string::npos);
  {
    auto bounded =
        cfg::load_string("[algorithm]\nname = \"osgp\"\noverlap_from_epoch = 0.5\n", "t.toml");
    REQUIRE(bounded.ok());
    CHECK(cfg::resolve(*bounded).ok());
  }

  // A name set in code after loading: resolve says the same.
  auto c = cfg::load_string("", "t.toml");
  REQUIRE(c.ok());
  c.value().algorithm.name = "sgd";
  auto s = cfg::resolve(*c);
  REQUIRE_FALSE(s.ok());
  CHECK(s.err().message ==
        "t.toml: algorithm.name: must be one of sgp, osgp, ar-sgd, d-psgd, none; got \"sgd\"");
  c.value().algorithm.name = "sgp";
  c.value().network.latency = "5 ms";
  s = cfg::resolve(*c);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.err().message, Catch::StartsWith("t.toml: network.latency: bad duration \"5 ms\""));
}

TEST_CASE("resolve gives bandwidths in bits/s and durations in seconds", "[config]") {
  auto c = cfg::load_string(R"([cluster]
nodes = 4
heartbeat_timeout = "1500ms"
process_timeout = "250ms"
join_timeout = "2s"
[algorithm]
name = "osgp"
topology = "ring"
osgp_variant = "reference"
step_space = "x"
compression = "bf16"
wait_timeout = "200us"
[backend]
compute_threads = "own"
conv_search = "reproducible"
[network]
bandwidth = "1Gbit"
latency = "5ms"
jitter = "1ms"
loss = 0.25
[[network.link]]
from = 0
to = 1
bandwidth = "100Mbit"
[[network.link]]
from = 2
to = 3
symmetric = false
latency = "20ms"
loss = 0.5
[[faults]]
at_iteration = 3
action = "link_set"
from = 1
to = 2
bandwidth = "2.5Gbps"
jitter = "3ms"
[[faults]]
at_seconds = 1.5
action = "kill"
node = 2
)",
                            "t.toml");
  REQUIRE(c.ok());
  auto r = cfg::resolve(*c);
  REQUIRE(r.ok());
  const auto& s = *r;
  CHECK(s.algorithm.name == cfg::algorithm_kind::osgp);
  CHECK(s.algorithm.topology == sgp::core::topology_kind::ring);
  CHECK(s.algorithm.osgp_variant == cfg::osgp_variant::reference);
  CHECK(s.algorithm.step_space == cfg::step_space::x);
  CHECK(s.algorithm.compression == cfg::compression::bf16);
  CHECK(s.algorithm.wait_timeout_seconds == Approx(200e-6));
  CHECK(s.backend.name == cfg::backend_kind::cpu);
  CHECK(s.backend.compute_threads == cfg::compute_threads::own);
  CHECK(s.backend.conv_search == cfg::conv_search::reproducible);
  CHECK(s.cluster.heartbeat_timeout_seconds == Approx(1.5));
  CHECK(s.cluster.process_timeout_seconds == Approx(0.25));
  CHECK(s.cluster.join_timeout_seconds == Approx(2.0));

  CHECK(s.network.defaults.bandwidth_bits_per_second == Approx(1e9));
  CHECK(s.network.defaults.latency_seconds == Approx(0.005));
  CHECK(s.network.defaults.jitter_seconds == Approx(0.001));
  CHECK(s.network.defaults.loss == 0.25);
  REQUIRE(s.network.links.size() == 2);
  // A link's own values, the rest from [network].
  CHECK(s.network.links[0].from == 0);
  CHECK(s.network.links[0].to == 1);
  CHECK(s.network.links[0].symmetric);
  CHECK(s.network.links[0].link.bandwidth_bits_per_second == Approx(1e8));
  CHECK(s.network.links[0].link.latency_seconds == Approx(0.005));
  CHECK(s.network.links[0].link.loss == 0.25);
  CHECK_FALSE(s.network.links[1].symmetric);
  CHECK(s.network.links[1].link.bandwidth_bits_per_second == Approx(1e9));
  CHECK(s.network.links[1].link.latency_seconds == Approx(0.02));
  CHECK(s.network.links[1].link.jitter_seconds == Approx(0.001));
  CHECK(s.network.links[1].link.loss == 0.5);

  REQUIRE(s.faults.size() == 2);
  CHECK(s.faults[0].action == cfg::fault_action::link_set);
  CHECK(s.faults[0].bandwidth_bits_per_second == Approx(2.5e9));
  CHECK_FALSE(s.faults[0].latency_seconds.has_value());
  CHECK(s.faults[0].jitter_seconds == Approx(0.003));
  CHECK(s.faults[1].action == cfg::fault_action::kill);
  CHECK_FALSE(s.faults[1].bandwidth_bits_per_second.has_value());
}

TEST_CASE("the defaults resolve to the documented values", "[config]") {
  auto c = cfg::load_string("", "t.toml");
  REQUIRE(c.ok());
  auto s = cfg::resolve(*c);
  REQUIRE(s.ok());
  CHECK(s->model == cfg::model_kind::cnn);
  CHECK(s->data == cfg::data_kind::fashion_mnist);
  CHECK(s->schedule == sgp::core::lr_decay::step);
  CHECK(s->weight_decay_scope == cfg::weight_decay_scope::weights);
  CHECK(s->algorithm.name == cfg::algorithm_kind::sgp);
  CHECK(s->algorithm.topology == sgp::core::topology_kind::exponential);
  CHECK(s->algorithm.wait_timeout_seconds == Approx(2.0));
  CHECK(s->backend.compute_threads == cfg::compute_threads::automatic);
  CHECK(s->cluster.heartbeat_timeout_seconds == Approx(30.0));
  CHECK(s->network.defaults.bandwidth_bits_per_second == Approx(1e10));
  CHECK(s->network.defaults.latency_seconds == 0.0);
  CHECK(s->network.links.empty());
  CHECK(s->faults.empty());
}
