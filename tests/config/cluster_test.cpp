// Tests for [[cluster.process]] (config/load.cpp, config/table_arrays.cpp),
// node_range / find_process (config/cluster.hpp) and the settings identity
// (config/settings_text.hpp).
#include <catch2/catch.hpp>

#include <string>

#include "config/cluster.hpp"
#include "config/config.hpp"
#include "config/describe.hpp"
#include "config/settings_text.hpp"

using sgp::config::load_string;

namespace {

const char* const three_processes = R"([cluster]
secret = "s3cret"
process_timeout = "250ms"
join_timeout = "120s"
actor_threads = 3
actor_polling = "quiet"

[[cluster.process]]
name = "alpha"
host = "10.0.0.1"
port = 7000
nodes = 2

[[cluster.process]]
name = "beta.1"
host = "10.0.0.1"
port = 7001
devices = [0, 1, 2]

[[cluster.process]]
name = "gamma_2-x"
host = "gpu-b"
port = 7000
)";

std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  auto cfg = load_string(text, "c.toml", overrides);
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.err().message.find('\n') == std::string::npos);
  return cfg.err().message;
}

/// One valid process table with `extra` lines appended.
std::string process(const std::string& name, const std::string& host, int port,
                    const std::string& extra = "") {
  return "[[cluster.process]]\nname = \"" + name + "\"\nhost = \"" + host +
         "\"\nport = " + std::to_string(port) + "\n" + extra;
}

}  // namespace

TEST_CASE("cluster.process tables fill the cluster section", "[config]") {
  auto c = load_string(three_processes, "c.toml");
  INFO((c.ok() ? std::string("ok") : c.err().message));
  REQUIRE(c.ok());
  const auto& cl = c->cluster;
  REQUIRE(cl.processes.size() == 3);
  CHECK(cl.processes[0].name == "alpha");
  CHECK(cl.processes[0].host == "10.0.0.1");
  CHECK(cl.processes[0].port == 7000);
  CHECK(cl.processes[0].nodes == 2);
  CHECK(cl.processes[0].devices.empty());
  CHECK(cl.processes[1].nodes == 3);  // from devices
  CHECK(cl.processes[1].devices == std::vector<int>{0, 1, 2});
  CHECK(cl.processes[2].name == "gamma_2-x");
  CHECK(cl.processes[2].nodes == 1);  // the default
  CHECK(cl.nodes == 6);               // the sum, cluster.nodes left out
  CHECK(cl.secret == "s3cret");
  CHECK(cl.process_timeout == "250ms");
  CHECK(cl.join_timeout == "120s");
  CHECK(cl.actor_threads == 3);
  CHECK(cl.actor_polling == "quiet");

  // cluster.nodes may be given when it equals the sum.
  auto given =
      load_string(std::string("[cluster]\nnodes = 6\n") + (three_processes + 10), "c.toml");
  REQUIRE(given.ok());
  CHECK(given->cluster.nodes == 6);

  // Without tables: one process, today's defaults.
  auto plain = load_string("[cluster]\nnodes = 4\n", "c.toml");
  REQUIRE(plain.ok());
  CHECK(plain->cluster.processes.empty());
  CHECK(plain->cluster.process_timeout == "3s");
  CHECK(plain->cluster.join_timeout == "60s");
  CHECK(plain->cluster.actor_threads == 0);  // automatic
  CHECK(plain->cluster.actor_polling == "auto");
  CHECK(plain->cluster.secret.empty());
}

TEST_CASE("node_range and find_process follow table order", "[config]") {
  auto c = load_string(three_processes, "c.toml");
  REQUIRE(c.ok());
  using sgp::config::node_range;
  CHECK(sgp::config::process_count(c->cluster) == 3);
  CHECK(node_range(c->cluster, 0) == std::pair{0, 2});
  CHECK(node_range(c->cluster, 1) == std::pair{2, 3});
  CHECK(node_range(c->cluster, 2) == std::pair{5, 1});
  CHECK(sgp::config::find_process(c->cluster, "beta.1") == std::optional<std::size_t>{1});
  CHECK(sgp::config::find_process(c->cluster, "gamma_2-x") == std::optional<std::size_t>{2});
  CHECK_FALSE(sgp::config::find_process(c->cluster, "beta").has_value());

  auto plain = load_string("[cluster]\nnodes = 4\n", "c.toml");
  REQUIRE(plain.ok());
  CHECK(sgp::config::process_count(plain->cluster) == 1);
  CHECK(node_range(plain->cluster, 0) == std::pair{0, 4});
}

