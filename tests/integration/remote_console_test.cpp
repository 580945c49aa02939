// `sgp console HOST:PORT` (apps/remote_console.hpp): against an in-test
// server that mimics /status.json and POST /command (what the client sends,
// what it prints), an unreachable server, a wrong secret, and one real
// `sgp train` run with its status page.
#include "apps/remote_console.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <thread>

#include "apps/status_table.hpp"
#include "core/cluster_status.hpp"
#include "tests/integration/background_process.hpp"
#include "tests/integration/sgp_process.hpp"

namespace {

using namespace std::chrono_literals;

const char* const test_secret = "battery-staple-42";

/// Sets SGP_SECRET (or unsets it for nullptr) for one test and restores it.
class secret_env {
 public:
  explicit secret_env(const char* value) {
    if (const char* old = std::getenv("SGP_SECRET")) old_ = old;
    if (value != nullptr) {
      ::setenv("SGP_SECRET", value, 1);
    } else {
      ::unsetenv("SGP_SECRET");
    }
  }
  ~secret_env() {
    if (old_) {
      ::setenv("SGP_SECRET", old_->c_str(), 1);
    } else {
      ::unsetenv("SGP_SECRET");
    }
  }
  secret_env(const secret_env&) = delete;
  secret_env& operator=(const secret_env&) = delete;

 private:
  std::optional<std::string> old_;
};

sgp::core::cluster_status three_nodes() {
  sgp::core::cluster_status s;
  s.algorithm = "osgp";
  s.topology = "exponential";
  s.iteration = 120;
  s.total_iterations = 1000;
  s.live_nodes = 2;
  s.consensus_distance = 0.0125;
  for (int i = 0; i < 3; ++i) {
    sgp::core::node_status n;
    n.id = i;
    n.state = i == 2 ? "dead" : "train";
    n.iteration = 118 + static_cast<std::uint64_t>(i);
    n.loss = 0.5 + 0.25 * i;
    n.w = 0.375;
    s.nodes.push_back(n);
  }
  s.nodes.push_back(sgp::core::node_status{});  // id 0 again, "starting": no values yet
  s.nodes[1].straggler = true;
  s.nodes[1].straggler_reason = "9 iterations behind";
  return s;
}

/// Mimics the two endpoints of actors/http_server.cpp and records commands.
struct fake_server {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mutex;
  std::vector<std::string> bodies;   ///< accepted command lines
  std::vector<std::string> secrets;  ///< X-SGP-Secret of every POST
  std::vector<std::string> paths;    ///< every request

  fake_server() {
    server.Get("/status.json", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      paths.push_back("GET " + req.path);
      res.set_content(sgp::core::to_json(three_nodes()), "application/json");
    });
    server.Post("/command", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex);
      paths.push_back("POST " + req.path);
      secrets.push_back(req.get_header_value("X-SGP-Secret"));
      if (req.get_header_value("X-SGP-Secret") != test_secret) {
        res.status = 401;
        res.set_content("a command needs the secret (X-SGP-Secret header)\n", "text/plain");
        return;
      }
      bodies.push_back(req.body);
      res.set_content("applied: " + req.body + "\nsecond line\n", "text/plain");
    });
    port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~fake_server() {
    server.stop();
    thread.join();
  }
  fake_server(const fake_server&) = delete;
  fake_server& operator=(const fake_server&) = delete;

  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

struct console_run {
  int code = -1;
  std::string out;
  std::string err;
};

