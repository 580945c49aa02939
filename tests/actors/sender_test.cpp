// The sender actor under the test coordinator: a push reaches the peer's
// actor after the link's time on the virtual clock, as the same shared
// buffers; a link taken down by a link update drops pushes and the worker
// is told. (The transport stack itself is tested in tests/net.)
#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <chrono>
#include <memory>
#include <tuple>
#include <vector>

#include "actors/sender_actor.hpp"
#include "core/host_mass_space.hpp"
#include "net/wire/push_codec.hpp"

using namespace sgp::actors;
using sgp::core::gossip_envelope;

namespace {

struct received {
  double at = 0.0;
  gossip_envelope envelope;
};

struct coordinator {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  coordinator() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
  }
};

double now(const coordinator& c) {
  return std::chrono::duration<double>(c.sched->clock().now().time_since_epoch()).count();
}

gossip_envelope push(std::size_t values, std::uint64_t seq) {
  auto m = std::make_shared<sgp::core::push_message>();
  m->from = 0;
  m->to = 1;
  m->seq = seq;
  m->weight = 0.5;
  m->mass = std::make_shared<const sgp::core::host_mass>(std::vector<double>(values, 1.0));
  gossip_envelope e;
  e.message = std::move(m);
  return e;
}

}  // namespace

TEST_CASE("the sender delivers after the link's time and drops on a link down", "[actors]") {
  coordinator c;
  auto log = std::make_shared<std::vector<received>>();
  auto reports = std::make_shared<std::vector<std::pair<std::uint64_t, std::uint64_t>>>();
  auto peer = c.sys->spawn([log](caf::event_based_actor* self) -> caf::behavior {
    return {[=](push_atom, const gossip_envelope& e) { log->push_back({clock_seconds(self), e}); }};
  });
  auto worker = c.sys->spawn([reports](caf::event_based_actor*) -> caf::behavior {
    return {[=](report_atom, std::uint64_t bytes, std::uint64_t lost) {
      reports->emplace_back(bytes, lost);
    }};
  });
  // 8 Mbit/s (1 byte a microsecond) and 1 ms of latency.
  sgp::net::link_emulator links(2, {8e6, 0.001, 0.0, 0.0}, 1);
  // The stand-ins take only what the sender sends them.
  auto sender = c.sys->spawn(sender_actor, 0, links, 0.0, caf::actor_cast<worker_handle>(worker),
                             std::uint64_t{1}, sgp::net::wire::dtype::f32);
  caf::anon_send(sender, view_atom::value,
                 std::vector<push_handle>{push_handle{}, caf::actor_cast<push_handle>(peer)});
  c.sched->run();

  const auto e = push(250, 1);
  const auto bytes = sgp::net::wire::push_frame_size(sgp::net::wire::dtype::f32, 250);  // 1088
  caf::anon_send(sender, send_atom::value, std::vector<gossip_envelope>{e});
  c.sched->run();
  REQUIRE(reports->size() == 1);
  CHECK(reports->back() == std::pair<std::uint64_t, std::uint64_t>{bytes, 0});
  CHECK(log->empty());
  const double start = now(c);
  c.sched->advance_time(std::chrono::microseconds(2000));
  c.sched->run();
  CHECK(log->empty());  // due after 1088 us on the wire and 1 ms of latency
  c.sched->advance_time(std::chrono::microseconds(100));
  c.sched->run();
  REQUIRE(log->size() == 1);
  CHECK(log->front().at - start == Approx(0.002088).margin(1e-4));
  // The envelope's shared buffers arrive, not copies of them.
  CHECK(log->front().envelope.message == e.message);

  // `link down 0 1`: the next push is dropped, and counted for the worker.
  link_update down;
  down.kind = link_update::what::down;
  down.from = 0;
  down.to = 1;
  caf::anon_send(sender, links_atom::value, down);
  caf::anon_send(sender, send_atom::value, std::vector<gossip_envelope>{push(250, 2)});
  c.sched->run();
  c.sched->advance_time(std::chrono::seconds(1));
  c.sched->run();
  CHECK(log->size() == 1);
  REQUIRE(reports->size() == 2);
  CHECK(reports->back() == std::pair<std::uint64_t, std::uint64_t>{2 * bytes, 1});

  caf::anon_send_exit(sender, caf::exit_reason::kill);
  for (const auto& a : {peer, worker}) caf::anon_send_exit(a, caf::exit_reason::kill);
  c.sched->run();
}
