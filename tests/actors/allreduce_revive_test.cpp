// The AllReduce actor when a node rejoins (ar-sgd kill and revive): the
// orderings of the view, the other nodes' gradients and the newcomer's
// first gradient that the threaded scheduler can produce, replayed one
// message at a time under the test coordinator.
#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <memory>
#include <vector>

#include "actors/allreduce_actor.hpp"

namespace {

using sgp::actors::allreduce_handle;
using sgp::actors::allreduce_state;
using sgp::actors::avg_grad_atom;
using sgp::actors::compute_handle;
using sgp::actors::engine_list;
using sgp::actors::grad_atom;
using sgp::actors::shared_floats;
using sgp::actors::view_atom;

/// Stands in for a compute actor: records the iterations of the averages it
/// gets, and their values.
struct recorder_state {
  std::vector<std::uint64_t> averages;
  std::vector<shared_floats> values;
  static inline const char* name = "test.recorder";
};

caf::behavior recorder(caf::stateful_actor<recorder_state>* self) {
  return {
      [=](avg_grad_atom, const shared_floats& g, std::uint64_t iteration) {
        self->state.averages.push_back(iteration);
        self->state.values.push_back(g);
      },
  };
}

class allreduce_fixture {
 public:
  static constexpr std::size_t nodes = 4;

  allreduce_fixture() {
    cfg_.set("scheduler.policy", caf::atom("testing"));
    cfg_.set("logger.file-verbosity", caf::atom("quiet"));
    cfg_.set("logger.console-verbosity", caf::atom("quiet"));
    sys_ = std::make_unique<caf::actor_system>(cfg_);
    sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys_->scheduler());
    sgp::net::link_emulator links(static_cast<int>(nodes), {}, 1);
    allreduce_ = sys_->spawn(sgp::actors::allreduce_actor, links, std::uint64_t{4}, nullptr,
                             engine_list(nodes));
    for (std::size_t i = 0; i < nodes; ++i) computes_.push_back(sys_->spawn(recorder));
    settle();
  }

  ~allreduce_fixture() {
    caf::anon_send_exit(allreduce_, caf::exit_reason::kill);
    for (const auto& c : computes_) caf::anon_send_exit(c, caf::exit_reason::kill);
    settle();
  }

  /// Processes every message and fires every timer (the ring delays).
  void settle() {
    sched_->run();
    while (sched_->trigger_timeouts() > 0) sched_->run();
  }

  void view(const std::vector<bool>& live) {
    std::vector<compute_handle> computes(nodes);
    for (std::size_t i = 0; i < nodes; ++i) {
      if (live[i]) computes[i] = caf::actor_cast<compute_handle>(computes_[i]);
    }
    caf::anon_send(allreduce_, view_atom::value, computes, live, engine_list(nodes));
    sched_->run();
  }

  /// Node `node`'s compute actor sends its gradient for `iteration`.
  void gradient(int node, std::uint64_t iteration) {
    auto g = std::make_shared<const std::vector<float>>(8, static_cast<float>(node + 1));
    caf::send_as(computes_[static_cast<std::size_t>(node)], allreduce_, grad_atom::value, node,
                 iteration, shared_floats(g));
    sched_->run();
  }

  std::vector<std::uint64_t>& averages(int node) {
    return state_of<recorder_state, caf::event_based_actor>(
               computes_[static_cast<std::size_t>(node)])
        .averages;
  }
  /// The values of the averages node `node` got, in order.
  std::vector<shared_floats>& values(int node) {
    return state_of<recorder_state, caf::event_based_actor>(
               computes_[static_cast<std::size_t>(node)])
        .values;
  }

  allreduce_state& allreduce() {
    return state_of<allreduce_state, allreduce_handle::base>(allreduce_);
  }

 private:
  template <class State, class Base, class Handle>
  State& state_of(const Handle& a) {
    auto* ptr = caf::actor_cast<caf::abstract_actor*>(a);
    return dynamic_cast<caf::stateful_actor<State, Base>&>(*ptr).state;
  }

  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  allreduce_handle allreduce_;
  std::vector<caf::actor> computes_;
};

}  // namespace

TEST_CASE("a revived node's first gradient, for an iteration already averaged, is answered",
          "[actors]") {
  allreduce_fixture f;
  f.view({false, true, true, true});  // node 0 was killed
  f.gradient(1, 5);
  // Node 0 is revived while iteration 5 is under way: it is excused from it.
  f.view({true, true, true, true});
  f.gradient(2, 5);
  f.gradient(3, 5);
  f.settle();  // iteration 5 is averaged without node 0 and delivered
  for (int i = 1; i < 4; ++i) CHECK(f.averages(i) == std::vector<std::uint64_t>{5});
  // The newcomer continues at its donor's iteration, 5, and its compute
  // actor (which dropped the average that came before it asked) waits for
  // an answer: without one the whole group waits for it at iteration 6.
  f.averages(0).clear();
  f.values(0).clear();
  f.gradient(0, 5);
  f.settle();
  CHECK(f.averages(0) == std::vector<std::uint64_t>{5});
  // It gets the average the others applied, (2 + 3 + 4) / 3, not its own
  // gradient (1): it takes its donor's step, and the replicas stay identical.
  REQUIRE(f.values(0).size() == 1);
  REQUIRE(f.values(0)[0] != nullptr);
  CHECK(*f.values(0)[0] == std::vector<float>(8, 3.0f));
  CHECK(*f.values(0)[0] == *f.values(1)[0]);
  CHECK(f.allreduce().iterations.count(5) == 0);  // no stale iteration left behind
  // Everybody meets at iteration 6.
  for (int i = 1; i < 4; ++i) f.gradient(i, 6);
  f.gradient(0, 6);
  f.settle();
  CHECK(f.averages(0) == std::vector<std::uint64_t>{5, 6});
  for (int i = 1; i < 4; ++i) CHECK(f.averages(i) == std::vector<std::uint64_t>{5, 6});
  CHECK(f.allreduce().iterations.empty());
}

TEST_CASE("a revived node excused from a pending iteration still gets its average", "[actors]") {
  allreduce_fixture f;
  f.view({false, true, true, true});
  f.gradient(1, 5);
  f.view({true, true, true, true});
  f.gradient(0, 5);  // in time: iteration 5 is still under way
  f.gradient(2, 5);
  f.gradient(3, 5);
  f.settle();
  for (int i = 0; i < 4; ++i) CHECK(f.averages(i) == std::vector<std::uint64_t>{5});
  CHECK(f.allreduce().iterations.empty());
}
