// A training group under CAF's deterministic test coordinator: one thread,
// a virtual clock, messages processed one at a time. Runs are discrete-event
// simulations: when no message is queued, the clock jumps to the next timer.
#pragma once

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/embedding.hpp"
#include "actors/supervisor_actor.hpp"
#include "actors/training_group.hpp"
#include "config/config.hpp"
#include "data/synthetic.hpp"
#include "tests/small_config.hpp"

namespace sgp::test {

class group_fixture {
 public:
  group_fixture() {
    cfg_.set("scheduler.policy", caf::atom("testing"));
    cfg_.set("logger.file-verbosity", caf::atom("quiet"));
    cfg_.set("logger.console-verbosity", caf::atom("quiet"));
    sys_ = std::make_unique<caf::actor_system>(cfg_);
    sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys_->scheduler());
    self_ = std::make_unique<caf::scoped_actor>(*sys_);
  }

  ~group_fixture() {
    if (supervisor_) caf::anon_send_exit(supervisor_, caf::exit_reason::kill);
    sched_->run();
    while (sched_->trigger_timeout()) sched_->run();
  }

  /// Spawns the group for `config` on synthetic data. Compute actors stay
  /// on the deterministic scheduler (backend.compute_threads = "shared"): a
  /// thread of their own would run outside the simulated time.
  void spawn(const config::config& config) {
    auto c = config;
    c.backend.compute_threads = "shared";
    const auto& d = c.data;
    auto train = std::make_shared<const data::dataset>(data::make_synthetic(
        d.synthetic_train_samples, d.channels, d.height, d.width, d.classes, 1));
    auto test = std::make_shared<const data::dataset>(data::make_synthetic(
        d.synthetic_test_samples, d.channels, d.height, d.width, d.classes, 2));
    supervisor_ = actors::spawn_training_group(*sys_, c, train, test).supervisor;
  }

  /// Starts the run and simulates until it ends; `each` runs after every
  /// processed batch of messages (to look at the supervisor mid-run) and
  /// may return true to stop early.
  std::optional<runtime::run_summary> run(
      const std::function<bool(actors::supervisor_state&)>& each = nullptr) {
    auto handle = (*self_)->request(supervisor_, caf::infinite, actors::start_atom::value);
    for (int steps = 0; steps < 1'000'000; ++steps) {
      sched_->run();
      auto* st = state();
      if (st == nullptr) break;  // the supervisor is gone: the run is over
      if (each && each(*st)) break;
      if (!sched_->trigger_timeout()) break;
    }
    sched_->run();
    std::optional<runtime::run_summary> out;
    handle.receive([&](const runtime::run_summary& s) { out = s; },
                   [&](const caf::error& e) { error = sys_->render(e); });
    return out;
  }

  /// Sends a console line to the supervisor and returns the reply.
  std::string command(const std::string& line) {
    auto handle = (*self_)->request(supervisor_, caf::infinite, actors::command_atom::value, line);
    sched_->run();
    std::string reply;
    handle.receive([&](const std::string& r) { reply = r; },
                   [&](const caf::error& e) { reply = "error: " + sys_->render(e); });
    return reply;
  }

  /// Sends a typed command (actors/embedding.hpp) and returns the outcome.
  actors::command_outcome command(const core::command& c) {
    auto handle = (*self_)->request(supervisor_, caf::infinite, actors::command_atom::value, c);
    sched_->run();
    actors::command_outcome out{false, "no reply"};
    handle.receive([&](const actors::command_outcome& r) { out = r; },
                   [&](const caf::error& e) { out.message = "error: " + sys_->render(e); });
    return out;
  }

  /// Spawns an actor of the test (a listener) in the group's actor system.
  template <class F, class... Ts>
  caf::actor spawn_actor(F fun, Ts&&... xs) {
    return sys_->spawn(fun, std::forward<Ts>(xs)...);
  }

  /// Subscribes `listener` to the group's typed events (or unsubscribes it).
  void subscribe(const caf::actor& listener, bool on = true) {
    if (on) {
      (*self_)->send(supervisor_, actors::subscribe_atom::value, listener);
    } else {
      (*self_)->send(supervisor_, actors::unsubscribe_atom::value, listener);
    }
    sched_->run();
  }

  /// Sends console lines one after the other without running the actors in
  /// between (the supervisor takes them in this order), then the replies.
  std::vector<std::string> commands(const std::vector<std::string>& lines) {
    std::vector<std::string> replies(lines.size());
    using handle = decltype((*self_)->request(supervisor_, caf::infinite,
                                              actors::command_atom::value, std::string{}));
    std::vector<handle> handles;
    for (const auto& line : lines) {
      handles.push_back(
          (*self_)->request(supervisor_, caf::infinite, actors::command_atom::value, line));
    }
    sched_->run();
    for (std::size_t i = 0; i < lines.size(); ++i) {
      handles[i].receive([&](const std::string& r) { replies[i] = r; },
                         [&](const caf::error& e) { replies[i] = "error: " + sys_->render(e); });
    }
    return replies;
  }

  /// The supervisor's state, or null once it has quit.
  actors::supervisor_state* state() {
    auto* ptr = caf::actor_cast<caf::abstract_actor*>(supervisor_);
    auto* sup = dynamic_cast<actors::supervisor_ptr>(ptr);
    if (sup == nullptr || sup->getf(caf::abstract_actor::is_terminated_flag)) return nullptr;
    return &sup->state;
  }

  caf::scheduler::test_coordinator& sched() { return *sched_; }

  /// The group's supervisor (to drive a run message by message).
  [[nodiscard]] const actors::supervisor_handle& supervisor() const { return supervisor_; }

  std::string error;

 private:
  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  std::unique_ptr<caf::scoped_actor> self_;
  actors::supervisor_handle supervisor_;
};

}  // namespace sgp::test
