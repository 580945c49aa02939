// Actor failures: an exception ends its actor with a reason that names it,
// and any actor of a group that fails ends the run with that error instead
// of leaving it waiting for ever.
#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>

#include "actors/actor_failure.hpp"
#include "tests/actors/group_fixture.hpp"

using sgp::actors::actor_failure_text;
using sgp::actors::exception_exit_reason;
using sgp::test::group_fixture;
using sgp::test::small_config;

namespace {

/// Spawns an actor whose handler throws "boom" after `install(self)` set
/// its exception handling, sends it a message and returns the failure text
/// of its exit reason.
template <class Install>
std::string failure_after_throw(Install install) {
  caf::actor_system_config cfg;
  cfg.set("logger.console-verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};
  auto thrower = sys.spawn([install](caf::event_based_actor* self) -> caf::behavior {
    install(self);
    return {[](int) { throw std::runtime_error("boom"); }};
  });
  caf::scoped_actor self{sys};
  self->monitor(thrower);
  self->send(thrower, 1);
  std::string text;
  self->receive([&](const caf::down_msg& down) { text = actor_failure_text(down.reason); });
  return text;
}

}  // namespace

TEST_CASE("an exception ends its actor with a reason that names it", "[actors]") {
  CHECK(failure_after_throw([](caf::event_based_actor* self) {
          sgp::actors::exit_on_exception(self, "node 7 compute");
        }) == "node 7 compute failed: boom");
  // Other exit reasons are no failure.
  CHECK(actor_failure_text(caf::exit_reason::kill).empty());
  CHECK(actor_failure_text(caf::make_error(caf::sec::runtime_error, std::string("x"))).empty());
}

TEST_CASE("an actor that owns a run ends it on an exception before it exits", "[actors]") {
  auto ended = std::make_shared<std::string>();
  const auto text = failure_after_throw([ended](caf::event_based_actor* self) {
    sgp::actors::end_run_on_exception(self, "the run's owner",
                                      [ended](const std::string& why) { *ended = why; });
  });
  CHECK(text == "the run's owner failed: boom");
  CHECK(*ended == text);  // called before the exit, with the same text
}

TEST_CASE("an actor that fails mid-run ends the run with its error", "[actors]") {
  const std::string algorithm = GENERATE("sgp", "ar-sgd");
  group_fixture f;
  f.spawn(small_config(3, algorithm));
  bool failed = false;
  const auto s = f.run([&](sgp::actors::supervisor_state& st) {
    if (!failed && st.last[1]) {
      // What an exception in node 1's compute actor leaves behind.
      const auto boom = std::make_exception_ptr(std::runtime_error("boom"));
      // (An exit message, which no typed interface lists: sent untyped.)
      caf::anon_send(
          caf::actor_cast<caf::actor>(st.host.node(1).compute),
          caf::exit_msg{caf::actor_addr{}, exception_exit_reason("node 1 compute", boom)});
      failed = true;
    }
    return false;
  });
  CHECK(failed);
  CHECK_FALSE(s);
  CHECK_THAT(f.error, Catch::Contains("node 1 compute failed: boom"));
}

TEST_CASE("a model that is not finite at the end fails the run, though every loss was finite",
          "[actors]") {
  // One iteration: its loss is taken before the step, which a huge lr makes
  // infinite. Before, such a run evaluated the broken model (10 % on four
  // classes' worth of noise) and reported success.
  const std::string algorithm = GENERATE("sgp", "osgp", "ar-sgd");
  group_fixture f;
  auto c = small_config(3, algorithm);
  c.optimizer.lr = 1e300;
  c.schedule.max_iterations = 1;
  f.spawn(c);
  const auto s = f.run();
  INFO(algorithm);
  CHECK_FALSE(s);
  CHECK_THAT(f.error, Catch::Contains("diverged after its last reported loss") &&
                          Catch::Contains("node 0") && Catch::Contains("lower optimizer.lr"));
}
