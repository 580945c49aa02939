// A group's worker waits come from its config: the wait timeout in seconds,
// and the resend attempts only where resends are on.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "actors/worker_actor.hpp"
#include "config/config.hpp"
#include "config/settings.hpp"

using namespace sgp;

namespace {

actors::worker_setup waits_of(const std::string& algorithm) {
  auto cfg = config::load_string("[algorithm]\n" + algorithm, "test.toml");
  REQUIRE(cfg.ok());
  auto settings = config::resolve(*cfg);
  REQUIRE(settings.ok());
  actors::worker_setup setup;
  setup.resend_waits = -1;
  actors::set_waits(setup, *cfg, *settings);
  return setup;
}

}  // namespace

TEST_CASE("worker waits take the wait timeout and no resends by default", "[actors]") {
  const auto setup = waits_of("wait_timeout = \"250ms\"\n");
  CHECK(setup.wait_timeout == std::chrono::milliseconds(250));
  CHECK(setup.resend_waits == 0);
}

TEST_CASE("worker waits ask for resends as many times as resend_attempts says", "[actors]") {
  CHECK(waits_of("resend_on_timeout = true\n").resend_waits == 3);
  CHECK(waits_of("resend_on_timeout = true\nresend_attempts = 5\n").resend_waits == 5);
}