TEST_CASE("cluster.process mistakes name the file and key path", "[config]") {
  const std::string ok0 = process("a", "h", 1);
  CHECK_THAT(error_of("[[cluster.process]]\nhost = \"h\"\nport = 1\n"),
             Catch::StartsWith("c.toml:1:") && Catch::Contains("cluster.process[0].name: missing"));
  CHECK_THAT(error_of(ok0 + "[[cluster.process]]\nname = \"b\"\nport = 2\n"),
             Catch::Contains("cluster.process[1].host: missing"));
  CHECK_THAT(error_of(ok0 + "[[cluster.process]]\nname = \"b\"\nhost = \"h\"\n"),
             Catch::Contains("cluster.process[1].port: missing"));
  CHECK_THAT(error_of(process("a b", "h", 1)),
             Catch::Contains("cluster.process[0].name: must be letters, digits"));
  CHECK_THAT(error_of(process("", "h", 1)), Catch::Contains("cluster.process[0].name: must be"));
  CHECK_THAT(error_of(process("a", "", 1)), Catch::Contains("cluster.process[0].host: must be"));
  CHECK_THAT(error_of(ok0 + process("b", "h", 2) + process("a", "g", 3)),
             Catch::StartsWith("c.toml:10:8: cluster.process[2].name: duplicate name \"a\"") &&
                 Catch::Contains("also cluster.process[0].name"));
  CHECK_THAT(error_of(ok0 + process("b", "g", 1) + process("c", "h", 1)),
             Catch::Contains("cluster.process[2].port: duplicate address h:1 (also "
                             "cluster.process[0])"));
  CHECK_THAT(error_of(process("a", "h", 0)),
             Catch::Contains("cluster.process[0].port: must be in [1, 65535], got 0"));
  CHECK_THAT(error_of(process("a", "h", 65536)),
             Catch::Contains("cluster.process[0].port: must be in [1, 65535], got 65536"));
  CHECK_THAT(error_of(process("a", "h", 1, "port2 = 3\n")),
             Catch::Contains("cluster.process[0].port2: unknown key (did you mean "
                             "'cluster.process[0].port'?)"));
  CHECK_THAT(error_of(process("a", "h", 1, "nodes = 0\n")),
             Catch::Contains("cluster.process[0].nodes: must be in [1, 1024], got 0"));
  CHECK_THAT(error_of(process("a", "h", 1, "nodes = 1\ndevices = [0, 1]\n")),
             Catch::Contains("cluster.process[0].nodes: is 1 but devices lists 2 GPUs"));
  CHECK_THAT(error_of(process("a", "h", 1, "devices = []\n")),
             Catch::Contains("cluster.process[0].devices"));
}

TEST_CASE("a process's nodes go round its GPUs", "[config]") {
  // More nodes than GPUs: several share one (node k on devices[k % count]).
  auto c = load_string(process("a", "h", 1, "nodes = 3\ndevices = [0, 1]\n") +
                           process("b", "h", 2, "nodes = 2\ndevices = [0]\n"),
                       "c.toml");
  REQUIRE(c.ok());
  CHECK(c->cluster.processes[0].nodes == 3);
  CHECK(c->cluster.processes[0].devices == std::vector<int>{0, 1});
  CHECK(c->cluster.processes[1].nodes == 2);
  CHECK(c->cluster.nodes == 5);
}

TEST_CASE("cluster.nodes must agree with the processes' nodes", "[config]") {
  const std::string tables =
      process("a", "h", 1, "nodes = 2\n") + process("b", "h", 2, "devices = [0, 1, 2]\n");
  CHECK_THAT(error_of("[cluster]\nnodes = 4\n" + tables),
             Catch::StartsWith("c.toml:2:9: cluster.nodes: is 4 but the [[cluster.process]] "
                               "tables give 5 nodes"));
  CHECK_THAT(error_of(tables, {"cluster.nodes=7"}),
             Catch::Contains("cluster.nodes: is 7 but") && Catch::Contains("give 5 nodes"));
  auto ok = load_string(tables, "c.toml", {"cluster.nodes=5"});
  REQUIRE(ok.ok());
  CHECK(ok->cluster.nodes == 5);
  CHECK_THAT(
      error_of(process("a", "h", 1, "nodes = 1000\n") + process("b", "h", 2, "nodes = 100\n")),
      Catch::Contains("cluster.nodes: the [[cluster.process]] tables give 1100 nodes, more "
                      "than 1024"));
  // Links and faults are checked against the summed node count.
  CHECK_THAT(error_of(tables + "[[network.link]]\nfrom = 0\nto = 5\n"),
             Catch::Contains("network.link[0].to: must be in [0, 5), got 5"));
}

