// Which process restarts after an outage longer than the process timeout
// (core/cut_off.hpp), and the notice's encoding.
#include <catch2/catch.hpp>

#include "core/cut_off.hpp"

using namespace sgp::core;

TEST_CASE("a process that others hold dead while it holds them live restarts", "[core]") {
  // p2 was stopped (or its link was down) and resumed: it holds everyone
  // live; p0 holds p2 dead.
  const cut_off_notice from_p0{10, 12, {true, true, false}};
  CHECK(judge_cut_off(from_p0, 2, 12, {true, true, true}, 0) == cut_off_verdict::restart);
  // Addressed to an earlier life (p2 restarted already), or to none known.
  CHECK(judge_cut_off(from_p0, 2, 13, {true, true, true}, 0) == cut_off_verdict::stale);
  CHECK(judge_cut_off({10, 0, {true, true, false}}, 2, 12, {true, true, true}, 0) ==
        cut_off_verdict::stale);
  // A sender that lists the receiver as live says nothing of it.
  CHECK(judge_cut_off({10, 12, {true, true, true}}, 2, 12, {true, true, true}, 0) ==
        cut_off_verdict::ignored);
}

TEST_CASE(
    "after a partition exactly one side restarts: the smaller one or else the one without "
    "the lowest index",
    "[core]") {
  // {p0, p1} against {p2}: p2 restarts, p0 and p1 stay.
  const std::vector<bool> big{true, true, false};
  const std::vector<bool> small{false, false, true};
  CHECK(judge_cut_off({10, 12, big}, 2, 12, small, 0) == cut_off_verdict::restart);
  CHECK(judge_cut_off({12, 10, small}, 0, 10, big, 2) == cut_off_verdict::stay);
  CHECK(judge_cut_off({12, 11, small}, 1, 11, big, 2) == cut_off_verdict::stay);
  // Two against two: the side without p0 restarts, whichever peer says so.
  const std::vector<bool> a{true, false, false, true};
  const std::vector<bool> b{false, true, true, false};
  for (const std::uint32_t me : {1U, 2U}) {
    for (const std::uint32_t peer : {0U, 3U}) {
      CHECK(judge_cut_off({5, 7, a}, me, 7, b, peer) == cut_off_verdict::restart);
      CHECK(judge_cut_off({7, 5, b}, peer, 5, a, me) == cut_off_verdict::stay);
    }
  }
  // Two processes, each alone: p1 restarts.
  CHECK(judge_cut_off({1, 2, {true, false}}, 1, 2, {false, true}, 0) == cut_off_verdict::restart);
  CHECK(judge_cut_off({2, 1, {false, true}}, 0, 1, {true, false}, 1) == cut_off_verdict::stay);
}

TEST_CASE("a cut-off notice round-trips and malformed ones are refused", "[core]") {
  const cut_off_notice n{1764532000123456, 1764532000654321, {true, false, true}};
  const auto back = decode_cut_off(encode_cut_off(n), 3);
  REQUIRE(back.ok());
  CHECK(back->sender == n.sender);
  CHECK(back->receiver == n.receiver);
  CHECK(back->live == n.live);
  CHECK_FALSE(decode_cut_off(encode_cut_off(n), 4).ok());  // another cluster size
  CHECK_FALSE(decode_cut_off({1.5, 2.0, 1.0}, 1).ok());
  CHECK_FALSE(decode_cut_off({-1.0, 2.0, 1.0}, 1).ok());
  CHECK_FALSE(decode_cut_off({1.0, 2.0, 0.5}, 1).ok());
  CHECK_FALSE(decode_cut_off({1.0, 2.0, std::nan("")}, 1).ok());
}
