// The status page's server during a real run: /status.json and /metrics
// parse and move, POST /command is refused without the secret and applied
// with it; and a headless Chromium loads the page, finds every live node and
// edge, and shows a kill made from the page.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <regex>
#include <thread>

#include "tests/integration/background_process.hpp"
#include "tests/integration/json_value.hpp"
#include "tests/integration/sgp_process.hpp"

namespace {

using namespace std::chrono_literals;
using sgp::test::json_value;

const char* const secret = "correct-horse-17";

/// A run that would take hours, with the server on any free port.
std::string long_run_config(const std::string& dir, int nodes) {
  return "[run]\ndir = \"" + dir + "/run\"\n[cluster]\nnodes = " + std::to_string(nodes) +
         "\n[model]\nname = \"mlp\"\n[data]\nname = \"synthetic\"\nbatch_size = 8\nheight = 8\n"
         "width = 8\nclasses = 4\nsynthetic_train_samples = 512\nsynthetic_test_samples = 64\n"
         "[schedule]\nepochs = 100000\n[algorithm]\nname = \"osgp\"\n[output]\nprogress = false\n"
         "checkpoint_every_epochs = 0\n"
         "consensus_every_iterations = 20\nhttp = \"127.0.0.1:0\"\nhttp_secret = \"" +
         secret + "\"\n";
}

/// A run of `sgp train` in the background and a client for its server.
struct served_run {
  sgp::test::background_process process;
  std::unique_ptr<httplib::Client> client;
  int port = 0;

  served_run(const std::string& dir, int nodes)
      : process({sgp::test::sgp_binary(), "train", write_config(dir, nodes)}, dir + "/log.txt") {
    const auto p = process.wait_for("status page on http://127\\.0\\.0\\.1:([0-9]+)/", 60s);
    REQUIRE(p);
    port = std::stoi(*p);
    client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_read_timeout(10, 0);
  }

  static std::string write_config(const std::string& dir, int nodes) {
    sgp::test::write_text(dir + "/c.toml", long_run_config(dir, nodes));
    return dir + "/c.toml";
  }

  json_value status() {
    auto r = client->Get("/status.json");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    auto v = sgp::test::parse_json(r->body);
    INFO(r->body);
    REQUIRE(v);
    return *v;
  }

  /// Waits until every node has reported (state "train").
  json_value wait_all_training(int nodes) {
    const auto end = std::chrono::steady_clock::now() + 60s;
    for (;;) {
      auto s = status();
      int training = 0;
      for (const auto& n : s["nodes"].items) training += n["state"].text == "train" ? 1 : 0;
      if (training == nodes) return s;
      REQUIRE(std::chrono::steady_clock::now() < end);
      std::this_thread::sleep_for(200ms);
    }
  }

  httplib::Result post(const std::string& line, const std::string& key) {
    httplib::Headers h;
    if (!key.empty()) h.emplace("X-SGP-Secret", key);
    return client->Post("/command", h, line, "text/plain");
  }

  /// Ends the run with `stop` (the secret's way) and waits for the exit.
  void stop() {
    auto r = post("stop", secret);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(process.wait_exit(120s));
    CHECK(process.exit_code() == 0);
  }
};

/// name{labels} -> value for every sample line of a Prometheus text page;
/// every line must be a comment or a sample.
std::map<std::string, double> parse_prometheus(const std::string& text, bool& well_formed) {
  static const std::regex sample(R"(^([a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})?) (\S+)$)");
  std::map<std::string, double> out;
  well_formed = true;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    std::smatch m;
    if (!std::regex_match(line, m, sample)) {
      UNSCOPED_INFO("not a sample: " << line);
      well_formed = false;
      continue;
    }
    out[m[1].str()] = std::stod(m[4].str());
  }
  return out;
}

