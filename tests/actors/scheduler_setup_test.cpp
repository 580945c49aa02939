// The actor scheduler's set-up for sgp train and sgp node (threads and polling).
#include "actors/scheduler_setup.hpp"

#include <catch2/catch.hpp>

namespace actors = sgp::actors;
using sgp::config::actor_polling;

TEST_CASE("processes that share a host share its actor threads", "[actors]") {
  // Alone: CAF's default (the hardware's count, at least 4).
  CHECK(actors::scheduler_threads(16, 1) == 16);
  CHECK(actors::scheduler_threads(2, 1) == 4);
  // Four on 16 cores: 4 each; four on 2 cores: 2 each (never fewer).
  CHECK(actors::scheduler_threads(16, 4) == 4);
  CHECK(actors::scheduler_threads(2, 4) == 2);
  CHECK(actors::scheduler_threads(2, 2) == 2);
  CHECK(actors::scheduler_threads(0, 0) == 4);  // unknown hardware, no count
}

TEST_CASE("automatic polling is quiet only where a cluster's threads outnumber the cores",
          "[actors]") {
  using actors::scheduler_in_cluster;
  // Four processes on 16 cores: 4 threads each, 16 in all: CAF's polling.
  auto roomy = scheduler_in_cluster(0, actor_polling::automatic, 16, 4);
  CHECK(roomy.threads == 4);
  CHECK_FALSE(roomy.quiet);
  CHECK(roomy.why == "4 processes of the cluster on this host: 4 actor threads each");
  // Four on 2 cores: 2 each, 8 in all: quiet, and the log says why.
  auto crowded = scheduler_in_cluster(0, actor_polling::automatic, 2, 4);
  CHECK(crowded.threads == 2);
  CHECK(crowded.quiet);
  CHECK_THAT(crowded.why, Catch::Contains("quiet: more than the host's 2 hardware threads"));
  // Alone on its host: CAF's defaults, nothing to log.
  auto alone = scheduler_in_cluster(0, actor_polling::automatic, 2, 1);
  CHECK(alone.threads == 4);
  CHECK_FALSE(alone.quiet);
  CHECK(alone.why.empty());
  // Given threads count too: two processes with 3 each on 4 cores.
  CHECK(scheduler_in_cluster(3, actor_polling::automatic, 4, 2).quiet);
  CHECK_FALSE(scheduler_in_cluster(2, actor_polling::automatic, 4, 2).quiet);
  // Said outright, it holds either way.
  CHECK_FALSE(scheduler_in_cluster(0, actor_polling::busy, 2, 4).quiet);
  auto told = scheduler_in_cluster(2, actor_polling::quiet, 64, 1);
  CHECK(told.quiet);
  CHECK(told.why == "2 actor threads (cluster.actor_threads), quiet (cluster.actor_polling)");
}

TEST_CASE("sgp train polls as CAF does unless told to be quiet", "[actors]") {
  using actors::scheduler_alone;
  auto plain = scheduler_alone(0, actor_polling::automatic);
  CHECK(plain.threads == 0);
  CHECK_FALSE(plain.quiet);
  CHECK(plain.why.empty());
  auto told = scheduler_alone(0, actor_polling::quiet);
  CHECK(told.quiet);
  CHECK(told.why == "quiet (cluster.actor_polling)");
  CHECK(scheduler_alone(6, actor_polling::busy).threads == 6);
}