TEST_CASE("cluster timeouts and secret and actor threads are checked", "[config]") {
  CHECK_THAT(error_of("[cluster]\nprocess_timeout = \"0ms\"\n"),
             Catch::Contains("cluster.process_timeout"));
  CHECK_THAT(error_of("[cluster]\njoin_timeout = \"soon\"\n"),
             Catch::Contains("cluster.join_timeout"));
  CHECK_THAT(error_of("[cluster]\nsecret = 5\n"), Catch::Contains("cluster.secret"));
  CHECK_THAT(error_of("[cluster]\nactor_threads = -1\n"), Catch::Contains("cluster.actor_threads"));
  CHECK_THAT(error_of("[cluster]\nactor_threads = 2000\n"),
             Catch::Contains("cluster.actor_threads"));
  CHECK_THAT(error_of("[cluster]\nactor_polling = \"spin\"\n"),
             Catch::Contains("cluster.actor_polling"));
  CHECK_THAT(error_of("[cluster]\njoin_timout = \"5s\"\n"),
             Catch::Contains("did you mean 'cluster.join_timeout'?"));
}

TEST_CASE("to_toml writes the process tables back", "[config]") {
  auto c = load_string(three_processes, "c.toml");
  REQUIRE(c.ok());
  const std::string toml = sgp::config::to_toml(*c);
  CHECK_THAT(toml, Catch::Contains("[[cluster.process]]\nname = \"beta.1\""));
  CHECK_THAT(toml, !Catch::Contains("s3cret"));
  auto back = load_string(toml, "resolved.toml");
  INFO(toml);
  REQUIRE(back.ok());
  CHECK(sgp::config::to_toml(*back) == toml);
  CHECK(back->cluster.processes.size() == 3);
  CHECK(back->cluster.processes[1].devices == std::vector<int>{0, 1, 2});
  CHECK(back->cluster.actor_threads == 3);
  CHECK(back->cluster.actor_polling == "quiet");
}

TEST_CASE("settings_text is the same for the same settings", "[config]") {
  using sgp::config::first_difference;
  using sgp::config::settings_hash;
  using sgp::config::settings_text;
  auto a = load_string(three_processes, "a.toml");
  auto b = load_string(three_processes, "b.toml",
                       {"cluster.secret=other", "run.dir=/elsewhere", "cluster.actor_threads=7",
                        "cluster.actor_polling=busy"});
  auto lr = load_string(three_processes, "c.toml", {"optimizer.lr=0.2"});
  std::string moved = three_processes;
  moved.replace(moved.find("port = 7001"), 11, "port = 7002");
  auto port = load_string(moved, "d.toml");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(lr.ok());
  REQUIRE(port.ok());
  const std::string ta = settings_text(*a);
  INFO(ta);
  CHECK_THAT(ta, Catch::Contains("optimizer.lr = 0.1\n"));
  CHECK_THAT(ta, Catch::Contains("cluster.process[1].port = 7001\n"));
  CHECK_THAT(ta, Catch::Contains("algorithm.step_space = \"z\"\n"));
  CHECK_THAT(ta, !Catch::Contains("secret") && !Catch::Contains("run.dir"));
  CHECK(ta.find("algorithm.") < ta.find("backend."));  // sorted by key

  CHECK(settings_text(*b) == ta);  // secret, run.dir and actor threads may differ
  CHECK(settings_hash(settings_text(*b)) == settings_hash(ta));
  CHECK(first_difference(ta, settings_text(*b)).empty());

  const std::string tl = settings_text(*lr);
  CHECK(tl != ta);
  CHECK(settings_hash(tl) != settings_hash(ta));
  CHECK(first_difference(ta, tl) == "optimizer.lr");
  CHECK(first_difference(tl, ta) == "optimizer.lr");

  CHECK(first_difference(ta, settings_text(*port)) == "cluster.process[1].port");

  // A key only one side has is the difference too.
  CHECK(first_difference("a.x = 1\nb.y = 2\n", "a.x = 1\n") == "b.y");
  CHECK(first_difference("a.x = 1\n", "a.w = 0\na.x = 1\n") == "a.w");
}

TEST_CASE("settings_hash is FNV-1a 64", "[config]") {
  // Published FNV-1a 64 test vectors.
  CHECK(sgp::config::settings_hash("") == 0xcbf29ce484222325ULL);
  CHECK(sgp::config::settings_hash("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(sgp::config::settings_hash("foobar") == 0x85944171f73967e8ULL);
}
