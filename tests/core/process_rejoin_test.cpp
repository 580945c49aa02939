// The rejoin bookkeeping of a cluster: incarnations heard from processes,
// a readmitted process's nodes in the view, the welcome's encoding.
#include <catch2/catch.hpp>

#include <limits>

#include "core/process_rejoin.hpp"

using namespace sgp::core;

TEST_CASE("a new incarnation of a known process is a restart, once", "[core]") {
  process_lives lives(3);
  CHECK(lives.of(1) == 0);
  CHECK(lives.heard(1, 100) == life_news::first);
  CHECK(lives.heard(1, 100) == life_news::same);
  CHECK(lives.heard(1, 250) == life_news::restarted);
  CHECK(lives.of(1) == 250);
  // The restart is news once: the same incarnation again is not.
  CHECK(lives.heard(1, 250) == life_news::same);
  CHECK(lives.heard(2, 7) == life_news::first);
  CHECK(lives.heard(1, 300) == life_news::restarted);
}

TEST_CASE("an earlier incarnation heard after a later one is not a restart", "[core]") {
  // A process stopped while a peer was restarted reads the old life's
  // connection after the new one's: the old life must not come back.
  process_lives lives(2);
  CHECK(lives.heard(1, 100) == life_news::first);
  CHECK(lives.heard(1, 250) == life_news::restarted);
  CHECK(lives.heard(1, 100) == life_news::earlier);
  CHECK(lives.of(1) == 250);
  CHECK(lives.heard(1, 250) == life_news::same);
}

TEST_CASE("a readmitted process's nodes are live again as its new incarnation", "[core]") {
  const std::vector<std::uint32_t> node_process{0, 0, 1, 1, 2, 2};
  auto view = membership_view::all_up(6);
  view.epoch = 4;
  view.live[4] = view.live[5] = false;
  CHECK(nodes_of(node_process, 2) == std::pair<int, int>{4, 5});
  CHECK(nodes_of(node_process, 3).first > nodes_of(node_process, 3).second);
  CHECK(readmit(view, node_process, 2, 987654321) == 2);
  CHECK(view.epoch == 5);
  CHECK(view.live == std::vector<bool>(6, true));
  CHECK(view.incarnation == std::vector<std::uint64_t>{0, 0, 0, 0, 987654321, 987654321});
}

TEST_CASE("a welcome round-trips through notice values and refuses what does not fit", "[core]") {
  welcome w;
  w.incarnation = 1'764'500'000'123'456ULL;  // microseconds since the epoch
  w.iteration = 57;
  w.live = {true, true, false, false, true, true};
  w.node_incarnation = {0, 0, 3, 3, w.incarnation, w.incarnation};
  w.process_live = {true, false, true};
  w.process_done = {false, false, true};
  w.paused_at = 50;
  w.run_milliseconds = 93'125;
  const auto values = encode_welcome(w);
  auto back = decode_welcome(values, 6, 3);
  REQUIRE(back.ok());
  CHECK(back.value() == w);
  CHECK(back->paused_at == 50);
  CHECK(back->run_milliseconds == 93'125);
  const auto view = view_of(back.value(), 9);
  CHECK(view.epoch == 9);
  CHECK(view.live == w.live);
  CHECK(view.incarnation == w.node_incarnation);

  CHECK_FALSE(decode_welcome(values, 5, 3).ok());  // another size
  auto short_values = values;
  short_values.pop_back();
  CHECK_FALSE(decode_welcome(short_values, 6, 3).ok());
  auto bad = values;
  bad[5] = 0.5;
  CHECK_FALSE(decode_welcome(bad, 6, 3).ok());
  bad[5] = std::numeric_limits<double>::quiet_NaN();
  CHECK_FALSE(decode_welcome(bad, 6, 3).ok());
}

TEST_CASE("a later welcome from further on raises the join point and names the pause", "[core]") {
  welcome taken;  // a survivor stopped at iteration 19, not paused
  taken.iteration = 19;
  welcome later;  // one paused at 34
  later.iteration = 34;
  later.paused_at = 34;
  const std::uint64_t total = 136;
  auto e = effect_of_later_welcome(taken, later, 0, 0, total);
  CHECK(e.join_at_least == 34);
  CHECK(e.pause_at == 34);
  // The other order: a welcome from behind changes nothing.
  e = effect_of_later_welcome(later, taken, 0, 0, total);
  CHECK(e.join_at_least == 0);
  CHECK(e.pause_at == 0);
  // A pause released already, or that this process's nodes are past, or
  // the end, is not paused at; the join point still rises.
  e = effect_of_later_welcome(taken, later, 34, 0, total);
  CHECK(e.join_at_least == 34);
  CHECK(e.pause_at == 0);
  e = effect_of_later_welcome(taken, later, 0, 40, total);
  CHECK(e.pause_at == 0);
  e = effect_of_later_welcome(taken, later, 0, 0, 34);
  CHECK(e.pause_at == 0);
  // A pause below where the taken welcome's survivor stood was released.
  welcome ahead = taken;
  ahead.iteration = 40;
  e = effect_of_later_welcome(ahead, later, 0, 0, total);
  CHECK(e.pause_at == 0);
  // The same pause as the taken one's: nothing new to pause at.
  taken.paused_at = 34;
  taken.iteration = 34;
  e = effect_of_later_welcome(taken, later, 0, 0, total);
  CHECK(e.join_at_least == 0);
  CHECK(e.pause_at == 0);
}
