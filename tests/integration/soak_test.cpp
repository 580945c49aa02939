// The soak: seeded random fault scripts (kills, revives, link down/up/set,
// loss, slow nodes, partition/heal) on every algorithm, short runs of 4 to 6
// nodes. Each run must end by itself (no hang), with exit 0 or an
// `sgp: error:` line that says why, a summary.json, and the push-sum weight
// conserved (total_weight = expected_total_weight to 1e-9 relative).
//
// CI runs SOAK_RUNS (default 12) scripts; by hand: SOAK_RUNS=200
// [SOAK_SEED=S] build/tests/sgp_tests_integration '[soak]'. A failure prints
// its seed and the whole command line, to run it again; every run's command
// and output stay in /tmp/sgp_it_soak_h/run-K.log.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "tests/integration/sgp_process.hpp"

namespace {

constexpr const char* algorithms[] = {"sgp", "osgp", "ar-sgd", "d-psgd"};

struct soak_case {
  std::uint64_t seed = 0;
  std::string algorithm;
  int nodes = 4;
  std::string faults;  ///< the value of --set faults=...
};

/// One random script: 1 to 8 faults at iterations 1..40, in order; kills and
/// revives twice as likely as the others, a revive picks a dead node when
/// there is one. One script in ten of each algorithm kills every node (the run must fail and
/// say why).
soak_case make_case(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  soak_case c;
  c.seed = seed;
  c.algorithm = algorithms[seed % 4];
  c.nodes = uniform(4, 6);
  std::vector<bool> live(static_cast<std::size_t>(c.nodes), true);
  const int count = uniform(1, 8);
  int at = 0;
  std::string out = "[";
  for (int f = 0; f < count; ++f) {
    at += uniform(1, 6);
    const int a = uniform(0, c.nodes - 1);
    int b = uniform(0, c.nodes - 2);
    if (b >= a) ++b;
    std::string e = "{at_iteration=" + std::to_string(at) + ",action=";
    int kind = uniform(0, 10);
    if (kind >= 9) kind -= 9;  // kill and revive twice as likely
    switch (kind) {
      case 0: {
        e += "\"kill\",node=" + std::to_string(a);
        live[static_cast<std::size_t>(a)] = false;
        break;
      }
      case 1: {
        std::vector<int> dead_nodes;
        for (int i = 0; i < c.nodes; ++i) {
          if (!live[static_cast<std::size_t>(i)]) dead_nodes.push_back(i);
        }
        const int dead =
            dead_nodes.empty()
                ? -1
                : dead_nodes[static_cast<std::size_t>(uniform(0, int(dead_nodes.size()) - 1))];
        const int n = dead >= 0 ? dead : a;  // a live node now and then
        e += "\"revive\",node=" + std::to_string(n);
        live[static_cast<std::size_t>(n)] = true;
        break;
      }
      case 2:
        e += "\"link_down\",from=" + std::to_string(a) + ",to=" + std::to_string(b) +
             (uniform(0, 1) ? ",symmetric=true" : "");
        break;
      case 3:
        e += "\"link_up\",from=" + std::to_string(a) + ",to=" + std::to_string(b);
        break;
      case 4:
        e += "\"link_set\",from=" + std::to_string(a) + ",to=" + std::to_string(b) + ",latency=\"" +
             std::to_string(uniform(0, 20)) + "ms\"";
        break;
      case 5:
        e += "\"link_set\",from=" + std::to_string(a) + ",to=" + std::to_string(b) +
             ",loss=" + std::to_string(uniform(0, 5) / 10.0) +
             (uniform(0, 1) ? ",symmetric=true" : "");
        break;
      case 6:
        e += "\"slow\",node=" + std::to_string(a) + ",factor=" + std::to_string(uniform(1, 4));
        break;
      case 7: {
        const int cut = uniform(1, c.nodes - 1);
        std::string g1 = "[";
        std::string g2 = "[";
        for (int i = 0; i < c.nodes; ++i) {
          std::string& g = i < cut ? g1 : g2;
          if (g.size() > 1) g += ",";
          g += std::to_string(i);
        }
        e += "\"partition\",groups=[" + g1 + "]," + g2 + "]]";
        break;
      }
      default:
        e += "\"heal\"";
        break;
    }
    if (f > 0) out += ",";
    out += e + "}";
  }
  if ((seed / 4) % 10 == 9) {  // each algorithm in turn
    for (int i = 0; i < c.nodes; ++i) {
      out += ",{at_iteration=" + std::to_string(at + 1) +
             ",action=\"kill\",node=" + std::to_string(i) + "}";
    }
  }
  c.faults = out + "]";
  return c;
}

std::string config_text(const std::string& run_dir, const soak_case& c) {
  return "[run]\ndir = \"" + run_dir + "\"\nseed = " + std::to_string(c.seed) +
         "\n[cluster]\nnodes = " + std::to_string(c.nodes) +
         "\nheartbeat_timeout = \"10s\"\n[model]\nname = \"mlp\"\n"
         "[data]\nname = \"synthetic\"\nbatch_size = 8\nheight = 8\nwidth = 8\nclasses = 4\n"
         "synthetic_train_samples = 1536\nsynthetic_test_samples = 64\n"
         "[schedule]\nepochs = 1\n[algorithm]\nname = \"" +
         c.algorithm + "\"\n[output]\nprogress = false\n";
}

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

}  // namespace

