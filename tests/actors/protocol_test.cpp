// The message protocol of one iteration, pinned: the group runs under the
// deterministic scheduler one message at a time, every message is recorded
// as (receiver, sender, first atom) before it is processed, and node 0's
// first iteration must go worker -> compute (step) -> worker (step done) ->
// sender (send) -> the peer's worker (push), in that order, each from the
// actor the protocol names.
#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "actors/supervisor_state.hpp"
#include "tests/actors/group_fixture.hpp"

namespace sgp::actors {
namespace {

struct hop {
  caf::actor_id to = 0;
  caf::actor_id from = 0;  ///< 0: sent anonymously
  std::string atom;        ///< the first element's atom, empty if none
};

/// The actor ids of a two-node group (read while the supervisor lives).
struct group_ids {
  caf::actor_id worker0 = 0, compute0 = 0, sender0 = 0, worker1 = 0;
};

/// Runs the group message by message until it ends (or `limit` messages),
/// recording each message before it is processed, and the node actors' ids
/// once the supervisor has spawned them.
std::vector<hop> trace_run(test::group_fixture& f, std::size_t limit, group_ids& ids) {
  auto& sched = f.sched();
  std::vector<hop> out;
  caf::anon_send(f.supervisor(), start_atom::value);
  while (out.size() < limit) {
    if (!sched.has_job()) {
      if (!sched.trigger_timeout()) break;
      continue;
    }
    if (auto* actor = dynamic_cast<caf::scheduled_actor*>(&sched.next_job())) {
      if (const auto* m = actor->mailbox().peek()) {
        hop h{actor->id(), m->sender ? m->sender->id() : 0, {}};
        const auto& content = m->content();
        if (content.size() > 0 && content.match_element<caf::atom_value>(0)) {
          h.atom = caf::to_string(content.get_as<caf::atom_value>(0));
        }
        out.push_back(h);
      }
    }
    sched.run_once();
    auto* st = f.state();
    if (ids.worker0 == 0 && st != nullptr && st->host.nodes().size() == 2 &&
        st->host.node(1).worker) {
      const auto& n0 = st->host.node(0);
      ids = {n0.worker.id(), n0.compute.id(), n0.sender.id(), st->host.node(1).worker.id()};
    }
  }
  return out;
}

TEST_CASE("one iteration's messages: worker, compute, worker, sender, peer", "[actors]") {
  test::group_fixture f;
  auto c = test::small_config(2, "sgp");
  c.schedule.max_iterations = 1;
  c.network.latency = "1ms";
  f.spawn(c);
  group_ids ids;
  const auto trace = trace_run(f, 20000, ids);
  REQUIRE(ids.worker0 != 0);
  const auto [worker0, compute0, sender0, worker1] = ids;
  const auto supervisor = f.supervisor().id();

  // The protocol, as (receiver, sender, atom); sender 0 is anonymous (the
  // sender actor is typed and posts to the dynamically typed workers).
  const std::vector<hop> expected{
      {worker0, supervisor, "start"}, {compute0, worker0, "step"}, {worker0, compute0, "stepdone"},
      {sender0, worker0, "send"},     {worker1, 0, "push"},
  };
  std::size_t next = 0;
  std::vector<std::string> seen;
  for (const auto& h : trace) {
    if (h.to == worker0 || h.to == compute0 || h.to == sender0 || h.to == worker1) {
      seen.push_back(std::to_string(h.to) + "<-" + std::to_string(h.from) + ":" + h.atom);
    }
    if (next < expected.size() && h.to == expected[next].to && h.from == expected[next].from &&
        h.atom == expected[next].atom) {
      ++next;
    }
  }
  std::string all;
  for (const auto& x : seen) all += x + " ";
  INFO("worker0 " << worker0 << ", compute0 " << compute0 << ", sender0 " << sender0 << ", worker1 "
                  << worker1 << ", supervisor " << supervisor << "; " << all);
  CHECK(next == expected.size());
  // Nothing reaches node 0's compute but its own worker's step before its
  // first step is done.
  for (const auto& h : trace) {
    if (h.to == worker0 && h.atom == "stepdone") break;
    if (h.to == compute0) CHECK(h.from == worker0);
  }
}

}  // namespace
}  // namespace sgp::actors
