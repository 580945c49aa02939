// The AllReduce actor's device path, on the CPU: a stand-in device clique
// that averages host buffers in place shows what the actor does with a
// real one (NCCL on GPUs): no gradient data in the messages, one average
// per iteration over the live nodes, the reply after the ring time, a
// rebuild over the survivors after a kill, the host path for the rest of
// the run when a rebuild fails, and a revived node's late gradient
// answered with the average the others applied (recalled into its buffer).
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "actors/allreduce_actor.hpp"
#include "data/synthetic.hpp"
#include "runtime/compute_engine.hpp"

namespace sgp::actors {
namespace {

/// What the actor asked of the clique.
struct clique_log {
  int averages = 0;
  int rebuilds = 0;
  int recalls = 0;
  std::size_t ranks = 0;  ///< size of the last clique built
  bool fail_rebuild = false;
};

/// Averages CPU buffers (host memory) in place, as NCCL does on GPUs.
class host_clique final : public gpu::device_allreduce {
 public:
  host_clique(std::shared_ptr<clique_log> log, std::size_t ranks)
      : log_(std::move(log)), ranks_(ranks) {
    log_->ranks = ranks;
  }
  [[nodiscard]] std::string describe() const override { return "host stand-in"; }
  [[nodiscard]] std::vector<int> devices() const override { return std::vector<int>(ranks_, 0); }
  [[nodiscard]] std::size_t size() const override { return ranks_; }
  core::status average(std::span<gpu::buffer* const> grads, std::uint64_t iteration) override {
    if (grads.size() != ranks_ || ranks_ == 0) return core::make_error("wrong ranks");
    ++log_->averages;
    for (std::size_t k = 0; k < grads[0]->size(); ++k) {
      double sum = 0.0;
      for (auto* g : grads) sum += g->data()[k];
      for (auto* g : grads) g->data()[k] = static_cast<float>(sum / grads.size());
    }
    // Kept after a membership change, as the NCCL clique does.
    if (log_->rebuilds > 0) {
      kept_iteration_ = static_cast<std::int64_t>(iteration);
      kept_.assign(grads[0]->data(), grads[0]->data() + grads[0]->size());
    }
    return {};
  }
  core::status recall(std::uint64_t iteration, gpu::buffer& into, gpu::backend&) override {
    if (kept_iteration_ != static_cast<std::int64_t>(iteration) || into.size() != kept_.size()) {
      return core::make_error("the average of iteration " + std::to_string(iteration) +
                              " is not kept");
    }
    ++log_->recalls;
    std::copy(kept_.begin(), kept_.end(), into.data());
    return {};
  }
  void abort() override { ranks_ = 0; }
  core::status rebuild(std::span<gpu::backend* const> backends) override {
    ++log_->rebuilds;
    ranks_ = 0;
    if (log_->fail_rebuild) return core::make_error("stand-in rebuild failure");
    ranks_ = backends.size();
    log_->ranks = ranks_;
    return {};
  }

 private:
  std::shared_ptr<clique_log> log_;
  std::size_t ranks_;
  std::int64_t kept_iteration_ = -1;
  std::vector<float> kept_;
};

struct fixture {
  fixture() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console-verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    self = std::make_unique<caf::scoped_actor>(*sys);
    train = std::make_shared<const data::dataset>(data::make_synthetic(64, 1, 8, 8, 4, 1));
  }
  ~fixture() {
    if (allreduce) caf::anon_send_exit(allreduce, caf::exit_reason::kill);
    sched->run();
  }

  std::shared_ptr<runtime::compute_engine> engine(int node) {
    runtime::compute_setup setup;
    setup.model = "mlp";
    setup.batch_size = 8;
    setup.node = node;
    setup.nodes = 3;
    auto e = runtime::compute_engine::create(setup, train);
    REQUIRE(e.ok());
    return std::shared_ptr<runtime::compute_engine>(std::move(e).value());
  }

  /// Sets node i's gradient to `value` everywhere.
  static void fill(runtime::compute_engine& e, float value) {
    const std::vector<float> g(e.parameters(), value);
    e.backend().upload(g, e.gradient_buffer());
  }

  /// Whether every element of node i's gradient is `value`.
  static bool all_equal(runtime::compute_engine& e, float value) {
    const auto g = e.gradient_copy();
    return std::all_of(g.begin(), g.end(), [&](float x) { return x == value; });
  }

  void view(const std::vector<bool>& live, const engine_list& engines) {
    std::vector<compute_handle> computes(live.size());
    for (std::size_t i = 0; i < live.size(); ++i) {
      if (live[i]) computes[i] = caf::actor_cast<compute_handle>(*self);
    }
    (*self)->send(allreduce, view_atom::value, computes, live, engines);
    sched->run();
  }

  void grad(int node, std::uint64_t iteration, shared_floats g = nullptr) {
    (*self)->send(allreduce, grad_atom::value, node, iteration, std::move(g));
    sched->run();
  }