TEST_CASE("soak: random fault scripts on every algorithm", "[integration][soak]") {
  const int runs = env_int("SOAK_RUNS", 12);
  const auto base = static_cast<std::uint64_t>(env_int("SOAK_SEED", 1)) * 100000u;
  const std::string dir = sgp::test::fresh_dir("soak_h");
  int clean = 0;
  int errors = 0;
  int failed = 0;
  for (int k = 0; k < runs; ++k) {
    const soak_case c = make_case(base + static_cast<std::uint64_t>(k));
    const std::string run = dir + "/run-" + std::to_string(k);
    const std::string toml = dir + "/c-" + std::to_string(k) + ".toml";
    sgp::test::write_text(toml, config_text(run, c));
    // A hang is a kill after 120 s (exit 137 from timeout -s KILL).
    const std::string cmd = "timeout -s KILL 120 " + sgp::test::sgp_binary() + " train " + toml +
                            " --set 'faults=" + c.faults + "' 2>&1";
    const auto r = sgp::test::run_shell(cmd);
    sgp::test::write_text(dir + "/run-" + std::to_string(k) + ".log",
                          "seed " + std::to_string(c.seed) + "\n" + cmd + "\n" + r.output +
                              "exit " + std::to_string(r.exit_code) + "\n");
    const std::string summary = sgp::test::read_text(run + "/summary.json");
    const double total = sgp::test::json_number_field(summary, "total_weight");
    const double expected = sgp::test::json_number_field(summary, "expected_total_weight");
    const bool says_why = r.output.find("sgp: error:") != std::string::npos;
    const bool hung = r.exit_code == 137 || r.exit_code == -1;
    const bool conserved = std::isfinite(total) && std::isfinite(expected) &&
                           std::abs(total - expected) <= 1e-9 * std::max(1.0, std::abs(expected));
    const bool ok = !hung && (r.exit_code == 0 || says_why) && !summary.empty() && conserved;
    if (ok) {
      (r.exit_code == 0 ? clean : errors) += 1;
      continue;
    }
    ++failed;
    INFO("seed " << c.seed << " (" << c.algorithm << ", " << c.nodes << " nodes): exit "
                 << r.exit_code << (hung ? " (hung)" : "") << ", summary "
                 << (summary.empty() ? "missing" : "present") << ", total_weight " << total
                 << " vs " << expected << "\ncommand: " << cmd << "\noutput tail: "
                 << r.output.substr(r.output.size() > 2000 ? r.output.size() - 2000 : 0));
    CHECK(ok);
  }
  std::cout << "soak: " << runs << " scripts (seeds " << base << ".." << base + runs - 1
            << "): " << clean << " exit 0, " << errors << " failed with a reason, " << failed
            << " broken\n";
  CHECK(failed == 0);
  CHECK(clean + errors == runs);
}
