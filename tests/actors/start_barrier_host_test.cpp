// Two processes of a cluster (actors/process_host) joined by a stand-in
// bridge that routes their notices and pushes in memory. The second
// process's nodes are spawned 2.5 s after the first's (slow to build its
// engines): the first must not start training without it, so no node waits
// for the other process's pushes.
#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "actors/cluster_messages.hpp"
#include "actors/message_types.hpp"
#include "actors/process_host.hpp"
#include "config/settings.hpp"
#include "core/json_read.hpp"
#include "tests/small_config.hpp"

namespace {

using namespace sgp;

struct board_state {
  std::vector<actors::push_handle> workers;  ///< by node id, as the hosts said
};

/// Both processes' bridge: a notice goes to its process (every process for
/// all_processes, the sender's too, as the real bridge does), a push to the
/// receiving node's worker (dropped while its process has not said which
/// it is); status is answered with zero counters.
caf::behavior switchboard(caf::stateful_actor<board_state>* self, std::vector<caf::actor> hosts,
                          std::size_t nodes) {
  self->state.workers.resize(nodes);
  self->set_default_handler(caf::drop);
  return {
      [=](actors::view_atom, const std::vector<actors::push_handle>& local) {
        for (std::size_t i = 0; i < local.size() && i < nodes; ++i) {
          if (local[i]) self->state.workers[i] = local[i];
        }
      },
      [=](actors::notice_atom, std::uint32_t to, const net::wire::notice& n) {
        for (std::uint32_t p = 0; p < hosts.size(); ++p) {
          if (to == actors::all_processes || to == p)
            self->send(hosts[p], actors::notice_atom::value, n);
        }
      },
      [=](actors::push_atom, const core::gossip_envelope& e) {
        if (e.message && e.message->to < nodes && self->state.workers[e.message->to])
          self->send(self->state.workers[e.message->to], actors::push_atom::value, e);
      },
      [=](actors::status_atom) { return actors::data_plane_counters{}; },
  };
}

/// The seconds that process `dir`'s nodes waited for pushes, summed over
/// its metrics' iteration lines.
double comm_wait_in(const std::string& dir) {
  std::ifstream in(dir + "/metrics.jsonl");
  REQUIRE(in);
  double sum = 0.0;
  int lines = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"event\":\"train\"") == std::string::npos) continue;
    const auto at = line.find("\"comm_wait\":");
    REQUIRE(at != std::string::npos);
    sum += std::stod(line.substr(at + 12));
    ++lines;
  }
  CHECK(lines > 0);
  return sum;
}

/// What the two processes' run ended with, and the seconds their nodes
/// waited for pushes.
struct two_processes {
  caf::expected<runtime::run_summary> summary = caf::make_error(caf::sec::request_timeout);
  double comm_wait[2] = {0.0, 0.0};
};

/// Processes p0 and p1 with two nodes each, 6 iterations of sgp, waits of
/// 2 s; p1 is started `delay` after p0.
two_processes run_two(const std::string& name, std::chrono::milliseconds delay,
                      const std::string& join_timeout) {
  auto cfg = test::small_config(4, "sgp");
  cfg.backend.compute_threads = "shared";
  cfg.schedule.max_iterations = 6;
  cfg.algorithm.wait_timeout = "2s";
  cfg.cluster.join_timeout = join_timeout;
  auto settings = config::resolve(cfg);
  REQUIRE(settings.ok());
  const std::string root = test::actor_test_dir() + "/" + name;
  std::filesystem::remove_all(root);

  caf::actor_system_config conf;
  actors::add_message_types(conf);
  caf::actor_system sys(conf);
  const auto [train, test_set] = test::small_sets(cfg);
  std::vector<caf::actor> hosts;
  for (std::uint32_t p = 0; p < 2; ++p) {
    actors::process_host_setup hs;
    hs.cfg = cfg;
    hs.process = p;
    hs.names = {"p0", "p1"};
    hs.node_process = {0, 0, 1, 1};
    hs.dir = root + "/p" + std::to_string(p);
    std::filesystem::create_directories(hs.dir);
    hs.settings = settings.value();
    hosts.push_back(sys.spawn(actors::process_host, hs, train, test_set));
  }
  auto board = sys.spawn(switchboard, hosts, std::size_t{4});
  caf::scoped_actor self{sys};
  for (const auto& h : hosts) self->send(h, actors::joined_atom::value);
  // Each host answers its start with the run's end (a summary, or an error).
  self->send(hosts[0], actors::start_atom::value, board, caf::actor{});
  std::this_thread::sleep_for(delay);
  self->send(hosts[1], actors::start_atom::value, board, caf::actor{});
  two_processes out;
  int answers = 0;
  self->receive_for(answers, 2)(
      [&](const runtime::run_summary& s) {
        // The coordinator's (p0's) summary has the nodes' accuracies.
        if (!s.test_accuracy_per_node.empty()) out.summary = s;
      },
      [&](caf::error& e) { FAIL("a process failed: " << sys.render(e)); },
      caf::after(std::chrono::seconds(60)) >> [&] { FAIL("no end within 60 s"); });
  for (const auto& h : hosts) self->send_exit(h, caf::exit_reason::user_shutdown);
  self->send_exit(board, caf::exit_reason::user_shutdown);
  for (int p = 0; p < 2; ++p) out.comm_wait[p] = comm_wait_in(root + "/p" + std::to_string(p));
  return out;
}

}  // namespace

TEST_CASE("a process waits at the start for a process whose nodes are spawned later", "[actors]") {
  const auto run = run_two("start_barrier", std::chrono::milliseconds(2500), "60s");
  REQUIRE(run.summary);
  CHECK(run.summary->live_nodes == 4);
  CHECK(run.summary->iterations == 6);
  CHECK(run.summary->total_weight == Approx(4.0).margin(1e-9));
  CHECK(run.summary->messages_late == 0);
  // The consensus distance, measured by both processes against the
  // averaged model.
  CHECK(std::isfinite(run.summary->consensus_distance));
  CHECK(run.summary->consensus_distance > 0.0);
  // Without the barrier p0's nodes wait for p1's pushes until p1 starts
  // (2.5 s each; a wait that expires after 2 s, then the next), with it
  // only for their peers' steps. p1 starts last either way.
  CHECK(run.comm_wait[0] < 1.25);
}

TEST_CASE("a process starts without a late one once its wait passed cluster.join_timeout",
          "[actors]") {
  const auto run = run_two("start_barrier_expired", std::chrono::milliseconds(2500), "1s");
  REQUIRE(run.summary);
  CHECK(run.summary->live_nodes == 4);
  CHECK(run.summary->iterations == 6);
  CHECK(run.summary->total_weight == Approx(4.0).margin(1e-9));
  // p0 started about 1 s after it was ready, and its nodes waited for p1's.
  CHECK(run.comm_wait[0] > 0.5);
}
