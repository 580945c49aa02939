// The process boundary (net/remote_edges) end to end without sockets: a
// node's running sums cross as acknowledged delta frames over a channel
// that loses, duplicates and reorders pushes and loses acks; the receiving
// node applies what the boundary forwards. The weight arrives exactly, the
// mass to double rounding; a push that does not apply forwards the block
// the receiver already holds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <variant>
#include <vector>

#include "core/rng.hpp"
#include "core/running_sums.hpp"
#include "net/remote_edges.hpp"
#include "net/wire/control_codec.hpp"
#include "net/wire/frame.hpp"
#include "net/wire/push_codec.hpp"

namespace wire = sgp::net::wire;
using sgp::core::delta_precision;

namespace {

std::vector<std::uint8_t> bytes_of(const sgp::net::outgoing_frame& f) {
  std::vector<std::uint8_t> out(f.head->begin(), f.head->end());
  if (f.payload) out.insert(out.end(), f.payload->begin(), f.payload->end());
  return out;
}

sgp::core::gossip_envelope envelope_of(const sgp::core::push_message& m, std::uint64_t round) {
  sgp::core::gossip_envelope e;
  e.iteration = e.round = round;
  e.message = std::make_shared<const sgp::core::push_message>(m);
  return e;
}

struct receiver_end {
  sgp::net::remote_edges edges;
  sgp::core::running_sums node;
  wire::frame_decoder decoder{};
  const sgp::core::mass_block* last_forwarded = nullptr;
  int forwarded_again = 0;  ///< not applied, the held block forwarded again

  /// A push frame arrives: the ack to send back, if any.
  std::optional<std::vector<std::uint8_t>> arrive(const std::vector<std::uint8_t>& frame) {
    auto view = decoder.decode(frame);
    REQUIRE(view.ok());
    auto push = wire::decode_push(decoder, view.value());
    REQUIRE(push.ok());
    const auto applied_before = edges.counters().applied_in;
    auto in = edges.incoming(push.value());
    if (in.forward) {
      const auto* block = in.forward->message->mass.get();
      if (edges.counters().applied_in == applied_before) {
        // Not applied: what it forwards is the block it already held.
        CHECK(block == last_forwarded);
        ++forwarded_again;
      }
      last_forwarded = block;
      (void)node.apply(*in.forward->message);
    }
    if (!in.ack) return std::nullopt;
    return bytes_of(*in.ack);
  }
};

void ack_arrives(sgp::net::remote_edges& edges, wire::frame_decoder& decoder,
                 const std::vector<std::uint8_t>& frame) {
  auto view = decoder.decode(frame);
  REQUIRE(view.ok());
  auto control = wire::decode_control(decoder, view.value());
  REQUIRE(control.ok());
  edges.acknowledged(std::get<wire::ack>(control.value()));
}

void check_lossy_boundary(std::size_t n, delta_precision precision, std::uint64_t seed) {
  sgp::core::rng r(seed);
  std::vector<double> x0(n);
  std::vector<double> y0(n);
  for (std::size_t i = 0; i < n; ++i) {
    x0[i] = r.normal();
    y0[i] = r.normal();
  }
  sgp::core::running_sums sender_node(0, x0, 1.0);
  sgp::net::remote_edges sender_edges(n, precision);
  wire::frame_decoder sender_decoder;
  receiver_end rcv{sgp::net::remote_edges(n, precision), sgp::core::running_sums(1, y0, 1.0)};

  std::vector<std::vector<std::uint8_t>> held_back;  // pushes delayed past later ones
  const std::size_t peer[] = {1};
  sgp::core::gossip_envelope last;
  for (std::uint64_t k = 1; k <= 40; ++k) {
    const auto messages = sender_node.push(peer);
    REQUIRE(messages.size() == 1);
    last = envelope_of(messages[0], k);
    const auto frame = sender_edges.outgoing(last);
    REQUIRE(frame.has_value());
    const auto bytes = bytes_of(*frame);
    std::vector<std::vector<std::uint8_t>> now;
    const double u = r.uniform();
    if (u < 0.3) {
      // lost
    } else if (u < 0.45) {
      held_back.push_back(bytes);  // arrives later, after newer pushes
    } else {
      now.push_back(bytes);
      if (r.uniform() < 0.15) now.push_back(bytes);  // duplicated
    }
    if (!held_back.empty() && r.uniform() < 0.3) {
      now.push_back(held_back.front());
      held_back.erase(held_back.begin());
    }
    for (const auto& f : now) {
      const auto ack = rcv.arrive(f);
      if (ack && r.uniform() >= 0.3) ack_arrives(sender_edges, sender_decoder, *ack);
    }
  }
  for (const auto& f : held_back) (void)rcv.arrive(f);
  // The losses stop: the same running sum again is a flush of what is in
  // flight (T - C), until the residual of the rounding is gone too.
  for (int flush = 0; flush < 8; ++flush) {
    const auto frame = sender_edges.outgoing(last);
    REQUIRE(frame.has_value());
    const auto ack = rcv.arrive(bytes_of(*frame));
    REQUIRE(ack.has_value());
    ack_arrives(sender_edges, sender_decoder, *ack);
  }

  const auto& in = rcv.edges.counters();
  CHECK(in.malformed_in == 0);
  CHECK(in.applied_in > 0);
  CHECK(in.not_applied_in > 0);  // duplicates, stale and mismatched bases happened
  CHECK(rcv.forwarded_again > 0);
  // The weight travels as an exact cumulative double.
  CHECK(sender_node.w() + rcv.node.w() == 2.0);
  // The mass: what left x0 arrived in y, to the doubles' rounding of the
  // running-sum differences.
  const auto x = sender_node.x();
  const auto y = rcv.node.x();
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    worst = std::max(worst, std::abs((x[i] + y[i]) - (x0[i] + y0[i])));
  }
  CHECK(worst < 1e-9);
}

}  // namespace

