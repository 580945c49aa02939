// One process of a cluster (actors/process_host) with a stand-in bridge that
// loops its notices back. The start-up order: a fresh-clone CI run had the
// bridge report "every process joined" before the host was started; the
// nodes spawned after that were never started and the process hung. A
// failed answer: a host that quit alone left its caller waiting for ever.
#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "actors/cluster_messages.hpp"
#include "actors/cluster_run.hpp"
#include "actors/message_types.hpp"
#include "actors/process_host.hpp"
#include "config/settings.hpp"
#include "tests/small_config.hpp"

namespace {

using namespace sgp;

/// The bridge of a cluster of one process: notices for this process go
/// back to the host (as the real bridge does), the list of local workers is
/// taken, and status is answered by `status` (zero counters by default). It
/// never says "joined": the test does. (A message it did not handle would
/// come back to the host as an error.)
template <class Status>
caf::behavior loopback_bridge(caf::event_based_actor* self, caf::actor host, Status status) {
  return {
      [](actors::view_atom, const std::vector<actors::push_handle>&) {},
      [=](actors::notice_atom, std::uint32_t to, const net::wire::notice& n) {
        if (to == actors::all_processes || to == 0) self->send(host, actors::notice_atom::value, n);
      },
      [=](actors::status_atom) { return status(); },
  };
}

/// One process of two nodes, 6 iterations of sgp, with a loopback bridge
/// answering status with `status()`; joined before it is started. Returns
/// the host's answer to start_atom (an error after 30 s without one).
template <class Status>
caf::expected<runtime::run_summary> run_one_process(const std::string& name, Status status) {
  auto cfg = test::small_config(2, "sgp");
  cfg.backend.compute_threads = "shared";
  cfg.schedule.max_iterations = 6;
  auto settings = config::resolve(cfg);
  REQUIRE(settings.ok());
  actors::process_host_setup hs;
  hs.cfg = cfg;
  hs.process = 0;
  hs.names = {"p0"};
  hs.node_process = {0, 0};
  hs.dir = test::actor_test_dir() + "/" + name + "/p0";
  std::filesystem::remove_all(hs.dir);
  std::filesystem::create_directories(hs.dir);
  hs.settings = settings.value();

  caf::actor_system_config conf;
  actors::add_message_types(conf);
  caf::actor_system sys(conf);
  const auto [train, test_set] = test::small_sets(cfg);
  auto host = sys.spawn(actors::process_host, hs, train, test_set);
  auto bridge = sys.spawn(loopback_bridge<Status>, host, status);
  caf::scoped_actor self{sys};
  // One sender: the host gets "joined" first, then "start".
  self->send(host, actors::joined_atom::value);
  caf::expected<runtime::run_summary> out = caf::make_error(caf::sec::request_timeout);
  self->request(host, std::chrono::seconds(30), actors::start_atom::value, bridge, caf::actor{})
      .receive([&](const runtime::run_summary& s) { out = s; },
               [&](caf::error& e) {
                 INFO(sys.render(e));
                 out = std::move(e);
               });
  self->send_exit(bridge, caf::exit_reason::user_shutdown);
  self->send_exit(host, caf::exit_reason::user_shutdown);
  return out;
}

}  // namespace

TEST_CASE("a process host told that every process joined before it was started trains and ends",
          "[actors]") {
  auto out = run_one_process("joined_early", [] { return actors::data_plane_counters{}; });
  REQUIRE(out);
  CHECK(out->live_nodes == 2);
  CHECK(out->iterations == 6);
  CHECK(out->total_weight == Approx(out->expected_total_weight).margin(1e-9));
}

TEST_CASE("a process host whose bridge answers status wrongly ends the run with an error",
          "[actors]") {
  // A vector of counters where the host waits for data_plane_counters (as
  // the bridge answered before): the answer fails at the end of the run,
  // and the run must end with that error, not hang.
  auto out = run_one_process("wrong_answer", [] { return std::vector<std::uint64_t>(8, 0); });
  REQUIRE_FALSE(out);
  const auto& ctx = out.error().context();
  REQUIRE(ctx.size() == 1);
  REQUIRE(ctx.match_element<std::string>(0));
  CHECK_THAT(ctx.get_as<std::string>(0),
             Catch::Contains("process host: an answer it waited for failed"));
}