console_run run_console(const std::string& address, const std::string& input) {
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  console_run r;
  r.code = sgp::apps::run_remote_console(address, in, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A loopback port that nothing listens on (bound, then closed).
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  socklen_t len = sizeof(a);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace

TEST_CASE("Console: the status JSON renders as a table", "[console]") {
  const auto table = sgp::apps::render_status_table(sgp::core::to_json(three_nodes()));
  REQUIRE(table.ok());
  INFO(*table);
  CHECK(contains(*table, "iteration 120/1000  live 2/4"));
  CHECK(contains(*table, "consensus 0.0125"));
  CHECK(contains(*table, "osgp on exponential"));
  std::istringstream in(*table);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 6);  // summary, header, four nodes
  CHECK(lines[1].rfind("node  state     live  iteration", 0) == 0);
  CHECK(std::regex_search(lines[2], std::regex("^0 +train +yes +118 +0 +0\\.5000 +0\\.375 ")));
  CHECK(contains(lines[3], "straggler: 9 iterations behind"));
  CHECK(std::regex_search(lines[4], std::regex("^2 +dead +no +120 ")));
  CHECK(std::regex_search(lines[5], std::regex("^0 +starting +yes +- +- +- +- ")));
  CHECK_FALSE(sgp::apps::render_status_table("{\"nodes\": [").ok());
  CHECK_FALSE(sgp::apps::render_status_table("[1, 2]").ok());
}

TEST_CASE("Console: commands go to the server with the secret header", "[console]") {
  fake_server server;
  secret_env env(test_secret);
  const auto r = run_console(server.address(), "help\nstatus\n  kill 2  \n\nquit\nstop\n");
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(contains(r.out, "revive N"));              // the local console's help
  CHECK(contains(r.out, "node  state     live"));  // the status table
  CHECK(contains(r.out, "applied: kill 2\nsecond line\n"));
  CHECK(contains(r.err, "connected to " + server.address()));
  CHECK_FALSE(contains(r.out + r.err, test_secret));  // never printed
  std::lock_guard lock(server.mutex);
  CHECK(server.bodies == std::vector<std::string>{"kill 2"});  // "stop" came after quit
  CHECK(server.secrets == std::vector<std::string>{test_secret});
}

TEST_CASE("Console: a wrong or missing secret is refused and the console goes on", "[console]") {
  fake_server server;
  for (const char* secret : {"not-the-secret", static_cast<const char*>(nullptr)}) {
    secret_env env(secret);
    const auto r = run_console(server.address(), "kill 1\nhelp\n");  // EOF ends it
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(contains(r.out, "refused: wrong or missing secret (set SGP_SECRET)\n"));
    CHECK(contains(r.out, "partition A,B"));  // the next line still ran
    CHECK(contains(r.err, "SGP_SECRET is not set") == (secret == nullptr));
  }
  std::lock_guard lock(server.mutex);
  CHECK(server.bodies.empty());
  CHECK(server.secrets == std::vector<std::string>{"not-the-secret", ""});
}

TEST_CASE("Console: an unreachable server is one clear error, exit code 1", "[console]") {
  const std::string address = "127.0.0.1:" + std::to_string(closed_port());
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_console(address, "status\n");
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(r.code == 1);
  CHECK(contains(r.err, "console: cannot reach " + address));
  CHECK(r.out.empty());
  const auto bad = run_console("no-port-here", "");
  CHECK(bad.code == 1);
  CHECK(contains(bad.err, "no-port-here"));
}

TEST_CASE("Console: status and kill against a real training run", "[console][integration]") {
  const auto dir = sgp::test::fresh_dir("remote_console_" + std::to_string(::getpid()));
  sgp::test::write_text(
      dir + "/c.toml",
      "[run]\ndir = \"" + dir +
          "/run\"\n[cluster]\nnodes = 3\n[model]\nname = \"mlp\"\n[data]\nname = "
          "\"synthetic\"\nbatch_size = 8\nheight = 8\nwidth = 8\nclasses = 4\n"
          "synthetic_train_samples = 512\nsynthetic_test_samples = 64\n[schedule]\nepochs = "
          "100000\n[algorithm]\nname = \"osgp\"\n[output]\nprogress = false\nhttp = "
          "\"127.0.0.1:0\"\nhttp_secret = \"" +
          std::string(test_secret) + "\"\n");
  sgp::test::background_process run({sgp::test::sgp_binary(), "train", dir + "/c.toml"},
                                    dir + "/log.txt");
  const auto port = run.wait_for("status page on http://127\\.0\\.0\\.1:([0-9]+)/", 60s);
  REQUIRE(port);
  secret_env env(test_secret);
  const auto r = run_console("127.0.0.1:" + *port, "status\nkill 1\nstatus\nstop\n");
  INFO(r.out << r.err << run.output());
  CHECK(r.code == 0);
  CHECK(std::regex_search(r.out, std::regex("\nnode +state +live +iteration")));
  CHECK(contains(r.out, "node 1 killed"));
  CHECK(std::regex_search(r.out, std::regex("\n1 +dead +no ")));
  CHECK(run.wait_exit(120s));
}