const json_value* node_of(const json_value& status, int id) {
  for (const auto& n : status["nodes"].items) {
    if (static_cast<int>(n["id"].number) == id) return &n;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the status server: status and metrics move, commands need the secret", "[integration]") {
  const auto dir = sgp::test::fresh_dir("http");
  served_run run(dir, 4);
  const auto a = run.wait_all_training(4);
  CHECK(a["algorithm"].text == "osgp");
  CHECK(a["live_nodes"].number == 4);
  CHECK(a["edges"].items.size() > 0);
  std::this_thread::sleep_for(1500ms);
  const auto b = run.status();
  CHECK(b["iteration"].number > a["iteration"].number);
  CHECK(b["time"].number > a["time"].number);
  CHECK(b["history"].items.size() > 0);

  // Metrics: well formed, every node present, moving.
  bool ok1 = false;
  bool ok2 = false;
  auto m1r = run.client->Get("/metrics");
  REQUIRE(m1r);
  CHECK_THAT(m1r->get_header_value("Content-Type"), Catch::StartsWith("text/plain"));
  const auto m1 = parse_prometheus(m1r->body, ok1);
  std::this_thread::sleep_for(1200ms);
  auto m2r = run.client->Get("/metrics");
  REQUIRE(m2r);
  const auto m2 = parse_prometheus(m2r->body, ok2);
  CHECK(ok1);
  CHECK(ok2);
  CHECK(m1.at("sgp_live_nodes") == 4);
  for (int i = 0; i < 4; ++i) {
    const auto key = "sgp_node_iteration{node=\"" + std::to_string(i) + "\"}";
    REQUIRE(m1.count(key) == 1);
    CHECK(m2.at(key) > m1.at(key));
  }
  CHECK(m2.at("sgp_iteration") > m1.at("sgp_iteration"));
  double bytes = 0.0;
  for (const auto& [k, v] : m2) {
    if (k.rfind("sgp_edge_bytes_total{", 0) == 0) bytes += v;
  }
  CHECK(bytes > 0.0);

  // Without the secret, or with a wrong one: 401, logged, not applied.
  auto refused = run.post("kill 2", "");
  REQUIRE(refused);
  CHECK(refused->status == 401);
  auto wrong = run.post("kill 2", "correct-horse-18");
  REQUIRE(wrong);
  CHECK(wrong->status == 401);
  const auto after_refusal = run.status();
  CHECK(node_of(after_refusal, 2)->operator[]("state").text == "train");
  CHECK(after_refusal["live_nodes"].number == 4);
  CHECK(run.process.wait_for("refused a command from 127\\.0\\.0\\.1:[0-9]+", 5s));

  // With it: applied, and the next status shows it.
  auto applied = run.post("kill 2", secret);
  REQUIRE(applied);
  CHECK(applied->status == 200);
  CHECK_THAT(applied->body, Catch::Contains("node 2 killed"));
  const auto c = run.status();
  CHECK(node_of(c, 2)->operator[]("state").text == "dead");
  CHECK(c["live_nodes"].number == 3);
  bool ok3 = false;
  auto m3r = run.client->Get("/metrics");
  REQUIRE(m3r);
  CHECK(parse_prometheus(m3r->body, ok3).at("sgp_live_nodes") == 3);

  run.stop();
  const auto log = run.process.output();
  INFO(log);
  CHECK(log.find(secret) == std::string::npos);
  CHECK(log.find("correct-horse-18") == std::string::npos);
  CHECK_THAT(log, Catch::Contains("kill 2: node 2 killed"));
}

TEST_CASE("output.http is checked: HOST:PORT, and a secret off loopback", "[integration]") {
  const auto dir = sgp::test::fresh_dir("http_config");
  sgp::test::write_text(dir + "/c.toml",
                        "[cluster]\nnodes = 2\n[data]\nname = \"synthetic\"\n[output]\n");
  const std::string cmd = "env -u SGP_SECRET " + sgp::test::sgp_binary() + " train " + dir +
                          "/c.toml --set run.dir=" + dir + "/run ";
  auto open = sgp::test::run_shell(cmd + "--set output.http=0.0.0.0:8080 2>&1");
  INFO(open.output);
  CHECK(open.exit_code != 0);
  CHECK_THAT(open.output, Catch::Contains("sgp: error:") && Catch::Contains("output.http") &&
                              Catch::Contains("needs a secret"));
  auto bad = sgp::test::run_shell(cmd + "--set output.http=localhost 2>&1");
  INFO(bad.output);
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.output, Catch::Contains("output.http") && Catch::Contains("HOST:PORT"));
}