TEST_CASE("the process boundary keeps weight exact and mass to rounding over a lossy channel",
          "[net]") {
  check_lossy_boundary(1000, delta_precision::f32, 3);
  check_lossy_boundary(1000, delta_precision::bf16, 4);
}

TEST_CASE("the process boundary with model-sized edges (loops in parallel chunks)", "[net]") {
  check_lossy_boundary(600000, delta_precision::f32, 5);
}

TEST_CASE("forgetting a process drops its nodes' edges and keeps the others'", "[net]") {
  // Nodes 0 and 1 in process 0 (here), node 2 in process 1, node 3 in process 2.
  const std::vector<std::uint32_t> node_process{0, 0, 1, 2};
  const std::size_t n = 16;
  sgp::core::running_sums node(0, std::vector<double>(n, 1.0), 1.0);
  sgp::net::remote_edges edges(n, delta_precision::f32);
  wire::frame_decoder decoder;
  const std::size_t peers[] = {2, 3};
  const auto messages = node.push(peers);
  REQUIRE(messages.size() == 2);
  std::vector<std::vector<std::uint8_t>> acks;
  for (const auto& m : messages) {
    const auto frame = edges.outgoing(envelope_of(m, 1));
    REQUIRE(frame.has_value());
    receiver_end rcv{sgp::net::remote_edges(n, delta_precision::f32),
                     sgp::core::running_sums(m.to, std::vector<double>(n, 0.0), 1.0)};
    auto ack = rcv.arrive(bytes_of(*frame));
    REQUIRE(ack.has_value());
    acks.push_back(*ack);
  }
  edges.forget_process(node_process, 1);  // node 2's edge goes
  ack_arrives(edges, decoder, acks[0]);
  CHECK(edges.counters().acks_in == 0);  // no edge to take it
  ack_arrives(edges, decoder, acks[1]);
  CHECK(edges.counters().acks_in == 1);  // node 3's edge is still there
}
