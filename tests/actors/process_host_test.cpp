// One process of a cluster (actors/process_host) with a stand-in bridge that
// loops its notices back: the start-up order. A fresh-clone CI run had the
// bridge report "every process joined" before the host was started; the
// nodes spawned after that were never started and the process hung.
#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "actors/cluster_messages.hpp"
#include "actors/message_types.hpp"
#include "actors/process_host.hpp"
#include "config/settings.hpp"
#include "data/synthetic.hpp"
#include "tests/small_config.hpp"

namespace {

using namespace sgp;

/// The bridge of a cluster of one process: notices for this process go
/// back to the host (as the real bridge does), counters are zero, the list
/// of local workers is taken. It never says "joined": the test does. (A
/// message it did not handle would come back to the host as an error.)
caf::behavior loopback_bridge(caf::event_based_actor* self, caf::actor host) {
  return {
      [](actors::view_atom, const std::vector<actors::push_handle>&) {},
      [=](actors::notice_atom, std::uint32_t to, const net::wire::notice& n) {
        if (to == actors::all_processes || to == 0) self->send(host, actors::notice_atom::value, n);
      },
      [](actors::status_atom) { return std::vector<std::uint64_t>(actors::bridge_counters, 0); },
  };
}

}  // namespace

TEST_CASE("a process host told that every process joined before it was started trains and ends",
          "[actors]") {
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
  hs.dir = test::actor_test_dir() + "/joined_early/p0";
  std::filesystem::remove_all(hs.dir);
  std::filesystem::create_directories(hs.dir);
  hs.settings = settings.value();

  caf::actor_system_config conf;
  actors::add_message_types(conf);
  caf::actor_system sys(conf);
  const auto& d = cfg.data;
  auto train = std::make_shared<const data::dataset>(
      data::make_synthetic(d.synthetic_train_samples, d.channels, d.height, d.width, d.classes, 1));
  auto test_set = std::make_shared<const data::dataset>(
      data::make_synthetic(d.synthetic_test_samples, d.channels, d.height, d.width, d.classes, 2));
  auto host = sys.spawn(actors::process_host, hs, train, test_set);
  auto bridge = sys.spawn(loopback_bridge, host);
  caf::scoped_actor self{sys};
  // One sender: the host gets "joined" first, then "start".
  self->send(host, actors::joined_atom::value);
  bool answered = false;
  self->request(host, std::chrono::seconds(30), actors::start_atom::value, bridge, caf::actor{})
      .receive(
          [&](const runtime::run_summary& s) {
            answered = true;
            CHECK(s.live_nodes == 2);
            CHECK(s.iterations == 6);
            CHECK(s.total_weight == Approx(s.expected_total_weight).margin(1e-9));
          },
          [&](const caf::error& e) { FAIL("the host did not finish: " << sys.render(e)); });
  CHECK(answered);
  self->send_exit(bridge, caf::exit_reason::user_shutdown);
}