  /// The averages delivered (after the ring time) to the computes.
  std::vector<shared_floats> replies(std::uint64_t iteration) {
    while (sched->trigger_timeout()) sched->run();
    std::vector<shared_floats> out;
    bool more = true;
    while (more) {
      (*self)->receive(
          [&](avg_grad_atom, const shared_floats& g, std::uint64_t it) {
            CHECK(it == iteration);
            out.push_back(g);
          },
          caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
    }
    return out;
  }

  /// The AllReduce actor over three live nodes with a stand-in clique.
  void spawn_on_stand_in(const engine_list& engines, const std::shared_ptr<clique_log>& log) {
    allreduce = sys->spawn(allreduce_actor, links, std::uint64_t{4},
                           std::make_shared<host_clique>(log, 3), engines);
    view({true, true, true}, engines);
  }

  allreduce_state& state() {
    auto* ptr = caf::actor_cast<caf::abstract_actor*>(allreduce);
    return dynamic_cast<caf::stateful_actor<allreduce_state, allreduce_handle::base>&>(*ptr).state;
  }

  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::unique_ptr<caf::scoped_actor> self;
  std::shared_ptr<const data::dataset> train;
  net::link_emulator links{3, net::link_properties{}, 1};
  allreduce_handle allreduce;
};

TEST_CASE("allreduce on devices averages in place, rebuilds after a kill, falls back", "[actors]") {
  fixture f;
  engine_list engines{f.engine(0), f.engine(1), f.engine(2)};
  auto log = std::make_shared<clique_log>();
  f.spawn_on_stand_in(engines, log);
  CHECK(log->rebuilds == 0);  // the clique it was given is already the live nodes'

  // Iteration 0: no gradient data travels; one average over three ranks.
  f.fill(*engines[0], 1.0f);
  f.fill(*engines[1], 2.0f);
  f.fill(*engines[2], 6.0f);
  for (int i = 0; i < 3; ++i) f.grad(i, 0);
  CHECK(log->averages == 1);
  const auto first = f.replies(0);
  REQUIRE(first.size() == 3);
  for (const auto& g : first) CHECK(g == nullptr);
  for (const auto& e : engines) CHECK(f.all_equal(*e, 3.0f));
  // The emulated links still set when it arrives.
  CHECK(f.state().ring_seconds ==
        ring_allreduce_seconds(f.links, {true, true, true}, engines[0]->parameters() * 4));
  CHECK(f.state().ring_seconds > 0.0);

  // Node 2 dies: the clique is rebuilt over nodes 0 and 1 and node 2's
  // buffer is left alone.
  f.view({true, true, false}, {engines[0], engines[1], nullptr});
  CHECK(log->rebuilds == 1);
  CHECK(log->ranks == 2);
  f.fill(*engines[0], 1.0f);
  f.fill(*engines[1], 3.0f);
  f.fill(*engines[2], 6.0f);
  f.grad(0, 1);
  f.grad(1, 1);
  CHECK(log->averages == 2);
  CHECK(f.replies(1).size() == 2);
  CHECK(f.all_equal(*engines[0], 2.0f));
  CHECK(f.all_equal(*engines[2], 6.0f));

  // Node 2 comes back but the rebuild fails: the host path from now on,
  // also for gradients sent without data (fetched from the engines).
  log->fail_rebuild = true;
  engines[2] = f.engine(2);
  f.view({true, true, true}, engines);
  CHECK(log->rebuilds == 2);
  CHECK(f.state().device == nullptr);
  f.fill(*engines[0], 1.0f);
  f.fill(*engines[1], 2.0f);
  f.fill(*engines[2], 6.0f);
  for (int i = 0; i < 3; ++i) f.grad(i, 2);
  CHECK(log->averages == 2);
  const auto host = f.replies(2);
  REQUIRE(host.size() == 3);
  for (const auto& g : host) {
    REQUIRE(g != nullptr);
    CHECK(g->size() == engines[0]->parameters());
    CHECK(std::all_of(g->begin(), g->end(), [](float x) { return x == 3.0f; }));
  }
}

TEST_CASE(
    "allreduce on devices gives a revived node that comes late the average the others applied",
    "[actors]") {
  fixture f;
  engine_list engines{f.engine(0), f.engine(1), f.engine(2)};
  auto log = std::make_shared<clique_log>();
  f.spawn_on_stand_in(engines, log);
  // Node 2 dies; the others average iteration 4 without it.
  f.view({true, true, false}, {engines[0], engines[1], nullptr});
  f.fill(*engines[0], 1.0f);
  f.fill(*engines[1], 3.0f);
  f.grad(0, 4);
  f.grad(1, 4);
  REQUIRE(f.replies(4).size() == 2);
  // Node 2 is revived at its donor's iteration, 4, which the others have
  // done: its late gradient gets their average, in its buffer.
  engines[2] = f.engine(2);
  f.view({true, true, true}, engines);
  f.fill(*engines[2], 9.0f);
  f.grad(2, 4);
  CHECK(log->recalls == 1);
  CHECK(f.all_equal(*engines[2], 2.0f));
  const auto late = f.replies(4);
  REQUIRE(late.size() == 1);
  CHECK(late[0] == nullptr);  // the average is in the device buffer
  // An iteration the clique did not keep: the node keeps its own gradient.
  f.fill(*engines[2], 9.0f);
  f.grad(2, 3);
  CHECK(log->recalls == 1);
  CHECK(f.all_equal(*engines[2], 9.0f));
}

}  // namespace
}  // namespace sgp::actors