namespace {

/// The Chromium binary: $SGP_CHROMIUM, else chromium or chromium-browser on PATH.
std::string find_chromium() {
  if (const char* env = std::getenv("SGP_CHROMIUM"); env != nullptr && env[0] != '\0') return env;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    const auto r = sgp::test::run_shell(std::string("command -v ") + name + " 2>/dev/null");
    if (r.exit_code == 0 && !r.output.empty()) return r.output.substr(0, r.output.find('\n'));
  }
  return {};
}

std::string chromium_command(const std::string& chromium, const std::string& dir) {
  // A profile of its own, no sandbox (CI runs as root), no GPU.
  return "timeout 120 " + chromium + " --headless --no-sandbox --disable-gpu --hide-scrollbars " +
         "--no-first-run --user-data-dir=" + dir + "/profile --window-size=1400,1000 ";
}

}  // namespace

TEST_CASE("headless Chromium: the page shows the cluster and a kill from it", "[integration]") {
  const auto chromium = find_chromium();
  if (chromium.empty()) {
    WARN("SKIPPED: chromium not found (scripts/setup.sh installs it; or set SGP_CHROMIUM)");
    return;
  }
  const auto dir = sgp::test::fresh_dir("http_chromium");
  served_run run(dir, 5);
  run.wait_all_training(5);
  const std::string url = "http://127.0.0.1:" + std::to_string(run.port) + "/";
  const auto browser = chromium_command(chromium, dir);

  // A screenshot after a few polls (virtual time runs the page's timers).
  const auto shot =
      sgp::test::run_shell(browser + "--virtual-time-budget=3000 --screenshot=" + dir +
                           "/status.png '" + url + "' 2>&1");
  INFO(shot.output);
  CHECK(shot.exit_code == 0);
  const auto png = sgp::test::read_text(dir + "/status.png");
  CHECK(png.size() > 20000);
  CHECK(png.rfind("\x89PNG", 0) == 0);

  // The DOM has every live node and every edge of the current topology.
  const auto dom = sgp::test::run_shell(browser + "--virtual-time-budget=3000 --dump-dom '" + url +
                                        "' 2>/dev/null");
  const auto s = run.status();
  INFO(dom.output);
  CHECK(dom.exit_code == 0);
  int edges = 0;
  for (const auto& n : s["nodes"].items) {
    const auto id = std::to_string(static_cast<int>(n["id"].number));
    CHECK_THAT(dom.output, Catch::Contains("id=\"node-" + id + "\" class=\"node train"));
  }
  for (const auto& e : s["edges"].items) {
    if (!e["in_topology"].boolean) continue;
    ++edges;
    CHECK_THAT(dom.output,
               Catch::Contains("id=\"edge-" + std::to_string(static_cast<int>(e["from"].number)) +
                               "-" + std::to_string(static_cast<int>(e["to"].number)) + "\""));
  }
  CHECK(edges >= 5);

  // A kill from the page: the fragment carries the secret and the command
  // (never sent to the server); the page posts it as a click does and
  // refreshes. Real time here (no virtual clock): the DOM is taken 4 s in,
  // and the page records how long the command took to show.
  const auto killed = sgp::test::run_shell(browser + "--timeout=4000 --dump-dom '" + url +
                                           "#secret=" + secret + "&run=kill%203' 2>/dev/null");
  INFO(killed.output);
  CHECK_THAT(killed.output, Catch::Contains("id=\"node-3\" class=\"node dead"));
  CHECK_THAT(killed.output, Catch::Contains("data-last-reply=\"200\""));
  std::smatch m;
  REQUIRE(std::regex_search(killed.output, m, std::regex("data-command-ms=\"([0-9]+)\"")));
  CHECK(std::stoi(m[1].str()) < 2000);
  CHECK(node_of(run.status(), 3)->operator[]("state").text == "dead");
  run.stop();
}
