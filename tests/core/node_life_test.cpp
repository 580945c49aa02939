// Node-level kill and revive in a cluster: notices applied once, in any
// order, so every process's view agrees; the owner's revive plan.
#include <catch2/catch.hpp>

#include "core/node_life.hpp"

using namespace sgp::core;

TEST_CASE("a node change travels as notice values and is checked on arrival", "[core]") {
  const node_change kill{node_change::what::kill, 3, 17, 60};
  const node_change revive{node_change::what::revive, 5, 18, 120};
  CHECK(decode_node_change(encode_node_change(kill), 6).value() == kill);
  CHECK(decode_node_change(encode_node_change(revive), 6).value() == revive);
  CHECK(!decode_node_change(encode_node_change(revive), 5).ok());  // node 5 of 5
  CHECK(!decode_node_change(std::vector<double>{1, 3, 17}, 6).ok());
  CHECK(!decode_node_change(std::vector<double>{3, 3, 17, 60}, 6).ok());
  CHECK(!decode_node_change(std::vector<double>{1, 3, 17.5, 60}, 6).ok());
  CHECK(!decode_node_change(std::vector<double>{1, -1, 17, 60}, 6).ok());
}

TEST_CASE("a resend request travels as notice values and is checked on arrival", "[core]") {
  const resend_request r{4, 1};
  CHECK(decode_resend(encode_resend(r), 6).value() == r);
  CHECK(!decode_resend(encode_resend(r), 4).ok());  // node 4 of 4
  CHECK(!decode_resend(encode_resend({1, 4}), 4).ok());
  CHECK(!decode_resend(std::vector<double>{1}, 6).ok());
  CHECK(!decode_resend(std::vector<double>{1, 2, 3}, 6).ok());
  CHECK(!decode_resend(std::vector<double>{1.5, 2}, 6).ok());
  CHECK(!decode_resend(std::vector<double>{1, -2}, 6).ok());
}

TEST_CASE("a kill ends only the life it names and a revive only moves to a later life", "[core]") {
  auto view = membership_view::all_up(4);
  view.epoch = 2;
  // The owner's own fault and its notice: the second is not news.
  CHECK(apply_node_change(view, {node_change::what::kill, 1, 0, 60}));
  CHECK(!view.live[1]);
  CHECK(view.epoch == 3);
  CHECK(!apply_node_change(view, {node_change::what::kill, 1, 0, 61}));
  CHECK(view.epoch == 3);
  CHECK(apply_node_change(view, {node_change::what::revive, 1, 1, 120}));
  CHECK(view.live[1]);
  CHECK(view.incarnation[1] == 1);
  CHECK(!apply_node_change(view, {node_change::what::revive, 1, 1, 121}));
  // A late kill of the old life does not kill the new one.
  CHECK(!apply_node_change(view, {node_change::what::kill, 1, 0, 60}));
  CHECK(view.live[1]);
  // A revive whose kill never arrived replaces the live old life.
  auto missed = membership_view::all_up(4);
  CHECK(apply_node_change(missed, {node_change::what::revive, 2, 1, 120}));
  CHECK(missed.live[2]);
  CHECK(missed.incarnation[2] == 1);
  CHECK(missed.live == view.live);
}

TEST_CASE("every order of the same notices gives the same view", "[core]") {
  const std::vector<node_change> changes{{node_change::what::kill, 3, 0, 60},
                                         {node_change::what::revive, 3, 1, 120},
                                         {node_change::what::kill, 3, 1, 150},
                                         {node_change::what::revive, 3, 2, 180}};
  auto in_order = membership_view::all_up(6);
  for (const auto& c : changes) CHECK(apply_node_change(in_order, c));
  auto reversed = membership_view::all_up(6);
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) apply_node_change(reversed, *it);
  CHECK(reversed.live == in_order.live);
  CHECK(reversed.incarnation == in_order.incarnation);
}

TEST_CASE("the owner revives a dead node as the next incarnation, not near the end", "[core]") {
  auto view = membership_view::all_up(6);
  CHECK(!plan_revive(view, 3, 50, 300, revive_margin).ok());  // live
  view.live[3] = false;
  view.incarnation[3] = 7;
  const auto planned = plan_revive(view, 3, 120, 300, revive_margin);
  REQUIRE(planned.ok());
  CHECK(planned->kind == node_change::what::revive);
  CHECK(planned->incarnation == 8);
  CHECK(planned->iteration == 120);
  const auto late = plan_revive(view, 3, 280, 300, revive_margin);
  REQUIRE(!late.ok());
  CHECK(late.err().message.find("too close to its end (iteration 280 of 300") != std::string::npos);
  CHECK(plan_revive(view, 3, 279, 300, revive_margin).ok());
}
